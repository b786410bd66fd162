// The naive reference of issue 8, kept in the bench so that every run measures it on the same input
// and machine: two worker threads, each reads a file, hashes it, parses it with mailparser's
// simpleParser and verifies it with mailauth's dkimVerify; the main thread writes 1,000-row SQLite
// transactions with better-sqlite3's defaults. No dedup, no checks, no verdicts.
//   node bench/naive-reference.ts <file-list.txt> <db> <zone>
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';

interface Row {
  sha256: string;
  raw: Uint8Array;
  subject: string | null;
  from: string | null;
  text: string | null;
  dkim: string;
}

if (!isMainThread) {
  const { simpleParser } = await import('mailparser');
  const { dkimVerify } = await import('mailauth/lib/dkim/verify.js');
  const keys = new Map<string, string>();
  for (const m of (workerData.zone as string).matchAll(/^(\S+)\._domainkey\.(\S+?)\.?\s+IN\s+TXT\s+((?:"[^"]*"\s*)+)/gm)) {
    keys.set(`${m[1]}._domainkey.${m[2]}`, [...m[3]!.matchAll(/"([^"]*)"/g)].map((x) => x[1]).join(''));
  }
  const resolver = async (name: string) => {
    const v = keys.get(name.toLowerCase());
    if (!v) throw Object.assign(new Error('no key'), { code: 'ENOTFOUND' });
    return [[v]];
  };
  parentPort!.on('message', async (file: string | null) => {
    if (file === null) return;
    const raw = readFileSync(file);
    const sha256 = createHash('sha256').update(raw).digest('hex');
    const mail = await simpleParser(raw);
    const v = await dkimVerify(raw, { resolver } as Parameters<typeof dkimVerify>[1]);
    const row: Row = {
      sha256,
      raw,
      subject: mail.subject ?? null,
      from: mail.from?.text ?? null,
      text: mail.text ?? null,
      dkim: (v.results as { status?: { result?: string } }[]).map((r) => r.status?.result).join(';'),
    };
    parentPort!.postMessage(row);
  });
} else {
  const [listFile, dbFile, zoneFile] = process.argv.slice(2) as [string, string, string];
  const files = readFileSync(listFile, 'utf8').split('\n').filter(Boolean);
  const { default: Database } = await import('better-sqlite3');
  for (const s of ['', '-wal', '-shm']) rmSync(dbFile + s, { force: true });
  const db = new Database(dbFile);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE messages (sha256 TEXT PRIMARY KEY, raw BLOB, subject TEXT, from_text TEXT, body TEXT, dkim TEXT)');
  const insert = db.prepare('INSERT OR IGNORE INTO messages VALUES (?, ?, ?, ?, ?, ?)');
  const t0 = performance.now();
  let bytes = 0;
  let rows: Row[] = [];
  const write = db.transaction((batch: Row[]) => {
    for (const r of batch) insert.run(r.sha256, r.raw, r.subject, r.from, r.text, r.dkim);
  });
  let next = 0;
  let done = 0;
  const workers: Worker[] = [];
  await new Promise<void>((resolve) => {
    const zone = readFileSync(zoneFile, 'utf8');
    for (let w = 0; w < 2; w++) {
      const worker = new Worker(new URL(import.meta.url), { workerData: { zone } });
      workers.push(worker);
      worker.on('error', (err) => {
        throw err;
      });
      // Up to four files per worker in flight, so it never waits for the main thread.
      const feed = () => worker.postMessage(next < files.length ? files[next++] : null);
      worker.on('message', (r: Row) => {
        bytes += r.raw.length;
        rows.push(r);
        if (rows.length >= 1000) {
          write(rows);
          rows = [];
        }
        if (++done === files.length) resolve();
        feed();
      });
      for (let i = 0; i < 4; i++) feed();
    }
  });
  await Promise.all(workers.map((w) => w.terminate()));
  write(rows);
  db.close();
  const secs = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ secs, messages: files.length, bytes, maxRssKb: process.resourceUsage().maxRSS }));
  process.exit(0);
}
