// The small pure pieces: escaping, download names, the timeline's buckets, the checks page data,
// and the start file.
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { html, trusted, escapeHtml } from '../../web/templates/html.ts';
import { buildBuckets } from '../../web/templates/timeline-chart.ts';
import { contentDisposition, emlFileName, safeFileName } from '../../src/server/download-name.ts';
import { prepareMessageHtml } from '../../src/server/html-body.ts';
import { WeakTokenError, isLoopback, listenUrls, startServer } from '../../src/server/start-server.ts';
import { checks } from '../../src/checks/index.ts';
import { archiveCopies } from '../../src/checks/archive-copies.ts';
import { archiveThread } from '../../src/checks/archive-thread.ts';
import { seedReviewDb } from '../helpers/review-corpus.ts';
import { openFixtureDb, tempDbFile } from '../helpers/fixture-db.ts';
import { seededApp } from './app-helpers.ts';

describe('html templates', () => {
  it('escape every interpolation, nested arrays included, and keep Html as it is', () => {
    const evil = `<img src=x onerror="alert('1')">&\``;
    expect(html`<p title="${evil}">${evil}</p>`.value).toBe(
      '<p title="&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;&#96;">&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;&#96;</p>',
    );
    expect(html`<ul>${['<a>', html`<li>${'<b>'}</li>`]}</ul>`.value).toBe('<ul>&lt;a&gt;<li>&lt;b&gt;</li></ul>');
    expect(html`${null}${undefined}${false}${0}`.value).toBe('0');
    expect(html`${trusted('<br>')}`.value).toBe('<br>');
    expect(escapeHtml('plain')).toBe('plain');
  });
});

describe('message HTML', () => {
  it('renames link targets, so a click cannot navigate the frame to a remote page', () => {
    expect(prepareMessageHtml(`<a href="https://t.example/">x</a><A\nHREF = 'y'><svg><a xlink:href="z"/></svg><a/href=w>`)).toBe(
      `<a data-blocked-href="https://t.example/">x</a><A\ndata-blocked-HREF = 'y'><svg><a data-blocked-xlink:href="z"/></svg><a/data-blocked-href=w>`,
    );
  });

  it('renames every frame element so the browser creates none (and opens no connection for it)', () => {
    expect(prepareMessageHtml('<IFRAME SRC="https://t.example/">x</IFRAME><frameset><frame src=a></frameset><iframe/src=b>')).toBe(
      '<blocked-IFRAME SRC="https://t.example/">x</blocked-IFRAME><blocked-frameset><blocked-frame src=a></blocked-frameset><blocked-iframe/src=b>',
    );
    expect(prepareMessageHtml('<iframes> <p>frame</p> <framework>')).toBe('<iframes> <p>frame</p> <framework>');
  });
});

describe('download names', () => {
  it('strip paths, control characters, quotes and reserved names', () => {
    expect(safeFileName('../../etc/passwd', 'x')).toBe('passwd');
    expect(safeFileName('C:\\Users\\a\\évidence "final".pdf', 'x')).toBe('évidence _final_.pdf');
    expect(safeFileName('a\r\nContent-Type: text/html', 'x')).toBe('a__Content-Type_ text/html'.split('/').pop());
    expect(safeFileName('...', 'fallback.bin')).toBe('fallback.bin');
    expect(safeFileName('CON.txt', 'fallback.bin')).toBe('fallback.bin');
    expect(safeFileName('x'.repeat(300), 'f')).toHaveLength(100);
    expect(safeFileName('\u202Egpj.exe', 'f')).toBe('gpj.exe');
    expect(contentDisposition('résumé.pdf')).toBe(`attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`);
  });

  it('name a raw message after its subject and id', () => {
    expect(emlFileName('Re: Wire "the" funds / today!', 'ab'.repeat(32))).toBe(`Re-Wire-the-funds-today-${'ab'.repeat(6)}.eml`);
    expect(emlFileName(null, 'cd'.repeat(32))).toBe(`${'cd'.repeat(6)}.eml`);
  });
});

