// Import benchmark (not a test): builds a synthetic dump from the generated corpus — every message
// made distinct through its Message-ID, so each is parsed and verified — as one mbox and as a
// directory of .eml files, then imports it with several worker counts and prints messages/s, MB/s
// and peak memory. Memory must stay flat as the dump grows: the second size shows it.
//
//   npx node bench/import-bench.ts [--messages 20000] [--workers 0,1,2]
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/store/database.ts';
import { insertKeys } from '../src/store/keys-repo.ts';
import { readKeyFile } from '../src/verify/key-files.ts';
import { importPaths } from '../src/pipeline/run-import.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench/out');
const { values } = parseArgs({ options: { messages: { type: 'string', default: '20000' }, workers: { type: 'string', default: '0,1,2' } } });
const total = Number(values.messages);
const workerCounts = values.workers!.split(',').map(Number);

const corpusDir = join(ROOT, 'test-corpus/generated');
const bases = readdirSync(corpusDir).filter((f) => f.endsWith('.eml')).map((f) => readFileSync(join(corpusDir, f), 'latin1'));

function variant(i: number): string {
  const base = bases[i % bases.length]!;
  return base.replace(/^(Message-ID:\s*<)([^>]*)>/im, `$1bench${i}.$2>`);
}

function buildMbox(file: string, n: number): number {
  const fd = openSync(file, 'w');
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const chunk = Buffer.from(`From bench@example.org Thu Mar 14 09:26:53 2024\r\n${variant(i)}\r\n`, 'latin1');
    writeSync(fd, chunk);
    bytes += chunk.length;
  }
  closeSync(fd);
  return bytes;
}

function buildDir(dir: string, n: number): number {
  mkdirSync(dir, { recursive: true });
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const sub = join(dir, String(Math.floor(i / 1000)));
    if (i % 1000 === 0) mkdirSync(sub, { recursive: true });
    const b = Buffer.from(variant(i), 'latin1');
    writeFileSync(join(sub, `${i}.eml`), b);
    bytes += b.length;
  }
  return bytes;
}

async function measure(label: string, input: string, bytes: number, n: number, workers: number): Promise<string> {
  const dbFile = join(OUT, `bench-${label}-${workers}.sqlite`);
  rmSync(dbFile, { force: true });
  rmSync(`${dbFile}-wal`, { force: true });
  rmSync(`${dbFile}-shm`, { force: true });
  const db = openDatabase(dbFile);
  insertKeys(db, readKeyFile(readFileSync(join(ROOT, 'test-corpus/keys/corpus.zone'), 'utf8'), 'corpus.zone').records);
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t = performance.now();
  const s = await importPaths(db, [input], { workers });
  const secs = (performance.now() - t) / 1000;
  clearInterval(timer);
  db.close();
  if (s.messagesNew !== n) throw new Error(`expected ${n} new messages, got ${s.messagesNew}`);
  const mb = bytes / 1e6;
  return `| ${label} | ${n.toLocaleString('en')} | ${mb.toFixed(0)} MB | ${workers} | ${secs.toFixed(1)} s | ${(n / secs).toFixed(0)} | ${(mb / secs).toFixed(1)} | ${((peak - base) / 1e6).toFixed(0)} MB | ${(peak / 1e6).toFixed(0)} MB |`;
}

rmSync(OUT, { recursive: true, force: true, maxRetries: 5 });
mkdirSync(OUT, { recursive: true });
const rows: string[] = [];
for (const n of [Math.floor(total / 4), total]) {
  const mbox = join(OUT, `dump-${n}.mbox`);
  const mboxBytes = buildMbox(mbox, n);
  for (const w of workerCounts) rows.push(await measure('mbox', mbox, mboxBytes, n, w));
}
const dir = join(OUT, `dump-${total}`);
const dirBytes = buildDir(dir, total);
rows.push(await measure('eml dir', dir, dirBytes, total, workerCounts[workerCounts.length - 1]!));

console.log(`\nImport benchmark, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${bases.length} corpus messages as templates\n`);
console.log('| input | messages | size | workers | time | msg/s | MB/s | RSS growth (peak) | RSS peak |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
rmSync(OUT, { recursive: true, force: true, maxRetries: 5 });
