// Review server benchmark (not a test): builds a synthetic database of N messages (default 1,000,000)
// and prints p50/p95 per page, through app.inject and through real HTTP.
//   npx node bench/server-bench.ts [--messages 1000000] [--runs 40] [--db FILE] [--reuse]
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildApp } from '../src/server/app.ts';
import { loadMigrations, openDatabase, type Db } from '../src/store/database.ts';
import { finishRun, startRun } from '../src/store/runs-repo.ts';
import { insertKeys } from '../src/store/keys-repo.ts';
import { sha256Hex } from '../src/common/sha256.ts';
import { formatDuration } from '../src/common/time.ts';
import { createIndexes, dropSecondaryIndexes, insertSyntheticBatch, tuneForBulkLoad, type SyntheticRow } from './synthetic-seed.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}
const N = Number(arg('messages', '1000000'));
const RUNS = Number(arg('runs', '40'));
// Not bench/out: the import benchmark empties that folder when it starts.
const FILE = arg('db', join(tmpdir(), 'leaktriage-server-bench', `${N}.sqlite`));
const REUSE = process.argv.includes('--reuse');

// Deterministic pseudo-random numbers (mulberry32), so every build is the same database.
let seed = 20240601;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
/** Zipf-like pick: index 0 is the most frequent. */
function zipf(n: number): number {
  return Math.min(n - 1, Math.floor(Math.pow(rand(), 2.2) * n));
}

const WORDS = Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}${'aeiou'[i % 5]}`);
WORDS.splice(3, 0, 'meeting', 'budget', 'contract', 'invoice', 'press', 'statement');
const DOMAINS = Array.from({ length: 3000 }, (_, i) => (i === 0 ? 'example-news.org' : i === 1 ? 'campaign.example' : `d${i}.example`));
const MAILBOXES = Array.from({ length: 60 }, (_, i) => `mbox/user-${String(i).padStart(2, '0')}.mbox`);
const START = Date.UTC(2022, 0, 1) / 1000;
const SPAN = 2 * 365 * 86400;

function verdictOf(): string {
  const r = rand();
  return r < 0.25 ? 'verified' : r < 0.27 ? 'tampered' : r < 0.35 ? 'suspicious' : 'unverifiable';
}

function syntheticRow(i: number, runId: number): SyntheticRow {
  const verdict = verdictOf();
  const domain = DOMAINS[zipf(DOMAINS.length)] as string;
  const user = `user${zipf(500)}`;
  const epoch = rand() < 0.005 ? null : START + Math.floor(rand() * SPAN);
  const subject = Array.from({ length: 3 + Math.floor(rand() * 5) }, () => WORDS[zipf(WORDS.length)]).join(' ');
  const rare = i % 2000 === 7 ? ' zanzibar' : '';
  const text = Array.from({ length: 30 }, () => WORDS[zipf(WORDS.length)]).join(' ') + rare;
  const date = epoch === null ? null : new Date(epoch * 1000).toUTCString().replace('GMT', '+0000');
  const mid = `<${i}.${Math.floor(rand() * 1e9)}@${domain}>`;
  const raw = Buffer.from(
    `From: ${user} <${user}@${domain}>\r\nTo: someone@example.org\r\nSubject: ${subject}\r\n` +
      `${date ? `Date: ${date}\r\n` : ''}Message-ID: ${mid}\r\nMIME-Version: 1.0\r\n\r\n${text}\r\n`,
  );
  const signed = verdict === 'verified' || verdict === 'tampered' || rand() < 0.3;
  const sigResult = verdict === 'verified' ? 'pass' : verdict === 'tampered' ? 'fail' : 'neutral';
  const sel = `s${zipf(4)}`;
  const keyName = `${sel}._domainkey.${domain}`;
  const keySource = sigResult === 'neutral' ? null : 'archive.json';
  const signatures = signed
    ? [{ domain, selector: sel, result: sigResult, keyName, keySource, bodyHash: sigResult === 'fail' ? 'fail' : 'pass' }]
    : [];
  const findings: SyntheticRow['findings'] = [];
  if (!signed) findings.push({ check: 'dkim', code: 'dkim/unsigned', severity: 'info', detail: 'The message carries no DKIM signature.' });
  if (verdict === 'tampered')
    findings.push({ check: 'dkim', code: 'dkim/body-hash-mismatch', severity: 'strong', detail: 'Body changed.' });
  if (signed && !keySource) findings.push({ check: 'dkim', code: 'dkim/key-unknown', severity: 'info', detail: 'Key not in the store.' });
  if (verdict === 'suspicious' && rand() < 0.3)
    findings.push({ check: 'received-order', code: 'received-order/out-of-order', severity: 'weak', detail: 'Hops out of order.' });
  if (verdict === 'suspicious' && rand() < 0.04)
    findings.push({ check: 'lookalike-domain', code: 'lookalike-domain/signer', severity: 'weak', detail: 'Look-alike domain.' });
  const mailbox = MAILBOXES[zipf(MAILBOXES.length)] as string;
  const headers = ['From', 'To', 'Subject', 'Date', 'Message-ID'].map((name, index) => ({
    index,
    name,
    key: name.toLowerCase(),
    raw: `${name}: …`,
    value: '…',
  }));
  return {
    sha256: sha256Hex(raw),
    raw,
    runId,
    messageId: mid,
    fromAddress: `${user}@${domain}`,
    fromName: user,
    fromDomain: domain,
    to: 'someone@example.org',
    subject,
    dateHeader: date,
    dateEpoch: epoch,
    verdict,
    summary: `Synthetic ${verdict} message.`,
    reasons: findings.map((f) => f.code).join(';'),
    dkim: signatures.map((s) => `${s.domain}/${s.selector}/${s.result}`).join(';'),
    keySource,
    text,
    asOf: epoch ?? START,
    parsed: JSON.stringify({
      headers,
      from: [{ name: user, address: `${user}@${domain}`, domain }],
      to: [],
      cc: [],
      received: [],
      attachments: [],
      problems: [],
    }),
    source: { path: `${mailbox}#${i * 512}`, mailbox, folder: null, offset: i * 512 },
    signatures,
    findings,
  };
}

