// Access token, Host check, CSRF, and the headers every response carries.
import { sha256Hex } from '../../src/common/sha256.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOWNLOAD_CSP, MESSAGE_HTML_CSP, PAGE_CSP } from '../../src/server/security.ts';
import { cookiesOf, csrfFrom, seededApp, type TestApp } from './app-helpers.ts';

let open: TestApp;
let locked: TestApp;
beforeAll(async () => {
  open = await seededApp();
  locked = await seededApp({ token: 's3cret-token' });
});
afterAll(async () => {
  await open.app.close();
  await locked.app.close();
});

describe('access token', () => {
  it('refuses every request without it, pages, data, assets and posts alike', async () => {
    for (const url of ['/', '/messages.json', `/messages/${locked.ids.verified}/raw`, '/-/static/review.js', '/-/keys']) {
      expect((await locked.app.inject(url)).statusCode, url).toBe(401);
    }
    const post = await locked.app.inject({ method: 'POST', url: `/messages/${locked.ids.verified}/reviews`, payload: {} });
    expect(post.statusCode).toBe(401);
    expect((await locked.app.inject({ url: '/?token=wrong' })).statusCode).toBe(401);
  });

  it('redirects to a path on this server only, and survives a malformed cookie', async () => {
    const res = await locked.app.inject({ url: '/x/..//evil.example/?token=s3cret-token' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/(?!\/)/);
    const bad = await locked.app.inject({ url: '/', headers: { cookie: 'lt_token=%E0%A4%A; lt_csrf=%' } });
    expect(bad.statusCode).toBe(401);
  });

  it('accepts a bearer header', async () => {
    const res = await locked.app.inject({ url: '/messages.json', headers: { authorization: 'Bearer s3cret-token' } });
    expect(res.statusCode).toBe(200);
  });

  it('trades ?token= for an HttpOnly SameSite=Strict cookie and drops it from the URL', async () => {
    const res = await locked.app.inject({ url: '/messages?verdict=tampered&token=s3cret-token' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/messages?verdict=tampered');
    expect(String(res.headers['set-cookie'])).toMatch(/^lt_token=s3cret-token; Path=\/; HttpOnly; SameSite=Strict$/);
    const next = await locked.app.inject({ url: res.headers.location as string, headers: { cookie: cookiesOf(res) } });
    expect(next.statusCode).toBe(200);
  });

  it('answers any Host name when a token guards it, only loopback names otherwise', async () => {
    const headers = { host: 'review.newsroom.example:8080', authorization: 'Bearer s3cret-token' };
    expect((await locked.app.inject({ url: '/', headers })).statusCode).toBe(200);
    for (const host of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080']) {
      expect((await open.app.inject({ url: '/', headers: { host } })).statusCode, host).toBe(200);
    }
    expect((await open.app.inject({ url: '/', headers: { host: 'attacker.example:8080' } })).statusCode).toBe(403);
  });
});

describe('cross-site request forgery', () => {
  async function session() {
    const page = await open.app.inject(`/messages/${open.ids.unverifiable}`);
    return { cookie: cookiesOf(page), csrf: csrfFrom(page.body) };
  }
  const post = (cookie: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    open.app.inject({
      method: 'POST',
      url: `/messages/${open.ids.unverifiable}/reviews`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers },
      payload: new URLSearchParams(fields).toString(),
    });
  const count = () => (open.db.prepare('SELECT count(*) AS n FROM reviews WHERE sha256 = ?').get(open.ids.unverifiable) as { n: number }).n;

  it('sets the nonce cookie HttpOnly and SameSite=Strict', async () => {
    const page = await open.app.inject('/messages');
    expect(String(page.headers['set-cookie'])).toMatch(/^lt_csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
  });

  it('refuses a token from another browser, a missing token, another origin; accepts our own form', async () => {
    const a = await session();
    const b = await session();
    const before = count();
    expect((await post(a.cookie, { decision: 'confirm', reviewer: 'x', _csrf: b.csrf })).statusCode).toBe(403);
    expect((await post(a.cookie, { decision: 'confirm', reviewer: 'x' })).statusCode).toBe(403);
    expect((await post('', { decision: 'confirm', reviewer: 'x', _csrf: a.csrf })).statusCode).toBe(403);
    const fields = { decision: 'confirm', reviewer: 'x', _csrf: a.csrf };
    expect((await post(a.cookie, fields, { origin: 'http://evil.example' })).statusCode).toBe(403);
    expect((await post(a.cookie, fields, { origin: 'null' })).statusCode).toBe(403);
    expect((await post(a.cookie, fields, { 'sec-fetch-site': 'same-site' })).statusCode).toBe(403);
    expect(count()).toBe(before);
    const ok = await post(a.cookie, fields, { origin: 'http://localhost:80', 'sec-fetch-site': 'same-origin' });
    expect(ok.statusCode).toBe(303);
    expect(count()).toBe(before + 1);
  });

  it('over a LAN (plain HTTP, no Fetch Metadata) accepts our own origin and refuses Origin: null and other origins', async () => {
    // What Chromium sends from a page at http://192.168.1.5:8080 under Referrer-Policy: same-origin.
    const auth = { authorization: 'Bearer s3cret-token', host: '192.168.1.5:8080' };
    const page = await locked.app.inject({ url: `/messages/${locked.ids.verified}`, headers: auth });
    expect(page.headers['referrer-policy']).toBe('same-origin');
    expect(page.body).toContain('<meta name="referrer" content="same-origin">');
    const lan = (headers: Record<string, string>) =>
      locked.app.inject({
        method: 'POST',
        url: `/messages/${locked.ids.verified}/reviews`,
        headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded', cookie: cookiesOf(page), ...headers },
        payload: new URLSearchParams({ decision: 'confirm', reviewer: 'Ana', _csrf: csrfFrom(page.body) }).toString(),
      });
    const stored = () => (locked.db.prepare('SELECT count(*) AS n FROM reviews').get() as { n: number }).n;
    expect((await lan({ origin: 'null' })).statusCode).toBe(403);
    expect((await lan({ origin: 'http://192.168.1.5:9999' })).statusCode).toBe(403);
    expect((await lan({ origin: 'http://evil.example' })).statusCode).toBe(403);
    expect(stored()).toBe(0);
    const ok = await lan({ origin: 'http://192.168.1.5:8080' });
    expect(ok.statusCode).toBe(303);
    expect(stored()).toBe(1);
  });
});

describe('response headers', () => {
  it('pages carry the strict CSP and companions; the HTML body its own sandboxed CSP', async () => {
    expect(PAGE_CSP).toBe(
      "default-src 'none';script-src 'self';style-src 'self';img-src 'self' data:;form-action 'self';" +
        "frame-ancestors 'none';frame-src 'self';base-uri 'none'",
    );
    const html = await open.app.inject(`/messages/${open.ids.hostile}/html`);
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-security-policy']).toBe(MESSAGE_HTML_CSP);
    expect(MESSAGE_HTML_CSP).toMatch(/^default-src 'none'; style-src 'unsafe-inline'; img-src data:;.*; sandbox$/);
    expect(html.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(html.headers['x-content-type-options']).toBe('nosniff');
    expect(html.body).toContain('<h1 id="hostile">');
  });

  it('raw download: exact bytes, message/rfc822, a safe name, and SHA-256 equal to the id', async () => {
    const res = await open.app.inject(`/messages/${open.ids.hostile}/raw`);
    expect(res.headers['content-type']).toBe('message/rfc822');
    expect(res.headers['content-security-policy']).toBe(DOWNLOAD_CSP);
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="script-alert-subject-script-invoice-${open.ids.hostile.slice(0, 12)}.eml"; filename*=UTF-8''script-alert-subject-script-invoice-${open.ids.hostile.slice(0, 12)}.eml`,
    );
    expect(sha256Hex(res.rawPayload)).toBe(open.ids.hostile);
  });

  it('attachment download: the decoded bytes, opaque type, a name without paths or quotes', async () => {
    const res = await open.app.inject(`/messages/${open.ids.attachment}/attachments/0`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="contract _final_.pdf"; filename*=UTF-8''contract%20_final_.pdf`);
    const stored = open.db.prepare('SELECT content_sha256 AS h FROM attachments WHERE sha256 = ?').get(open.ids.attachment) as {
      h: string;
    };
    expect(sha256Hex(res.rawPayload)).toBe(stored.h);
  });
});
