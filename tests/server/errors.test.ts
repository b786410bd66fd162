// One error shape for every error path: { ok: false, error: { status, code, message } }.
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.ts';
import { SECRET, cookiesOf, csrfFrom, seededApp, type TestApp } from './app-helpers.ts';
import { openFixtureDb } from '../helpers/fixture-db.ts';

let t: TestApp;
let tokenApp: TestApp;
let cookie = '';
let csrf = '';

beforeAll(async () => {
  t = await seededApp();
  tokenApp = await seededApp({ token: 'letmein' });
  const page = await t.app.inject(`/messages/${t.ids.verified}`);
  cookie = cookiesOf(page);
  csrf = csrfFrom(page.body);
});
afterAll(async () => {
  await t.app.close();
  await tokenApp.app.close();
});

function form(fields: Record<string, string>): Pick<InjectOptions, 'headers' | 'payload'> {
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    payload: new URLSearchParams(fields).toString(),
  };
}

describe('the error shape', () => {
  it('is the same on every error path', async () => {
    const sha = t.ids.verified;
    const missing = 'f'.repeat(64);
    const review = (fields: Record<string, string>, sha256 = sha) =>
      ({ method: 'POST', url: `/messages/${sha256}/reviews`, ...form(fields) }) as InjectOptions;
    const cases: [InjectOptions, number, string, TestApp?][] = [
      [{ url: '/no/such/page' }, 404, 'not-found'],
      [{ url: '/messages/' + missing }, 404, 'not-found'],
      [{ url: `/messages/${missing}.json` }, 404, 'not-found'],
      [{ url: '/messages/not-an-id' }, 404, 'not-found'],
      [{ url: `/messages/${missing}/raw` }, 404, 'not-found'],
      [{ url: `/messages/${sha}/html` }, 404, 'not-found'],
      [{ url: `/messages/${sha}/attachments/3` }, 404, 'not-found'],
      [{ url: '/-/static/missing.css' }, 404, 'not-found'],
      [{ url: '/messages/XYZ/raw' }, 400, 'bad-request'],
      [{ url: `/messages/${sha}/attachments/-1` }, 400, 'bad-request'],
      [{ url: '/messages?verdcit=tampered' }, 400, 'bad-request'],
      [{ url: '/messages.json?verdict=fake' }, 400, 'bad-request'],
      [{ url: '/messages.csv?_sort=weight' }, 400, 'bad-request'],
      [{ url: `/messages?_next=${missing}` }, 400, 'stale-cursor'],
      [{ url: `/messages?_next=${sha}&_prev=${sha}` }, 400, 'bad-request'],
      [{ url: '/messages?_next=abc' }, 400, 'bad-request'],
      [{ url: '/messages?_size=100000' }, 400, 'bad-request'],
      [{ url: '/messages?from=2023-02-31T99' }, 400, 'bad-request'],
      [{ url: '/messages?q=***' }, 400, 'bad-request'],
      [{ url: '/.json?x=1' }, 400, 'bad-request'],
      [{ url: '/-/keys?_next=x' }, 400, 'bad-request'],
      [{ url: '/', headers: { host: 'evil.example' } }, 403, 'forbidden'],
      [{ url: '/' }, 401, 'unauthorized', tokenApp],
      [{ url: '/-/static/style.css', headers: { authorization: 'Bearer nope' } }, 401, 'unauthorized', tokenApp],
      [
        {
          method: 'POST',
          url: `/messages/${sha}/reviews`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: 'decision=confirm&reviewer=x',
        },
        403,
        'csrf',
      ],
      [review({ decision: 'confirm', reviewer: 'x', _csrf: 'forged' }), 403, 'csrf'],
      [
        {
          ...review({ decision: 'confirm', reviewer: 'x', _csrf: 'set below' }),
          headers: { ...form({}).headers, origin: 'https://evil.example' },
        },
        403,
        'csrf',
      ],
      [
        {
          ...review({ decision: 'confirm', reviewer: 'x', _csrf: 'set below' }),
          headers: { ...form({}).headers, 'sec-fetch-site': 'cross-site' },
        },
        403,
        'csrf',
      ],
      [review({ decision: 'confirm', _csrf: 'set below' }), 400, 'bad-request'],
      [review({ decision: 'maybe', reviewer: 'x', _csrf: 'set below' }), 400, 'bad-request'],
      [review({ decision: 'override', reviewer: 'x', note: 'why', _csrf: 'set below' }), 400, 'bad-request'],
      [review({ decision: 'override', verdict: 'tampered', reviewer: 'x', _csrf: 'set below' }), 400, 'bad-request'],
      [review({ decision: 'confirm', reviewer: '   ', _csrf: 'set below' }), 400, 'bad-request'],
      [review({ decision: 'confirm', reviewer: 'x', _csrf: 'set below' }, missing), 404, 'not-found'],
      [
        { method: 'POST', url: `/messages/${sha}/reviews`, headers: { 'content-type': 'application/xml', cookie }, payload: '<x/>' },
        415,
        'unsupported-media-type',
      ],
      [{ ...review({ decision: 'confirm', reviewer: 'x', note: 'n'.repeat(70_000), _csrf: 'set below' }) }, 413, 'payload-too-large'],
      [{ method: 'DELETE', url: '/' }, 404, 'not-found'],
    ];
    for (const [opts, status, code, app] of cases) {
      const withCsrf =
        typeof opts.payload === 'string' ? { ...opts, payload: opts.payload.replace('set+below', encodeURIComponent(csrf)) } : opts;
      const res = await (app ?? t).app.inject(withCsrf);
      const label = `${opts.method ?? 'GET'} ${String(opts.url)} → ${res.body.slice(0, 160)}`;
      expect(res.statusCode, label).toBe(status);
      expect(res.headers['content-type'], label).toBe('application/json; charset=utf-8');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      const body = res.json();
      expect(Object.keys(body).sort(), label).toEqual(['error', 'ok']);
      expect(body.ok).toBe(false);
      expect(Object.keys(body.error).sort(), label).toEqual(['code', 'message', 'status']);
      expect(body.error.status, label).toBe(status);
      expect(body.error.code, label).toBe(code);
      expect(typeof body.error.message).toBe('string');
      expect(body.error.message.length).toBeGreaterThan(0);
    }
  });

  it('is an HTML page with navigation for a browser, and stays JSON for the .json twins', async () => {
    const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    const cases: [string, number, string][] = [
      ['/no/such/page', 404, 'not-found'],
      ['/messages?verdcit=tampered', 400, 'bad-request'],
      ['/messages?from=2023-02-31T99', 400, 'bad-request'],
      ['/messages?_next=abc', 400, 'bad-request'],
      [`/messages/${'f'.repeat(64)}`, 404, 'not-found'],
      [`/messages/${'a'.repeat(300)}`, 414, 'uri-too-long'],
    ];
    for (const [url, status, code] of cases) {
      const res = await t.app.inject({ url, headers: html });
      expect(res.statusCode, url).toBe(status);
      expect(res.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(res.headers['content-security-policy'], url).toMatch(/^default-src 'none'/);
      expect(res.body, url).toContain(`<code>${code}</code>`);
      expect(res.body, url).toContain('<nav><a href="/"');
      expect(res.body, url).toContain('href="/messages"');
      expect(res.body, url).not.toContain('a'.repeat(130));
    }
    const json = await t.app.inject({ url: '/messages.json?verdcit=x', headers: html });
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json.json().error.code).toBe('bad-request');
    const csrfPage = await t.app.inject({
      method: 'POST',
      url: `/messages/${t.ids.verified}/reviews`,
      headers: { ...html, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'decision=confirm&reviewer=x',
    });
    expect(csrfPage.statusCode).toBe(403);
    expect(csrfPage.body).toContain('reload the page');
    expect(csrfPage.body).toContain(`href="/messages/${t.ids.verified}"`);
  });

  it('answers a path segment too long (414) and headers too large (431) in the shape, without echoing them', async () => {
    const long = await t.app.inject(`/messages/${'a'.repeat(300)}`);
    expect(long.statusCode).toBe(414);
    expect(long.json()).toEqual({
      ok: false,
      error: { status: 414, code: 'uri-too-long', message: 'the address is longer than this server accepts' },
    });
    const { db } = openFixtureDb();
    const app = await buildApp({ db, secret: SECRET, checks: null, closeDb: true });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-big': 'b'.repeat(20_000) } });
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({
      ok: false,
      error: { status: 431, code: 'header-fields-too-large', message: 'the request headers are larger than this server accepts' },
    });
    await app.close();
  });

  it('hides the details of a 5xx and logs them', async () => {
    const { db } = openFixtureDb();
    const lines: string[] = [];
    const app = await buildApp({
      db,
      secret: SECRET,
      checks: null,
      logger: { level: 'error', stream: { write: (l: string) => lines.push(l) } },
    });
    db.close();
    const res = await app.inject('/messages');
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      ok: false,
      error: {
        status: 500,
        code: 'internal',
        message: expect.stringMatching(/^internal error; the server log has the details \(request .+\)$/),
      },
    });
    expect(res.body).not.toMatch(/database|sqlite/i);
    expect(lines.join('')).toMatch(/database connection is not open/);
    await app.close();
  });
});