/**
 * Loads the rows under migration 001 only, without secondary indexes, then recreates the indexes and
 * lets openDatabase apply the later migrations: their backfills (summary counts, full-text index) run
 * as they would on an archive imported before the review server existed.
 */
function build(): Db {
  if (existsSync(FILE) && REUSE) return openDatabase(FILE);
  mkdirSync(dirname(FILE), { recursive: true });
  for (const ext of ['', '-wal', '-shm']) rmSync(FILE + ext, { force: true });
  const first = openDatabase(FILE, { migrations: loadMigrations().slice(0, 1) });
  tuneForBulkLoad(first);
  const indexes = dropSecondaryIndexes(first);
  const run = startRun(first, ['synthetic'], {}, 'server-bench');
  const t0 = performance.now();
  const now = new Date().toISOString();
  for (let i = 0; i < N; i += 5000) {
    const rows: SyntheticRow[] = [];
    for (let j = i; j < Math.min(N, i + 5000); j++) rows.push(syntheticRow(j, run));
    insertSyntheticBatch(first, rows, now);
    if (i % 200000 === 0) process.stderr.write(`  ${i} rows, ${formatDuration((performance.now() - t0) / 1000, 'seconds')}\n`);
  }
  finishRun(first, run, 'completed');
  // The key store: the archive's keys for the 500 busiest domains (the rest are "missing").
  insertKeys(
    first,
    DOMAINS.slice(0, 500).flatMap((domain) =>
      ['s0', 's1', 's2', 's3'].map((selector) => ({
        name: `${selector}._domainkey.${domain}`,
        domain,
        selector,
        value: 'v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA',
        sourceKind: 'archive' as const,
        source: 'archive.json',
        firstSeen: START - 86400 * 30,
        lastSeen: START + SPAN,
        fetchedAt: null,
        dnsError: null,
      })),
    ),
  );
  const t1 = performance.now();
  createIndexes(first, indexes);
  const t2 = performance.now();
  first.close();
  const migrated = openDatabase(FILE);
  migrated.pragma('wal_checkpoint(TRUNCATE)');
  migrated.close();
  const t3 = performance.now();
  const s = (a: number, b: number) => formatDuration((b - a) / 1000, 'seconds');
  process.stderr.write(`built ${N} messages: rows ${s(t0, t1)}, indexes ${s(t1, t2)}, migration 002 backfill ${s(t2, t3)}\n`);
  // Measured as `leaktriage serve` opens it: a fresh connection with the default settings.
  return openDatabase(FILE);
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const db = build();
const count = (db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
const sample = (sql: string) => (db.prepare(sql).get() as { v: string }).v;
const mid = db
  .prepare('SELECT date_epoch, sha256 FROM messages WHERE date_epoch IS NOT NULL ORDER BY date_epoch LIMIT 1 OFFSET ?')
  .get(Math.floor(count / 2)) as { date_epoch: number; sha256: string };
const deep = mid.sha256;
const ids = (db.prepare('SELECT sha256 FROM messages WHERE rowid % 997 = 1 LIMIT 200').all() as { sha256: string }[]).map((r) => r.sha256);
const midDomain = sample(
  "SELECT key AS v FROM overview_counts WHERE dimension = 'domain' AND verdict = '' ORDER BY n DESC LIMIT 1 OFFSET 40",
);
const mailbox = sample(
  "SELECT key AS v FROM overview_counts WHERE dimension = 'mailbox' AND verdict = '' ORDER BY n DESC LIMIT 1 OFFSET 5",
);

let k = 0;
const cases: [string, () => string][] = [
  ['overview /', () => '/'],
  ['queue unfiltered (triage order)', () => '/messages'],
  ['queue unfiltered, date order', () => '/messages?_sort=date'],
  ['queue sorted by subject', () => '/messages?_sort=subject'],
  ['queue sorted by size, largest first', () => '/messages?_sort=-size'],
  ['queue sorted by From, deep page', () => `/messages?_sort=from&_next=${deep}`],
  ['queue triage, deep page', () => `/messages?_next=${deep}&_pos=500001`],
  ['queue triage, previous page', () => `/messages?_prev=${deep}&_pos=499951`],
  ['queue triage verdict=unverifiable', () => '/messages?verdict=unverifiable'],
  ['queue triage domain', () => `/messages?domain=${midDomain}`],
  ['queue signed=no (counted)', () => '/messages?signed=no&_sort=date'],
  ['queue signed=yes, 1 month (counted)', () => '/messages?signed=yes&from=2023-03-01&to=2023-03-31&_sort=date'],
  ['queue verdict=tampered', () => '/messages?verdict=tampered'],
  ['queue verdict=tampered+suspicious', () => '/messages?verdict=tampered&verdict=suspicious'],
  [`queue domain (${midDomain})`, () => `/messages?domain=${midDomain}&_sort=date`],
  ['queue code (rare) lookalike-domain/signer', () => '/messages?code=lookalike-domain/signer'],
  ['queue code (common) dkim/unsigned', () => '/messages?code=dkim/unsigned'],
  ['queue code (common) dkim/unsigned, date order', () => '/messages?code=dkim/unsigned&_sort=date'],
  ['queue code (rare), date order', () => '/messages?code=lookalike-domain/signer&_sort=date'],
  ['queue mailbox', () => `/messages?mailbox=${encodeURIComponent(mailbox)}`],
  ['queue signed=no&reviewed=no', () => '/messages?signed=no&reviewed=no'],
  ['queue date range (1 month)', () => '/messages?from=2023-03-01&to=2023-03-31'],
  ['queue FTS rare (zanzibar)', () => '/messages?q=zanzibar'],
  ['queue FTS common (meeting)', () => '/messages?q=meeting'],
  ['queue deep keyset page (middle)', () => `/messages?_sort=date&_next=${deep}`],
  ['queue deep page, newest first', () => `/messages?_sort=-date&_next=${deep}`],
  ['queue.json verdict=suspicious', () => '/messages.json?verdict=suspicious'],
  ['message page', () => `/messages/${ids[k++ % ids.length]}`],
  ['thread page', () => `/messages/${ids[k++ % ids.length]}/thread`],
  ['message page in queue context', () => `/messages/${ids[k++ % ids.length]}?verdict=verified`],
  ['keys page', () => '/-/keys'],
];

const app = await buildApp({ db, checks: null });
console.log(`\n${count.toLocaleString('en-US')} messages · ${FILE} · ${RUNS} requests per row (after 3 warm-ups)\n`);
console.log('| page | via | p50 ms | p95 ms | max ms | status |');
console.log('|---|---|---:|---:|---:|---|');
async function measure(label: string, via: string, url: () => string, send: (u: string) => Promise<number>, runs: number): Promise<void> {
  for (let i = 0; i < 3; i++) await send(url());
  const times: number[] = [];
  const statuses = new Set<number>();
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    statuses.add(await send(url()));
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const f = (x: number) => x.toFixed(1);
  console.log(
    `| ${label} | ${via} | ${f(pct(times, 50))} | ${f(pct(times, 95))} | ${f(times.at(-1) ?? NaN)} | ${[...statuses].join(',')} |`,
  );
}
for (const [label, url] of cases) await measure(label, 'inject', url, async (u) => (await app.inject(u)).statusCode, RUNS);
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
const http = async (u: string) => {
  const r = await fetch(base + u);
  await r.arrayBuffer();
  return r.status;
};
for (const [label, url] of cases.filter(([l]) => /overview|unfiltered \(|FTS rare|deep keyset page \(|^message page$/.test(l))) {
  await measure(label, 'HTTP', url, http, Math.max(10, Math.floor(RUNS / 2)));
}
await app.close();
db.close();
