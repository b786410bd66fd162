// The headers every response carries (docs/review-server.md, "Safety model"), in one place: the
// onSend hook applies them, and so do the error answers sent before any route or hook runs.
import type { FastifyReply } from 'fastify';

/** Every page: scripts and styles only from this server, no remote load, framed by nobody. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; " +
  "frame-ancestors 'none'; frame-src 'self'; base-uri 'none'";

/** A message's own HTML: no script, no remote anything, its inline styles only; framed by our pages. */
export const MESSAGE_HTML_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'; " + "frame-ancestors 'self'; sandbox";

/** Downloads (raw bytes, attachments): never rendered by us, and sandboxed should a browser try. */
export const DOWNLOAD_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

/** Our own requests say where they come from; requests to any other origin carry no Referer. */
export const REFERRER_POLICY = 'same-origin';

/** Sets the strict headers a response does not already set for itself (downloads and the HTML body set their own CSP). */
export function applyPageHeaders(reply: FastifyReply): void {
  if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', PAGE_CSP);
  if (!reply.hasHeader('x-frame-options')) reply.header('x-frame-options', 'DENY');
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  reply.header('x-content-type-options', 'nosniff');
  // same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on our own form
  // posts, and a plain-HTTP LAN page gets no Sec-Fetch-Site, so a post could not be told from a
  // forged one. Every link to another origin still goes without a Referer.
  reply.header('referrer-policy', REFERRER_POLICY);
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('cross-origin-resource-policy', 'same-origin');
  reply.header('x-dns-prefetch-control', 'off');
}
