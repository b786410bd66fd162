// Takes the README's screenshots (docs/screen-*.png) of the review screens over the test archive, in
// Debian's Chromium, at a desktop width and at 390 px. Not a test: run it after changing a screen.
//   npx node tests/e2e/screenshots.ts
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { buildApp } from '../../src/server/app.ts';
import { insertReview } from '../../src/store/review-repo.ts';
import { seedReviewDb, seedThread } from '../helpers/review-corpus.ts';
import { openFixtureDb } from '../helpers/fixture-db.ts';

const OUT = new URL('../../docs/', import.meta.url).pathname;

const { db } = openFixtureDb();
const ids = seedReviewDb(db);
const th = seedThread(db);
insertReview(db, { sha256: ids.verified, decision: 'confirm', verdict: null, note: 'Key checked against the archive.', reviewer: 'Ana' });
const app = await buildApp({ db, checks: undefined });
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--no-first-run',
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  ],
});
mkdirSync(OUT, { recursive: true });
const shots: [string, string, number, number][] = [
  ['screen-overview.png', '/', 1280, 1000],
  ['screen-queue.png', '/messages', 1280, 800],
  ['screen-message.png', `/messages/${ids.copyA}`, 1280, 1400],
  ['screen-thread.png', `/messages/${th.forged}/thread`, 1280, 640],
  ['screen-queue-390.png', '/messages', 390, 1000],
  ['screen-message-390.png', `/messages/${ids.tampered}`, 390, 1300],
];
for (const [name, path, width, height] of shots) {
  // A fixed time zone: review.js shows times in the reader's zone.
  const context = await browser.newContext({ viewport: { width, height }, timezoneId: 'Europe/Paris', locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(base + path);
  await page.screenshot({ path: `${OUT}${name}` });
  await context.close();
  process.stderr.write(`docs/${name}\n`);
}
await browser.close();
await app.close();
db.close();
