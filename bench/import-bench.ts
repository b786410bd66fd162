// Import benchmark (not a test). Builds synthetic dumps from the generated corpus — every message
// made distinct through its Message-ID, so each one is parsed and verified — plus, one message in
// ten, a large unsigned message with a ~300 KB attachment so that MB/s means something. Each import
// runs in a fresh process (so its peak memory is its own) with several worker counts, and the dump
// size grows fourfold: memory must stay flat while time grows with the dump.
//
//   npx node bench/import-bench.ts [--messages 20000] [--workers 0,1,2]
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench/out');
const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '20000' },
    workers: { type: 'string', default: '0,1,2' },
    child: { type: 'string' },
    db: { type: 'string' },
  },
});

if (values.child) {
  // One import, measured from inside the process that does it.
  const { openDatabase } = await import('../src/store/database.ts');
  const { insertKeys } = await import('../src/store/keys-repo.ts');
  const { readKeyFile } = await import('../src/verify/key-files.ts');
  const { importPaths } = await import('../src/pipeline/run-import.ts');
  const db = openDatabase(values.db!);
  insertKeys(db, readKeyFile(readFileSync(join(ROOT, 'test-corpus/keys/corpus.zone'), 'utf8'), 'corpus.zone').records);
  const t = performance.now();
  const s = await importPaths(db, [values.child], { workers: Number(values.workers) });
  const secs = (performance.now() - t) / 1000;
  db.close();
  process.stdout.write(JSON.stringify({ secs, messages: s.messagesNew, bytes: s.bytesRead, maxRssKb: process.resourceUsage().maxRSS }));
  process.exit(0);
}

const corpusDir = join(ROOT, 'test-corpus/generated');
const bases = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.eml'))
  .map((f) => readFileSync(join(corpusDir, f), 'latin1'));

/** Deterministic filler for attachments (a linear congruential generator: no randomness). */
function filler(seed: number, bytes: number): string {
  const buf = Buffer.alloc(bytes);
  let x = seed >>> 0;
  for (let i = 0; i < bytes; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    buf[i] = x >>> 24;
  }
  return buf.toString('base64').replace(/.{76}/g, '$&\r\n');
}

function variant(i: number): string {
  if (i % 10 === 9) {
    return [
      'Received: from mx.example.net by mail.example.org; Thu, 14 Mar 2024 10:00:05 +0000',
      'From: Pat <pat@freemail.example>',
      'To: alex@campaign.example',
      `Subject: scan ${i}`,
      'Date: Thu, 14 Mar 2024 10:00:00 +0000',
      `Message-ID: <big${i}@freemail.example>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'See the scan.',
      '--b',
      'Content-Type: application/pdf; name="scan.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      filler(i, 300_000),
      '--b--',
      '',
    ].join('\r\n');
  }
  return bases[i % bases.length]!.replace(/^(Message-ID:\s*<)([^>]*)>/im, `$1bench${i}.$2>`);
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

function measure(label: string, input: string, n: number, workers: number): string {
  const db = join(OUT, `bench-${label.replace(/\W/g, '')}-${n}-${workers}.sqlite`);
  const r = spawnSync(process.execPath, [import.meta.filename, '--child', input, '--db', db, '--workers', String(workers)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`import failed: ${r.stderr}`);
  const m = JSON.parse(r.stdout) as { secs: number; messages: number; bytes: number; maxRssKb: number };
  if (m.messages !== n) throw new Error(`expected ${n} new messages, got ${m.messages}`);
  const mb = m.bytes / 1e6;
  return `| ${label} | ${n.toLocaleString('en')} | ${mb.toFixed(0)} MB | ${workers} | ${m.secs.toFixed(1)} s | ${(n / m.secs).toFixed(0)} | ${(mb / m.secs).toFixed(1)} | ${(m.maxRssKb / 1024).toFixed(0)} MB |`;
}

const total = Number(values.messages);
const workerCounts = values.workers!.split(',').map(Number);
rmSync(OUT, { recursive: true, force: true, maxRetries: 5 });
mkdirSync(OUT, { recursive: true });
const rows: string[] = [];
for (const n of [Math.floor(total / 4), total]) {
  const mbox = join(OUT, `dump-${n}.mbox`);
  buildMbox(mbox, n);
  for (const w of workerCounts) rows.push(measure('mbox', mbox, n, w));
  rmSync(mbox);
}
const dir = join(OUT, `dump-${total}`);
buildDir(dir, total);
rows.push(measure('.eml tree', dir, total, workerCounts[workerCounts.length - 1]!));

console.log(
  `\nImport benchmark, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}; one message in ten has a 300 KB attachment\n`,
);
console.log('| input | messages | size | workers | time | msg/s | MB/s | peak RSS |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
rmSync(OUT, { recursive: true, force: true, maxRetries: 5 });
