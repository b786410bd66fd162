// The headers every response carries (docs/review-server.md, "Safety model"), in one place: set by
// @fastify/helmet with these options as each request arrives, before any route or error answer.
import type { FastifyHelmetOptions } from '@fastify/helmet';

/** Every page: scripts and styles only from this server, no remote load, framed by nobody. */
const PAGE_CSP_DIRECTIVES = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'frame-src': ["'self'"],
  'base-uri': ["'none'"],
};

/** The page CSP as the header says it (helmet writes the directives joined by ";"). */
export const PAGE_CSP = Object.entries(PAGE_CSP_DIRECTIVES)
  .map(([name, values]) => `${name} ${values.join(' ')}`)
  .join(';');

/** A message's own HTML: no script, no remote anything, its inline styles only; framed by our pages. */
export const MESSAGE_HTML_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'; " + "frame-ancestors 'self'; sandbox";

/** Downloads (raw bytes, attachments): never rendered by us, and sandboxed should a browser try. */
export const DOWNLOAD_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

/** Our own requests say where they come from; requests to any other origin carry no Referer. */
export const REFERRER_POLICY = 'same-origin';

/**
 * The strict headers of every response, set by @fastify/helmet when a request arrives (so error
 * answers carry them too); a response that needs another CSP or framing (downloads, the message's
 * HTML) sets its own over them.
 */
export const HELMET_OPTIONS: FastifyHelmetOptions = {
  global: true,
  contentSecurityPolicy: { useDefaults: false, directives: PAGE_CSP_DIRECTIVES },
  xFrameOptions: { action: 'deny' },
  // same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on our own form
  // posts, and a plain-HTTP LAN page gets no Sec-Fetch-Site, so a post could not be told from a
  // forged one. Every link to another origin still goes without a Referer.
  referrerPolicy: { policy: REFERRER_POLICY },
  crossOriginOpenerPolicy: { policy: 'same-origin' },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  // Would block the message's HTML frame, which is a resource of our own origin without CORP headers
  // of its own; nothing cross-origin is ever loaded anyway (default-src 'none').
  crossOriginEmbedderPolicy: false,
  xDnsPrefetchControl: { allow: false },
  // The server speaks plain HTTP (loopback, or a LAN address with a token): HSTS there means nothing.
  strictTransportSecurity: false,
};
