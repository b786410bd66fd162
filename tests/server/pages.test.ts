// Every page, its .json twin and its .csv twin, through the exact app (inject).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS } from '../../src/export/verdict-export.ts';
import { PAGE_CSP } from '../../src/server/security.ts';
import { seededApp, type TestApp } from './app-helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await seededApp();
});
afterAll(() => t.app.close());

async function get(url: string) {
  return t.app.inject({ method: 'GET', url });
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('HTML pages and their .json twins', () => {
  const pages = () => [
    ['/', '/.json', 'example-news.org'],
    ['/messages', '/messages.json', 'Quarterly budget'],
    [`/messages/${t.ids.verified}`, `/messages/${t.ids.verified}.json`, 'Quarterly budget'],
    ['/-/keys', '/-/keys.json', 'sel2024._domainkey.example-news.org'],
    ['/-/imports', '/-/imports.json', 'dump/broken.eml'],
    ['/-/checks', '/-/checks.json', 'dkim/body-hash-mismatch'],
  ];
  it('serves each page as HTML with the strict headers, and its twin as JSON', async () => {
    for (const [page, twin, text] of pages()) {
      const res = await get(page as string);
      expect(res.statusCode, page).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-security-policy']).toBe(PAGE_CSP);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('same-origin');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.body).toContain(text);
      expect(res.body).toContain(`href="${twin}`);
      const json = await get(twin as string);
      expect(json.statusCode, twin).toBe(200);
      expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(json.json()).toMatchObject({ ok: true });
      expect(json.body).toContain(text);
    }
  });

  it('overview: counts per verdict, reviewed, domains, mailboxes, weeks, runs with failures and progress', async () => {
    const d = (await get('/.json')).json();
    expect(d.total).toBe(9);
    expect(d.machine).toEqual({ verified: 2, tampered: 2, suspicious: 2, unverifiable: 3 });
    expect(d.final).toEqual(d.machine);
    expect(d.domains.rows[0]).toMatchObject({ key: 'example-news.org', total: 5 });
    expect(d.mailboxes.rows.map((r: { key: string }) => r.key)).toContain('archive.mbox');
    expect(d.weeks.find((w: { key: string }) => w.key === '2023-03-06')).toMatchObject({ total: 5 });
    expect(d.runs[0]).toMatchObject({ status: 'running', bytesTotal: 1_000_000, bytesRead: 250_000 });
    expect(d.runs[1].failureList.map((f: { code: string }) => f.code)).toEqual(['input/empty', 'input/not-mail']);
    expect(d.running).toBe(true);
    // Start here: unreviewed messages in triage order; findings per week by severity.
    expect(d.startHere.map((m: { verdict: string }) => m.verdict).slice(0, 4)).toEqual([
      'tampered',
      'tampered',
      'suspicious',
      'suspicious',
    ]);
    expect(d.startHere[0].sha256).toBe(t.ids.tampered);
    expect(d.unreviewed).toBe(9);
    expect(d.findingWeeks).toEqual([
      { key: '2023-03-06', total: 2, severities: { strong: 1, weak: 1 } },
      { key: '2023-03-13', total: 2, severities: { strong: 1, weak: 1 } },
    ]);
    const html = (await get('/')).body;
    expect(html).toContain('<svg viewBox="0 0 960');
    expect(html).toContain('aria-label="findings per week, strong and weak findings');
    expect(html).toContain(`href="/messages/${t.ids.tampered}?reviewed=no"`);
    expect(html).toContain('href="/messages?domain=campaign.example&amp;verdict=tampered"');
    expect(html).toContain('<progress value="250000" max="1000000">');
    expect(html).toContain('<meta http-equiv="refresh" content="10">');
    expect(html).toContain('no mail headers &lt;b&gt;here&lt;/b&gt;');
  });

  it('queue: rows, filters echoed, next cursor and.nextUrl', async () => {
    const d = (await get('/messages.json?verdict=unverifiable&_size=2')).json();
    expect(d.total).toBe(3);
    expect(d.rows).toHaveLength(2);
    expect(d.filters.verdict).toEqual(['unverifiable']);
    expect(d).toMatchObject({ pos: 1, prevUrl: null, firstUrl: null, sort: 'triage' });
    expect(d.nextUrl).toBe(`/messages.json?verdict=unverifiable&_size=2&_next=${d.rows[1].sha256}&_pos=3`);
    const rest = (await get(d.nextUrl)).json();
    expect(rest.rows).toHaveLength(1);
    expect(rest.next).toBeNull();
    expect(rest).toMatchObject({ pos: 3, total: 3, firstUrl: '/messages.json?verdict=unverifiable&_size=2' });
    expect(rest.prevUrl).toBe(`/messages.json?verdict=unverifiable&_size=2&_prev=${rest.rows[0].sha256}&_pos=1`);
    const back = (await get(rest.prevUrl)).json();
    expect(back.rows.map((r: { sha256: string }) => r.sha256)).toEqual(d.rows.map((r: { sha256: string }) => r.sha256));
    expect(back).toMatchObject({ pos: 1, prevUrl: null });
    const page2 = (await get(rest.nextUrl ?? d.nextUrl.replace('.json', ''))).statusCode;
    expect(page2).toBe(200);
    const htmlPage = (await get(d.nextUrl.replace('.json', ''))).body;
    expect(htmlPage).toContain('<strong>3–3</strong> of <strong>3</strong> matching messages');
    expect(htmlPage).toContain('rel="first" href="/messages?verdict=unverifiable&amp;_size=2"');
    const html = (await get('/messages?q=budget')).body;
    expect(html).toContain('Quarterly budget');
    expect(html).not.toContain('Wire the funds');
    expect(html).toContain(`href="/messages/${t.ids.verified}?q=budget"`);
  });

  it('queue: drops empty parameters from a filter form with one redirect', async () => {
    const res = await get('/messages?q=&verdict=tampered&code=&domain=&_sort=');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/messages?verdict=tampered');
  });

  it('queue: every column header sorts, the active one the other way round', async () => {
    const html = (await get('/messages?verdict=tampered&_sort=subject')).body;
    for (const sort of ['date', 'from', '-subject', 'reasons', 'sigs', 'size']) {
      expect(html).toContain(`href="/messages?verdict=tampered&amp;_sort=${sort}"`);
    }
    expect(html).toContain('href="/messages?verdict=tampered" title="sort by the weight of the evidence');
    expect(html).toContain('aria-sort="ascending"');
    const d = (await get('/messages.json')).json();
    expect(d.rows[0].verdict).toBe('tampered');
    expect(d.rows[0].summary).toMatch(/^The body changed|^A copy differs/);
    expect(d.rows.at(-1).verdict).toBe('verified');
  });

  it('message: verdict, findings, signatures, hops with delays, attachments, copies, sources, headers', async () => {
    const v = (await get(`/messages/${t.ids.verified}.json`)).json();
    expect(v.message).toMatchObject({ verdict: 'verified', summary: 'Signed by example-news.org and unchanged.' });
    expect(v.signatures[0]).toMatchObject({ domain: 'example-news.org', selector: 'sel2024', keyBits: 2048, result: 'pass' });
    expect(v.received.hops.map((h: { delay: number }) => h.delay)).toEqual([5, 145]);
    expect(v.headers.map((h: { name: string }) => h.name)).toContain('Received');
    const s = (await get(`/messages/${t.ids.suspicious}`)).body;
    expect(s).toContain('earlier than the previous step');
    const c = (await get(`/messages/${t.ids.copyA}.json`)).json();
    expect(c.copies).toHaveLength(1);
    expect(c.copies[0]).toMatchObject({ sha256: t.ids.copyB, bodyDiffers: true, headersOnlyHere: ['Subject: Meeting notes'] });
    expect(c.copies[0].headersOnlyThere).toEqual(['Subject: Meeting notes (fwd)']);
    // The copy diff: headers and body line by line, computed on the server.
    expect(c.copies[0].headerDiff).toMatchObject({ kind: 'different', added: 1, removed: 1 });
    expect(c.copies[0].bodyDiff.kind).toBe('different');
    expect(c.copies[0].bodyCompared).toBe('text');
    const copyPage = (await get(`/messages/${t.ids.copyA}`)).body;
    expect(copyPage).toContain(
      '<div class="diff-line diff-del"><span class="ln">1</span><span class="ln"></span><span class="op">-</span><span class="txt">We agreed on nothing.</span></div>',
    );
    expect(copyPage).toContain('<span class="op">+</span><span class="txt">We agreed on everything.</span>');
    expect(copyPage).toContain('<span class="txt">Subject: Meeting notes (fwd)</span>');
    // Verdict, then evidence, then the review form; findings as labelled fields with linked codes.
    const tp = (await get(`/messages/${t.ids.tampered}`)).body;
    const at = (needle: string) => tp.indexOf(needle);
    expect(at('class="verdict v-tampered"')).toBeLessThan(at('<h2>Findings</h2>'));
    expect(at('<h2>Findings</h2>')).toBeLessThan(at('<h2>Received hops</h2>'));
    expect(at('<h2>Received hops</h2>')).toBeLessThan(at('id="review-form"'));
    expect(at('id="review-form"')).toBeLessThan(at('<h2>Text body</h2>'));
    expect(tp).toContain('<dl class="evidence"><dt>code</dt><dd><span class="ev-text">dkim/body-hash-mismatch</span></dd></dl>');
    expect(tp).toContain('<a class="code" href="/-/checks#code-dkim/body-hash-mismatch"');
    expect(tp).toMatch(/<time datetime="2023-03-07T08:00:00Z" title="2023-03-07 08:00:00Z UTC">2023-03-07 08:00 UTC<\/time>/);
    // The HTML body's remote references, listed and never linked.
    const hp = (await get(`/messages/${t.ids.hostile}`)).body;
    expect(hp).toContain('<td class="url">https://tracker.example/p.gif</td>');
    expect(hp).toContain('1×1 pixel');
    expect(hp).not.toContain('href="https://tracker.example');
    const hj = (await get(`/messages/${t.ids.hostile}.json`)).json();
    expect(hj.htmlReferences.references.length).toBeGreaterThan(10);
    const a = (await get(`/messages/${t.ids.attachment}`)).body;
    expect(a).toContain(`/messages/${t.ids.attachment}/attachments/0`);
    expect(a).toContain('application/pdf');
  });

  it('message page in a queue context links to its neighbours and keeps the context', async () => {
    const v = (await get(`/messages/${t.ids.tampered}.json?verdict=tampered`)).json();
    expect(v.queue).toEqual({ prev: null, next: t.ids.copyB });
    const html = (await get(`/messages/${t.ids.tampered}?verdict=tampered`)).body;
    expect(html).toContain(`data-next="/messages/${t.ids.copyB}?verdict=tampered"`);
    expect(html).toContain('name="_queue" value="verdict=tampered"');
  });

  it('escapes every value from a message', async () => {
    const html = (await get(`/messages/${t.ids.hostile}`)).body;
    expect(html).not.toMatch(/<script>alert|<img src=x|<b>remote/);
    expect(html).toContain('&lt;script&gt;alert(&quot;subject&quot;)&lt;/script&gt; invoice');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('<iframe class="html-body" sandbox src=');
    expect(html.match(/<script/g)).toHaveLength(1); // our own review.js only
    const queue = (await get('/messages')).body;
    expect(queue).not.toMatch(/<script>alert|<img src=x/);
  });
});

describe('.csv twins and exports', () => {
  it('/messages.csv streams the filtered list in the export columns', async () => {
    const res = await get('/messages.csv?verdict=tampered');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain('attachment; filename="leaktriage-export.csv"');
    const rows = parseCsv(res.body);
    expect(rows[0]).toEqual([...EXPORT_COLUMNS]);
    expect(
      rows
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual([t.ids.tampered, t.ids.copyB].sort());
  });

  it('/-/export.csv and /-/export.json give the same rows', async () => {
    const csv = parseCsv((await get('/-/export.csv?domain=example-news.org')).body);
    const json = (await get('/-/export.json?domain=example-news.org')).json();
    expect(json).toMatchObject({ ok: true, columns: [...EXPORT_COLUMNS], truncated: false });
    expect(json.rows.map((r: { sha256: string }) => r.sha256)).toEqual(csv.slice(1).map((r) => r[0]));
    expect(json.rows).toHaveLength(5);
  });

  it('/-/keys.csv lists every key record', async () => {
    const rows = parseCsv((await get('/-/keys.csv')).body);
    expect(rows[0]?.slice(0, 3)).toEqual(['id', 'name', 'domain']);
    expect(rows.slice(1).map((r) => r[1])).toEqual(['sel2024._domainkey.example-news.org']);
  });

  it('/-/imports.csv lists every failure', async () => {
    const rows = parseCsv((await get('/-/imports.csv')).body);
    expect(rows[0]).toEqual(['run_id', 'id', 'kind', 'path', 'offset', 'code', 'reason', 'sha256', 'created_at']);
    expect(rows.slice(1).map((r) => r[5])).toEqual(['input/empty', 'input/not-mail']);
  });

  it('serves the static assets from the app', async () => {
    const css = await get('/-/static/style.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const js = await get('/-/static/review.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toContain("case 'j'");
  });
});

describe('keys page', () => {
  it('names type and size with weak keys marked, dates or why there are none, the source once, the full record behind a click', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { insertKeys } = await import('../../src/store/keys-repo.ts');
    const p = (bits: number) =>
      generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const record = (selector: string, value: string, firstSeen: number | null) => ({
      name: `${selector}._domainkey.keys.example`,
      domain: 'keys.example',
      selector,
      value,
      sourceKind: 'archive' as const,
      source: 'archive:keys.json',
      firstSeen,
      lastSeen: null,
      fetchedAt: null,
      dnsError: null,
    });
    insertKeys(t.db, [
      record('weak', `v=DKIM1; k=rsa; p=${p(512)}`, null),
      record('strong', `v=DKIM1; k=rsa; p=${p(2048)}`, 1_672_531_200),
    ]);
    const d = (await get('/-/keys.json?domain=keys.example')).json();
    expect(
      d.keys.map((k: { selector: string; keyType: string; keyBits: number; strength: string }) => [
        k.selector,
        k.keyType,
        k.keyBits,
        k.strength,
      ]),
    ).toEqual([
      ['weak', 'rsa', 512, 'weak'],
      ['strong', 'rsa', 2048, 'ok'],
    ]);
    const html = (await get('/-/keys?domain=keys.example')).body;
    expect(html).toContain('weak: does not count');
    expect(html).toContain('key archive keys.json');
    expect(html).not.toContain('archive: archive:');
    expect(html).toContain('unknown: the archive gave no date');
    expect(html).toMatch(
      /<details><summary><code>v=DKIM1; k=rsa; p=MIIB[A-Za-z0-9+/]{8}…<\/code><\/summary><code class="full">v=DKIM1; k=rsa; p=MIIB/,
    );
    const all = (await get('/-/keys')).body;
    expect(all).toContain('zone file corpus.zone');
    expect(all).toContain('<time datetime="2023-01-01T00:00:00Z"');
  });
});