describe('timeline buckets', () => {
  const week = (key: string, total: number) => ({ key, total, parts: { verified: total } });
  it('fills empty weeks between the first and the last', () => {
    const b = buildBuckets([week('2023-03-06', 2), week('2023-03-27', 1), week('', 4)]);
    expect(b.unit).toBe('week');
    expect(b.buckets.map((x) => [x.start, x.total])).toEqual([
      ['2023-03-06', 2],
      ['2023-03-13', 0],
      ['2023-03-20', 0],
      ['2023-03-27', 1],
    ]);
  });
  it('falls back to months, then years, when forged dates stretch the range', () => {
    expect(buildBuckets([week('2018-01-01', 1), week('2023-12-25', 1)]).unit).toBe('month');
    const years = buildBuckets([week('1971-01-04', 1), week('2023-12-25', 1)]);
    expect(years.unit).toBe('year');
    expect(years.buckets).toHaveLength(53);
  });
});

describe('checks page', () => {
  it('lists every registered check and code, with the counts of this database', async () => {
    const t = await seededApp({ checks: undefined });
    const d = (await t.app.inject('/-/checks.json')).json();
    expect(d.registry).toBe(true);
    const all = [...checks, archiveCopies, archiveThread];
    expect(d.checks.map((c: { id: string }) => c.id)).toEqual(all.map((c) => c.id));
    const declared = all.flatMap((c) => Object.keys(c.codes));
    for (const c of d.otherCodes) expect(declared).not.toContain(c.code);
    await t.app.close();
  });
});

describe('startServer', () => {
  const servers: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.4', 'example.org']) expect(isLoopback(h), h).toBe(false);
  });

  it('listens on 127.0.0.1 without a token by default, and serves the pages over HTTP', async () => {
    const { db, file } = openFixtureDb();
    seedReviewDb(db);
    db.close();
    const s = await startServer({ dbFile: file, port: 0 });
    servers.push(s);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(s.token).toBeNull();
    const res = await fetch(`${s.url}messages.json`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { rows: unknown[] }).rows).toHaveLength(9);
  });

  it('requires the given token on every request', async () => {
    const { db, file } = openFixtureDb();
    db.close();
    const token = 'rV3b8kQ2pX9mZ4tL7wN1cH6yJ0sD5fG8aE2uB4iO7qM';
    const s = await startServer({ dbFile: file, port: 0, token });
    servers.push(s);
    expect(s.token).toBe(token);
    expect((await fetch(s.url)).status).toBe(401);
    expect((await fetch(s.url, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it('refuses an empty or guessable token before listening, on any address', async () => {
    const { db, file } = openFixtureDb();
    db.close();
    for (const [token, host] of [
      ['', '0.0.0.0'],
      ['tok', '127.0.0.1'],
      ['letmeinletmeinletmein', '0.0.0.0'],
    ] as const) {
      await expect(startServer({ dbFile: file, port: 0, host, token })).rejects.toThrow(WeakTokenError);
    }
  });

  it('prints the real addresses behind 0.0.0.0 and ::, LAN first, never the wildcard', () => {
    const nic = (address: string, family: 'IPv4' | 'IPv6', internal: boolean) => ({
      address,
      family,
      internal,
      netmask: '',
      mac: '',
      cidr: null,
      ...(family === 'IPv6' ? { scopeid: 0 } : {}),
    });
    const interfaces = {
      lo: [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)],
      eth0: [nic('192.168.1.5', 'IPv4', false), nic('fe80::1', 'IPv6', false), nic('2001:db8::5', 'IPv6', false)],
    } as unknown as Parameters<typeof listenUrls>[2];
    expect(listenUrls('0.0.0.0', 8080, interfaces)).toEqual(['http://192.168.1.5:8080/', 'http://127.0.0.1:8080/']);
    expect(listenUrls('::', 8080, interfaces)).toEqual([
      'http://192.168.1.5:8080/',
      'http://[2001:db8::5]:8080/',
      'http://127.0.0.1:8080/',
      'http://[::1]:8080/',
    ]);
    expect(listenUrls('192.168.1.5', 80, interfaces)).toEqual(['http://192.168.1.5:80/']);
    expect(listenUrls('0.0.0.0', 8080, {})).toEqual(['http://127.0.0.1:8080/']);
  });

  it('refuses a database that does not exist rather than creating an empty one', async () => {
    const file = tempDbFile('missing.sqlite');
    await expect(startServer({ dbFile: file, port: 0 })).rejects.toThrow(/no database at/);
    expect(existsSync(file)).toBe(false);
  });
});
