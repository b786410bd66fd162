// End to end in real Chromium (Debian's package, driven by playwright-core): triage through the
// queue, record reviews with the form and the keyboard, and open a hostile message safely.
//
// Host names under .example (the hostile fixture's trackers) resolve to a trap server, every other
// name to nothing (--host-resolver-rules): the test never touches the network, and a request that
// escaped the page's defences would show up in the trap; none may.
import { existsSync, mkdirSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildApp } from '../../src/server/app.ts';
import type { Db } from '../../src/store/database.ts';
import { seedReviewDb, type SeededIds } from '../helpers/review-corpus.ts';
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
  let base: string;
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
    const app = await buildApp({ db, checks: null });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    close = () => app.close();
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
        `--host-resolver-rules=MAP *.example 127.0.0.1:${trapPort}, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1`,
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await close?.();
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

  const local = (url: string) => url.startsWith(`${base}/`) || url.startsWith('about:') || url.startsWith('data:');

  it('filters the queue, opens a message, records reviews with the form and the keyboard', async () => {
    const { page, requests } = await tracedPage();
    await page.goto(`${base}/messages`);
    expect(await page.locator('table.queue tbody tr').count()).toBe(ids.all.length);

    await page.locator('fieldset:has(legend:text("machine verdict")) input[value="tampered"]').check();
    await page.getByRole('button', { name: 'apply' }).click();
    await page.waitForURL(/verdict=tampered/);
    expect(await page.locator('table.queue tbody tr').count()).toBe(2);

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
    // "then open the next message" is on: the next tampered message, same queue.
    await page.waitForURL(new RegExp(`/messages/${ids.copyB}\\?.*verdict=tampered`));
    expect(db.prepare('SELECT decision, verdict, note, reviewer FROM reviews WHERE sha256 = ?').all(ids.tampered)).toEqual([
      { decision: 'override', verdict: 'suspicious', note: 'The footer was added by the mailing list.', reviewer: 'E2E Reviewer' },
    ]);

    // The reviewer's name is remembered; `c` confirms at once.
    expect(await page.inputValue('#reviewer')).toBe('E2E Reviewer');
    await page.keyboard.press('c');
    await page.waitForURL(/_recorded=\d+#recorded$/);
    expect(db.prepare('SELECT decision, verdict, reviewer FROM reviews WHERE sha256 = ?').all(ids.copyB)).toEqual([
      { decision: 'confirm', verdict: 'tampered', reviewer: 'E2E Reviewer' },
    ]);
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
});
