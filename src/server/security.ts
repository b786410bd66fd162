// The safety model (docs/review-server.md): access token off loopback, Host check on loopback,
// CSRF tokens and an Origin check on every POST, strict headers on every response.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256Digest } from '../common/sha256.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './errors.ts';

export { DOWNLOAD_CSP, MESSAGE_HTML_CSP, PAGE_CSP, REFERRER_POLICY } from './response-headers.ts';

export const TOKEN_COOKIE = 'lt_token';
export const CSRF_COOKIE = 'lt_csrf';

export interface SecurityOptions {
  /** Required on every request when set. */
  token: string | null;
  /** Refuse Host headers other than loopback names (DNS rebinding) — on when there is no token. */
  checkHost: boolean;
  /** Key of the CSRF tokens' HMAC. */
  secret: Buffer;
}

/** Equal-time comparison of two strings of any length. */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(sha256Digest(a), sha256Digest(b));
}

/** Our cookies: the whole site, never to scripts, never sent from another site's page. */
export const COOKIE_OPTIONS = { path: '/', httpOnly: true, sameSite: 'strict' } as const;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function hostName(host: string | undefined): string {
  return (host ?? '').toLowerCase().replace(/:\d+$/, '');
}

export function registerSecurity(app: FastifyInstance, opts: SecurityOptions): void {
  app.addHook('onRequest', async (req, reply) => {
    // Nothing this server answers is to be kept by a browser or a proxy (static assets say otherwise).
    reply.header('cache-control', 'no-store');
    if (opts.checkHost && !LOOPBACK_HOSTS.has(hostName(req.headers.host))) {
      return sendError(reply, 403, 'forbidden', 'this server answers only to localhost, 127.0.0.1 and [::1]');
    }
    if (opts.token === null) return;
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== undefined && sameSecret(bearer, opts.token)) return;
    const fromCookie = req.cookies[TOKEN_COOKIE];
    if (fromCookie !== undefined && sameSecret(fromCookie, opts.token)) return;
    const url = new URL(req.url, 'http://localhost');
    const given = url.searchParams.get('token');
    if (given !== null && sameSecret(given, opts.token) && (req.method === 'GET' || req.method === 'HEAD')) {
      // Trade the token in the URL for a cookie, and drop it from the address bar and history.
      url.searchParams.delete('token');
      return (
        reply
          .code(303)
          .setCookie(TOKEN_COOKIE, opts.token, COOKIE_OPTIONS)
          // Always a path on this server (a leading `//` would name another host).
          .header('location', `/${url.pathname.replace(/^\/+/, '')}${url.search}`)
          .send()
      );
    }
    return sendError(reply, 401, 'unauthorized', 'an access token is required (Authorization: Bearer, or ?token= once)');
  });
}

/** The CSRF form token for this browser, setting its cookie on first use. */
export function csrfToken(req: FastifyRequest, reply: FastifyReply, secret: Buffer): string {
  let nonce = req.cookies[CSRF_COOKIE];
  if (nonce === undefined || !/^[A-Za-z0-9_-]{43}$/.test(nonce)) {
    nonce = randomBytes(32).toString('base64url');
    reply.setCookie(CSRF_COOKIE, nonce, COOKIE_OPTIONS);
  }
  return createHmac('sha256', secret).update(nonce).digest('base64url');
}

/**
 * Why a POST must be refused, or null. Three locks, each enough against a page of another site:
 * - the form token must be the HMAC of this browser's nonce cookie: a page elsewhere can neither read
 *   the cookie nor compute the HMAC, and the cookie is SameSite=Strict, so a cross-site post lacks it;
 * - when the browser sends Fetch Metadata (loopback and HTTPS pages), it must say `same-origin`;
 * - when it sends an Origin, that must be ours. Our pages set `Referrer-Policy: same-origin`, under
 *   which our own forms send their real origin, also from a plain-HTTP LAN address where there is no
 *   Fetch Metadata; `Origin: null` therefore only comes from elsewhere (a page with no-referrer, a
 *   sandboxed frame) and is refused. A post with no Origin at all (a script, an older browser) rests
 *   on the form token.
 */
export function csrfProblem(req: FastifyRequest, formToken: string | undefined, secret: Buffer): string | null {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return 'the request comes from another site';
  const origin = req.headers.origin;
  if (origin === 'null') return 'the browser did not say which page sent this form (Origin: null); reload the page and send it again';
  if (origin !== undefined) {
    let host: string | null;
    try {
      host = new URL(origin).host;
    } catch {
      host = null;
    }
    const own = (req.headers.host ?? '').toLowerCase().replace(/:(80|443)$/, '');
    if (host?.replace(/:(80|443)$/, '') !== own) return 'the request comes from another site';
  }
  const nonce = req.cookies[CSRF_COOKIE];
  if (nonce === undefined || formToken === undefined) return 'the form token is missing; reload the page';
  const expected = createHmac('sha256', secret).update(nonce).digest('base64url');
  return sameSecret(expected, formToken) ? null : 'the form token is not valid; reload the page';
}
