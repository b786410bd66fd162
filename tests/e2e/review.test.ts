// End to end in real Chromium (Debian's package, driven by playwright-core): triage through the
// queue, record reviews with the form and the keyboard, and open a hostile message safely.
//
// Host names under .example (the hostile fixture's trackers) resolve to a trap server, every other
// name to nothing (--host-resolver-rules): the test never touches the network, and a request that
// escaped the page's defences would show up in the trap; none may.
import { existsSync, mkdirSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, Request } from 'playwright-core';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { buildApp } from '../../src/server/app.ts';
import { startServer, type RunningServer } from '../../src/server/start-server.ts';
import type { Db } from '../../src/store/database.ts';
import { seedReviewDb, seedThread, type SeededIds, type ThreadIds } from '../helpers/review-corpus.ts';
import { openFixtureDb } from '../helpers/fixture-db.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);

if (!haveChromium) {
  const why = `${CHROMIUM} is missing: install Debian's package (apt-get install -y chromium) to run the end-to-end tests`;
  if (process.env.CI) {
    it('needs Chromium', () => {
      throw new Error(why);
    });
  } else {
    console.warn(`skipping tests/e2e: ${why}`);
  }
}

describe.skipIf(!haveChromium)('review screens in Chromium', () => {
  let browser: Browser;
  let db: Db;
  let ids: SeededIds;
  let th: ThreadIds;
  let base: string;
  /** The review server on a non-loopback name (review.lan → 127.0.0.2), with a token, as on a LAN. */
  let lan: RunningServer;
  let lanBase: string;
  let lanIds: SeededIds;
  const lanToken = randomBytes(32).toString('base64url');
  /** A page on another origin of the same machine that posts a review on its own. */
  let attacker: http.Server;
  let attackerPort: number;
  let close: () => Promise<void>;
  /** What reached the trap: an HTTP request line, or the host name a TLS handshake asked for. */
  const trapped: string[] = [];
  const trapServer = net.createServer((socket) => {
    trapped.push('connection');
    socket.once('data', (d) => {
      const text = d.toString('latin1');
      trapped[trapped.length - 1] = d[0] === 0x16 ? `TLS ${/[a-z0-9.-]+\.example/.exec(text)?.[0] ?? '?'}` : (text.split('\r\n')[0] ?? '');
      socket.end('HTTP/1.1 204 No Content\r\n\r\n');
    });
    socket.on('error', () => undefined);
  });

  beforeAll(async () => {
    await new Promise<void>((r) => trapServer.listen(0, '127.0.0.1', r));
    const trapPort = (trapServer.address() as AddressInfo).port;
    const opened = openFixtureDb();
    db = opened.db;
    ids = seedReviewDb(db, { beacon: `http://127.0.0.1:${trapPort}/beacon` });
    th = seedThread(db);
    const app = await buildApp({ db, checks: null });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    close = () => app.close();

    // The production start path on an address that is not 127.0.0.1, with a token. Chromium treats
    // any 127.x address as potentially trustworthy (it would send Fetch Metadata), so the page is
    // opened by a host name mapped to 127.0.0.2: a plain-HTTP LAN origin, exactly as a colleague's.
    const lanDb = openFixtureDb();
    lanIds = seedReviewDb(lanDb.db);
    lanDb.db.close();
    lan = await startServer({ dbFile: lanDb.file, host: '127.0.0.2', port: 0, token: lanToken });
    lanBase = `http://review.lan:${new URL(lan.url).port}`;
    attacker = http.createServer((req, res) => {
      const target = `${lanBase}/messages/${lanIds.verified}/reviews`;
      res.setHeader('content-type', 'text/html');
      // Referrer-Policy no-referrer makes this page's post carry Origin: null, as a forger would.
      res.end(`<!doctype html><meta name="referrer" content="no-referrer"><form method="post" action="${target}">
<input name="decision" value="override"><input name="verdict" value="verified"><input name="note" value="forged">
<input name="reviewer" value="attacker"><input name="_csrf" value="guess"></form><script>document.forms[0].submit()</script>`);
    });
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.2', r));
    attackerPort = (attacker.address() as AddressInfo).port;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        `--host-resolver-rules=MAP review.lan 127.0.0.2, MAP evil.lan 127.0.0.2, MAP *.example 127.0.0.1:${trapPort}, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1`,
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await close?.();
    await lan?.close();
    await new Promise((r) => attacker?.close(() => r(undefined)));
    db?.close();
    await new Promise((r) => trapServer.close(() => r(undefined)));
  });

  /** A page that records where it went: requests, failures (with the browser's reason), responses. */
  async function tracedPage(): Promise<{ page: Page; requests: string[]; failed: Map<string, string>; responses: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    const failed = new Map<string, string>();
    const responses: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('requestfailed', (r) => failed.set(r.url(), r.failure()?.errorText ?? ''));
    page.on('response', (r) => responses.push(r.url()));
    return { page, requests, failed, responses };
  }

  const local = (url: string) =>
    url.startsWith(`${base}/`) || url.startsWith(`${lanBase}/`) || url.startsWith('about:') || url.startsWith('data:');

  it('filters the queue, opens a message, records reviews with the form and the keyboard', async () => {
    const { page, requests } = await tracedPage();
    await page.goto(`${base}/messages`);
    expect(await page.locator('table.queue tbody tr').count()).toBe(ids.all.length + 5);

    await page.locator('fieldset:has(legend:text("machine verdict")) input[value="tampered"]').check();
    await page.getByRole('button', { name: 'apply' }).click();
    await page.waitForURL(/verdict=tampered/);
    // The filter form sends only what it filters.
    expect(new URL(page.url()).search).toBe('?verdict=tampered');
    expect(await page.locator('table.queue tbody tr').count()).toBe(3);

    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/messages/${ids.tampered}\\?`));
    expect(await page.locator('h1').textContent()).toBe('Wire the funds today');

    await page.keyboard.press('o');
    expect(await page.locator('#decision-override').isChecked()).toBe(true);
    await page.selectOption('#override-verdict', 'suspicious');
    await page.fill('#note', 'The footer was added by the mailing list.');
    await page.fill('#reviewer', 'E2E Reviewer');
    await page.click('#review-submit');
    // "then open the next message" is on: the next tampered message, same queue, with a confirmation.
    await page.waitForURL(new RegExp(`/messages/${ids.copyB}\\?.*verdict=tampered.*_recorded=\\d+#recorded$`));
    expect(await page.locator('#recorded').textContent()).toMatch(
      /Recorded: E2E Reviewer overrode to suspicious for Wire the funds today\. Below is the next message of the queue\./,
    );
    expect(db.prepare('SELECT decision, verdict, note, reviewer FROM reviews WHERE sha256 = ?').all(ids.tampered)).toEqual([
      { decision: 'override', verdict: 'suspicious', note: 'The footer was added by the mailing list.', reviewer: 'E2E Reviewer' },
    ]);

    // The reviewer's name is remembered; `c` confirms at once and goes on.
    expect(await page.inputValue('#reviewer')).toBe('E2E Reviewer');
    await page.keyboard.press('c');
    await page.waitForURL(new RegExp(`/messages/${th.copy}\\?.*_recorded=\\d+#recorded$`));
    expect(db.prepare('SELECT decision, verdict, reviewer FROM reviews WHERE sha256 = ?').all(ids.copyB)).toEqual([
      { decision: 'confirm', verdict: 'tampered', reviewer: 'E2E Reviewer' },
    ]);

    await page.keyboard.press('k');
    await page.waitForURL(new RegExp(`/messages/${ids.copyB}\\?`));
    expect(await page.locator('.history li').first().textContent()).toContain('E2E Reviewer confirmed');
    await page.keyboard.press('k');
    await page.waitForURL(new RegExp(`/messages/${ids.tampered}\\?`));
    expect(await page.locator('.history').textContent()).toContain('overrode to');
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/message-page.png', fullPage: true });

    expect(requests.filter((u) => !local(u))).toEqual([]);
    expect(trapped).toEqual([]);
    await page.close();
  });

  it('shows a hostile message without running its scripts or letting a request out', async () => {
    const { page, requests, failed, responses } = await tracedPage();
    // A script of the message that ran would post to the top page (the only way out of the sandbox).
    await page.addInitScript(`if (window === window.top) {
      window.seen = [];
      window.addEventListener('message', (e) => window.seen.push(e.data));
    }`);
    await page.goto(`${base}/messages/${ids.hostile}`);
    const frame = page.frameLocator('iframe.html-body');
    await expect.poll(async () => frame.locator('#hostile').textContent()).toBe('Invoice');
    await frame
      .locator('#jslink')
      .click({ timeout: 2000 })
      .catch(() => undefined);
    await frame
      .locator('#send')
      .click({ timeout: 2000 })
      .catch(() => undefined);
    await frame
      .locator('#remote')
      .click({ timeout: 2000 })
      .catch(() => undefined);
    await page.waitForTimeout(1000);

    expect(await page.title()).toBe('<script>alert("subject")</script> invoice · leaktriage');
    expect(await page.evaluate('window.seen')).toEqual([]);
    const body = page.frames().find((f) => f.url().endsWith('/html'));
    expect(body).toBeDefined();
    expect(await body?.evaluate('document.title')).toBe('');
    // Nothing reached the trap: neither the beacon on 127.0.0.1 nor any resolved host name.
    expect(trapped).toEqual([]);
    expect(responses.filter((u) => !local(u))).toEqual([]);
    // Chromium reports a load it refused as a request event; every one of those must have been
    // refused by the page's policy, before any network access.
    const outside = requests.filter((u) => !local(u));
    expect(outside.length).toBeGreaterThan(0);
    for (const u of outside) expect(failed.get(u), u).toMatch(/^(csp|net::ERR_BLOCKED_BY_CSP)$/);
    await page.close();
  });

  it('lists what the hostile HTML refers to, without a single link to it', async () => {
    const { page } = await tracedPage();
    await page.goto(`${base}/messages/${ids.hostile}`);
    const refs = page.locator('table.references');
    await expect.poll(async () => refs.first().textContent()).toContain('https://tracker.example/p.gif');
    const text = (await refs.allTextContents()).join(' ');
    for (const url of [
      'https://tracker.example/style.css',
      'https://tracker.example/import.css',
      'https://tracker.example/frame',
      'https://tracker.example/clicked',
    ]) {
      expect(text).toContain(url);
    }
    expect(await page.locator('table.references tr.flag').first().textContent()).toContain('1×1 pixel');
    expect(await page.locator('a[href*="tracker.example"]').count()).toBe(0);
    expect(trapped).toEqual([]);
    await page.close();
  });

  it('starts the queue with the weightiest evidence, and sorts by a column header', async () => {
    const { page } = await tracedPage();
    await page.goto(`${base}/messages`);
    const verdicts = await page.locator('table.queue tbody td.verdict > .badge').allTextContents();
    const rank = ['tampered', 'suspicious', 'unverifiable', 'verified'];
    expect(verdicts.map((v) => rank.indexOf(v))).toEqual([...verdicts.map((v) => rank.indexOf(v))].sort((a, b) => a - b));
    expect(verdicts[0]).toBe('tampered');
    // Within tampered, the message with a strong finding comes before the one without.
    const first = await page.locator('table.queue tbody tr').first().getAttribute('data-href');
    expect(first).toContain(ids.tampered);
    await page.getByRole('link', { name: 'size', exact: true }).click();
    await page.waitForURL(/_sort=size/);
    const sizes = await page.locator('table.queue tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-href')));
    expect(sizes.length).toBe(ids.all.length + 5);
    expect(await page.locator('th[aria-sort="ascending"]').textContent()).toContain('size');
    await page.close();
  });

  it('pages forward and back with positions and totals', async () => {
    const { page } = await tracedPage();
    await page.goto(`${base}/messages?_size=4`);
    const range = () => page.locator('nav.pager .range').first().textContent();
    const rows = () => page.locator('table.queue tbody tr').evaluateAll((r) => r.map((x) => x.getAttribute('data-href')));
    expect(await range()).toBe('1–4 of 14 matching messages');
    const page1 = await rows();
    await page.locator('a[rel="next"]').first().click();
    await page.waitForURL(/_next=/);
    expect(await range()).toBe('5–8 of 14 matching messages');
    await page.locator('a[rel="next"]').first().click();
    await page.waitForURL(/_pos=9/);
    expect(await range()).toBe('9–12 of 14 matching messages');
    const page3 = await rows();
    await page.locator('a[rel="next"]').first().click();
    await page.waitForURL(/_pos=13/);
    expect(await range()).toBe('13–14 of 14 matching messages');
    expect(await page.locator('nav.pager span.muted', { hasText: 'next' }).count()).toBeGreaterThan(0);
    await page.locator('a[rel="prev"]').first().click();
    await page.waitForURL(/_prev=/);
    expect(await range()).toBe('9–12 of 14 matching messages');
    expect(await rows()).toEqual(page3);
    await page.locator('a[rel="first"]').first().click();
    await page.waitForURL((u) => !u.search.includes('_next') && !u.search.includes('_prev'));
    expect(await range()).toBe('1–4 of 14 matching messages');
    expect(await rows()).toEqual(page1);
    // `k` on the first row of a later page goes back a page.
    await page.locator('a[rel="next"]').first().click();
    await page.waitForURL(/_pos=5/);
    await page.keyboard.press('k');
    await page.waitForURL((u) => u.search.includes('_prev=') || !u.search.includes('_next'));
    expect(await range()).toBe('1–4 of 14 matching messages');
    await page.close();
  });

  it('shows how two copies of a Message-ID differ, line by line', async () => {
    const { page } = await tracedPage();
    await page.goto(`${base}/messages/${ids.copyA}`);
    const copy = page.locator('article.copy');
    expect(await copy.locator('.diff-del .txt').allTextContents()).toEqual(['Subject: Meeting notes', 'We agreed on nothing.']);
    expect(await copy.locator('.diff-add .txt').allTextContents()).toEqual(['Subject: Meeting notes (fwd)', 'We agreed on everything.']);
    await page.close();
  });

  it('shows a thread: who answered whom, with verdicts, linked to the answered message', async () => {
    const { page } = await tracedPage();
    await page.goto(`${base}/messages/${th.forged}`);
    await page.getByRole('link', { name: 'thread', exact: true }).click();
    await page.waitForURL(new RegExp(`/messages/${th.forged}/thread$`));
    const items = page.locator('ol.thread > li');
    expect(await items.count()).toBe(4);
    expect(await items.first().locator('.thread-head').textContent()).toContain('Board meeting moved');
    const forged = page.locator(`#m-${th.forged}`);
    expect(await forged.getAttribute('class')).toContain('focus');
    expect(await forged.getAttribute('class')).toContain('depth-2');
    expect(await forged.textContent()).toContain('dated before the message it answers');
    expect(await forged.locator('.badge').textContent()).toBe('suspicious');
    await forged.getByRole('link', { name: 'Re: Board meeting moved', exact: true }).click();
    await page.waitForURL(/#m-/);
    expect(page.url()).toMatch(new RegExp(`#m-(${th.reply}|${th.copy})$`));
    await page.close();
  });

  it('records a review through the form on a non-loopback address with a token, and refuses a forged one', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    let sent: Request[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') sent.push(r);
    });
    const posts = async () =>
      Promise.all(
        sent.map(async (r) => {
          const h = await r.allHeaders();
          return { origin: h.origin ?? null, site: h['sec-fetch-site'] ?? null, status: (await r.response())?.status() ?? 0 };
        }),
      );
    // The URL the server printed: the token once, traded for a cookie.
    await page.goto(`${lanBase}/messages/${lanIds.unverifiable}?token=${lanToken}`);
    expect(page.url()).toBe(`${lanBase}/messages/${lanIds.unverifiable}`);
    await page.fill('#reviewer', 'Colleague on the LAN');
    await page.fill('#note', 'Checked from another machine.');
    await page.click('#review-submit');
    await page.waitForURL(/_recorded=\d+#recorded$/);
    expect(await page.locator('#recorded').textContent()).toContain('Colleague on the LAN confirmed');
    // What Chromium sent: our real origin (Referrer-Policy same-origin), no Fetch Metadata on plain HTTP.
    expect(await posts()).toEqual([{ origin: lanBase, site: null, status: 303 }]);

    // A page on another origin of the same machine (same site: the cookies go along) posts a review.
    sent = [];
    await page.goto(`http://review.lan:${attackerPort}/`);
    await page.waitForURL(new RegExp(`/messages/${lanIds.verified}/reviews$`));
    expect(await posts()).toEqual([{ origin: 'null', site: null, status: 403 }]);
    expect(await page.locator('h1').textContent()).toBe('Refused');
    // And from another site: the SameSite=Strict cookies stay home, the token is missing.
    sent = [];
    await page.goto(`http://evil.lan:${attackerPort}/`);
    await page.waitForURL(new RegExp(`/messages/${lanIds.verified}/reviews$`));
    expect((await posts()).map((p) => p.status)).toEqual([401]);

    const reviews = async (sha: string) =>
      (
        (await (
          await fetch(`http://127.0.0.2:${new URL(lan.url).port}/messages/${sha}.json`, {
            headers: { authorization: `Bearer ${lanToken}` },
          })
        ).json()) as {
          reviews: { reviewer: string; decision: string }[];
        }
      ).reviews;
    expect(await reviews(lanIds.unverifiable)).toMatchObject([{ reviewer: 'Colleague on the LAN', decision: 'confirm' }]);
    expect(await reviews(lanIds.verified)).toEqual([]);
    await context.close();
  });
});
