import { afterAll, describe, expect, it, vi } from 'vitest';
import fs, { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { openDatabase } from '../../src/store/database.ts';
import type { Db } from '../../src/store/database.ts';
import { insertKeys } from '../../src/store/keys-repo.ts';
import { readKeyFile } from '../../src/verify/key-files.ts';
import { importPaths, WRITE_BATCH } from '../../src/pipeline/run-import.ts';
import { WorkerPool, AnalyseTimeoutError, toSharedBytes } from '../../src/pipeline/worker-pool.ts';
import { analyseMessage } from '../../src/pipeline/analyse-message.ts';
import { encodeMessageRows } from '../../src/store/messages-repo.ts';
import { KeyIndex } from '../../src/verify/key-index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CORPUS = join(ROOT, 'test-corpus/generated');
const dir = mkdtempSync(join(tmpdir(), 'lt-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function freshDb(name: string, keys = 'test-corpus/keys/corpus.zone'): Db {
  const db = openDatabase(join(dir, `${name}.sqlite`));
  insertKeys(db, readKeyFile(readFileSync(join(ROOT, keys), 'utf8'), keys).records);
  return db;
}

interface Expected {
  file: string;
  verdict: string;
  codes: string[];
}

describe('import of the generated corpus', () => {
  it('gives every forgery and every authentic message its expected verdict and codes', async () => {
    const db = freshDb('corpus');
    const summary = await importPaths(db, [CORPUS], { workers: 2 });
    const expected = JSON.parse(readFileSync(join(CORPUS, 'expected.json'), 'utf8')) as Expected[];
    expect(summary.messagesNew).toBe(expected.length);
    const q = db.prepare('SELECT m.verdict, m.reasons FROM messages m JOIN sources s ON s.sha256 = m.sha256 WHERE s.path = ?');
    for (const e of expected) {
      const row = q.get(join(CORPUS, e.file)) as { verdict: string; reasons: string } | undefined;
      expect(row, e.file).toBeDefined();
      expect(`${e.file}: ${row!.verdict}`).toBe(`${e.file}: ${e.verdict}`);
      for (const code of e.codes) expect(row!.reasons.split(';'), `${e.file} lacks ${code}`).toContain(code);
    }
    // expected.json itself is not mail: recorded, not dropped.
    expect(db.prepare("SELECT code FROM failures WHERE path LIKE '%expected.json'").pluck().get()).toBe('input/not-mail');
    db.close();
  });

  it('adds nothing when the same input is imported again, but records the run', async () => {
    const db = freshDb('twice');
    // Into the empty database the batches go through a rollback journal; into one that holds
    // messages, through the WAL (database.ts, leaveWal). Either way the database is WAL after.
    const journals = (): { seen: Set<string>; onProgress: () => void } => {
      const seen = new Set<string>();
      return { seen, onProgress: () => void seen.add(String(db.pragma('journal_mode', { simple: true }))) };
    };
    const during = [journals(), journals()];
    const first = await importPaths(db, [CORPUS], { workers: 0, onProgress: during[0]!.onProgress });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const second = await importPaths(db, [CORPUS], { workers: 0, onProgress: during[1]!.onProgress });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(during[0]!.seen.has('delete')).toBe(true);
    expect([...during[1]!.seen]).toEqual(['wal']);
    expect(second.messagesNew).toBe(0);
    expect(second.sourcesNew).toBe(0);
    expect(second.messagesSeen).toBe(first.messagesSeen);
    expect(db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(first.messagesNew);
    const runs = db.prepare('SELECT status, messages_seen, finished_at FROM import_runs ORDER BY id').all() as {
      status: string;
      finished_at: string | null;
    }[];
    expect(runs.map((r) => r.status)).toEqual(['completed', 'completed']);
    expect(runs.every((r) => r.finished_at)).toBe(true);
    db.close();
  });

  it('keeps one message with several sources when the same bytes are found in several places', async () => {
    const d = join(dir, 'same');
    mkdirSync(join(d, 'a'), { recursive: true });
    mkdirSync(join(d, 'b'));
    copyFileSync(join(CORPUS, 'authentic-news-rsa.eml'), join(d, 'a/one.eml'));
    copyFileSync(join(CORPUS, 'authentic-news-rsa.eml'), join(d, 'b/two.eml'));
    const db = freshDb('same');
    const s = await importPaths(db, [d], { workers: 1 });
    expect([s.messagesSeen, s.messagesNew, s.sourcesNew]).toEqual([2, 1, 2]);
    expect(db.prepare('SELECT count(*) FROM sources').pluck().get()).toBe(2);
    expect(db.prepare('SELECT verdict FROM messages').pluck().all()).toEqual(['verified']);
    db.close();
  });

  it('stops between messages when asked, and records the run as interrupted', async () => {
    const db = freshDb('abort');
    const controller = new AbortController();
    controller.abort();
    const s = await importPaths(db, [CORPUS], { workers: 0, signal: controller.signal });
    expect(s.status).toBe('interrupted');
    expect(db.prepare('SELECT status FROM import_runs').pluck().get()).toBe('interrupted');
    // A stopped run still ends its stages, and says how long each took.
    expect(Object.keys(s.phaseMs).sort()).toEqual(['archive', 'indexes', 'messages']);
    for (const ms of Object.values(s.phaseMs)) expect(ms).toBeGreaterThanOrEqual(0);
    db.close();
  });

  it('times its stages on the monotonic clock, not on a wall clock set forward meanwhile', async () => {
    const db = freshDb('clock');
    // The wall clock jumps an hour ahead at each reading, as it did after a virtual machine's pause.
    const now = Date.now.bind(Date);
    let jumps = 0;
    const spy = vi.spyOn(Date, 'now').mockImplementation(() => now() + 3_600_000 * ++jumps);
    try {
      const s = await importPaths(db, [CORPUS], { workers: 0 });
      expect(s.status).toBe('completed');
      expect(Object.keys(s.phaseMs).sort()).toEqual(['archive', 'indexes', 'messages']);
      for (const ms of [...Object.values(s.phaseMs), s.elapsedMs]) expect(ms).toBeLessThan(600_000);
    } finally {
      spy.mockRestore();
      db.close();
    }
  });

  it('through a rollback journal, has the database file synced while it writes, and closes that file after', async () => {
    // Three messages of 7 MB: SQLite is handed more than WRITEBACK_BYTES (16 MB) before the last commit.
    const d = join(dir, 'large');
    mkdirSync(d);
    const base = readFileSync(join(CORPUS, 'authentic-news-rsa.eml'), 'latin1');
    const filler = `${'x'.repeat(76)}\r\n`.repeat(92_000);
    for (let i = 0; i < 3; i++)
      writeFileSync(join(d, `${i}.eml`), base.replace(/^Message-ID: <([^>]*)>/im, `Message-ID: <$1.${i}>`) + filler, 'latin1');
    const db = freshDb('large');
    const file = join(dir, 'large.sqlite');
    const synced: { fd: number; ino: number }[] = [];
    const real = fs.fdatasync;
    const sync = vi.spyOn(fs, 'fdatasync').mockImplementation(((fd: number, done: (error: NodeJS.ErrnoException | null) => void) => {
      synced.push({ fd, ino: fs.fstatSync(fd).ino });
      real(fd, done);
    }) as typeof fs.fdatasync);
    const close = vi.spyOn(fs, 'closeSync');
    const journal = new Set<string>();
    try {
      const s = await importPaths(db, [d], {
        workers: 0,
        onProgress: () => void journal.add(String(db.pragma('journal_mode', { simple: true }))),
      });
      expect(s.messagesNew).toBe(3);
      expect(journal.has('delete')).toBe(true);
      expect(synced.length).toBeGreaterThan(0);
      expect(synced.every((c) => c.ino === fs.statSync(file).ino)).toBe(true);
      // Closed after its last sync: not some earlier descriptor that had the same number.
      const lastSync = sync.mock.invocationCallOrder.at(-1)!;
      const closedAfter = close.mock.calls.filter(([fd], i) => fd === synced[0]!.fd && close.mock.invocationCallOrder[i]! > lastSync);
      expect(closedAfter).toHaveLength(1);
      // The stored bytes are the files' bytes.
      const stored = db.prepare('SELECT raw FROM message_content').pluck().all() as Buffer[];
      const files = [0, 1, 2].map((i) => readFileSync(join(d, `${i}.eml`)));
      const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
      expect(stored.map(sha).sort()).toEqual(files.map(sha).sort());
    } finally {
      sync.mockRestore();
      close.mockRestore();
      db.close();
    }
  });
});

/** An mbox of n distinct signed-looking messages (distinct bytes through the Message-ID). */
function writeBigMbox(file: string, n: number): void {
  const base = readFileSync(join(CORPUS, 'authentic-news-rsa.eml'), 'latin1');
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    parts.push(
      `From sender@example.org Thu Mar 14 09:26:53 2024\r\n${base.replace(/^Message-ID: <([^>]*)>/im, `Message-ID: <$1.${i}>`)}\r\n`,
    );
  }
  writeFileSync(file, parts.join(''), 'latin1');
}

describe('an import killed half-way', () => {
  it('completes on the next run without duplicates or losses', async () => {
    const mbox = join(dir, 'big.mbox');
    // More than one transaction's worth (WRITE_BATCH, or WRITE_BATCH_MS of work), so the kill lands mid-way.
    const total = WRITE_BATCH + 2000;
    writeBigMbox(mbox, total);
    const dbFile = join(dir, 'killed.sqlite');
    const cli = join(ROOT, 'bin/leaktriage.js');
    const child = spawn(process.execPath, [cli, 'import', mbox, '--db', dbFile, '--workers', '1'], { stdio: 'ignore' });
    // Wait until a transaction is committed, then kill without warning.
    const probe = () => {
      try {
        const db = openDatabase(dbFile, { readonly: true });
        const n = db.prepare('SELECT count(*) FROM messages').pluck().get() as number;
        db.close();
        return n;
      } catch {
        return 0;
      }
    };
    const started = Date.now();
    while (probe() < 400 && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const partial = probe();
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(total);

    const db = openDatabase(dbFile);
    const s = await importPaths(db, [mbox], { workers: 2 });
    expect(s.status).toBe('completed');
    expect(db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(total);
    expect(db.prepare('SELECT count(*) FROM sources').pluck().get()).toBe(total);
    expect(db.prepare('SELECT count(DISTINCT offset) FROM sources').pluck().get()).toBe(total);
    const runs = db.prepare('SELECT status FROM import_runs ORDER BY id').pluck().all();
    expect(runs).toEqual(['interrupted', 'completed']);
    db.close();
  }, 120_000);
});

describe('analysis time limit', () => {
  it('stops a worker that takes too long, replaces it, and reports a timeout', async () => {
    const pool = new WorkerPool(1, { keys: [], dnsLive: false, now: 0, dbFile: null }, 1);
    const bytes = readFileSync(join(CORPUS, 'authentic-news-ed25519-attachment.eml'));
    await expect(pool.analyse(bytes)).rejects.toBeInstanceOf(AnalyseTimeoutError);
    await pool.close();
    const ok = new WorkerPool(1, { keys: [], dnsLive: false, now: 0, dbFile: null });
    const r = await ok.analyse(toSharedBytes(bytes));
    // The worker's rows are those this thread encodes from the same analysis, whose verdict is known.
    const here = await analyseMessage(bytes, { keys: new KeyIndex([]), now: 0 });
    expect(here.verdict.verdict).toBe('unverifiable');
    expect(r.known ? null : r.result.rows).toEqual(encodeMessageRows(here, bytes.length));
    await ok.close();
  });

  it('blames the message a worker hangs on, not the ones before it whose answers it still held', async () => {
    const url = new URL('../helpers/hanging-worker.ts', import.meta.url);
    const pool = new WorkerPool(1, { keys: [], dnsLive: false, now: 0, dbFile: null }, 4000, url);
    const message = (first: string) => toSharedBytes(Buffer.from(`${first}rom: a@example.org\r\n\r\nbody\r\n`));
    // Handed in together: the worker answers the first two only after the third, which never ends.
    const answers = [message('F'), message('F'), message('!'), message('F')].map((m) =>
      pool.analyse(m).then(
        (a) => a,
        (e: Error) => e,
      ),
    );
    const [first, second, hanging, after] = await Promise.all(answers);
    expect(hanging).toBeInstanceOf(AnalyseTimeoutError);
    // Handed out again to the worker that replaced it, and answered there.
    for (const a of [first, second, after]) expect(a).toMatchObject({ known: true });
    await pool.close();
  });

  it('holds on the main thread too (--workers 0): the message is stored with a timeout record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-limit-'));
    const db = openDatabase(join(dir, 'db.sqlite'));
    const s = await importPaths(db, [join(CORPUS, 'authentic-news-ed25519-attachment.eml')], { workers: 0, timeoutMs: -1 });
    expect(s.failuresByCode).toEqual({ 'analyse/timeout': 1 });
    expect(db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(1);
    expect(db.prepare('SELECT reasons FROM messages').pluck().get()).toBe('analyse/failed');
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('a message whose analysis failed', () => {
  it('is kept unverifiable, with the reason in its finding and summary', async () => {
    const { unanalysedMessage } = await import('../../src/pipeline/analyse-message.ts');
    const a = unanalysedMessage('x', Buffer.from('From: a@b.c\r\n\r\nx'), 'analysis took longer than 60 s and was stopped\nstack…', 0);
    expect(a.verdict.verdict).toBe('unverifiable');
    expect(a.verdict.reasons).toEqual(['analyse/failed']);
    expect(a.verdict.summary).toContain('analysis took longer than 60 s');
    expect(a.verdict.summary).not.toContain('stack');
  });
});

describe('message bytes through the reader thread', () => {
  it('stores every message exactly as its file holds it, while the reader fills its slabs again', async () => {
    // About 80 MB in messages of 150 KB to 1.5 MB, some of them copies: more than the reader's pool
    // of slabs (eight of 8 MB, byte-slabs.ts), so slabs are filled again (six times in a run) while
    // the workers read and the main thread writes, and copies are found (known) on the way.
    const inbox = join(dir, 'slab-reuse');
    mkdirSync(inbox);
    const files = new Map<string, Buffer>();
    let seed = 7;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 100; i++) {
      const lines = 2000 + (next() % 18_000);
      const line = (n: number): string => `${String(i).padStart(3, '0')} line ${n} ${'abcdefghij'.repeat(6)}\r\n`;
      const body = Array.from({ length: lines }, (_, n) => line(n)).join('');
      const bytes = Buffer.from(
        `From: s${i}@example.org\r\nTo: r@example.org\r\nSubject: part ${i}\r\nMessage-ID: <${i}@example.org>\r\n\r\n${body}`,
      );
      files.set(join(inbox, `${String(i).padStart(3, '0')}.eml`), bytes);
      if (i % 10 === 3) files.set(join(inbox, `${String(i).padStart(3, '0')}-copy.eml`), bytes);
    }
    for (const [path, bytes] of files) writeFileSync(path, bytes);
    const total = [...files.values()].reduce((n, b) => n + b.length, 0);
    expect(total).toBeGreaterThan(72 * 1024 * 1024);
    const db = freshDb('slab-reuse');
    const summary = await importPaths(db, [inbox], { workers: 2 });
    expect(summary.messagesNew).toBe(100);
    const stored = db.prepare('SELECT raw FROM full_messages m JOIN sources s ON s.sha256 = m.sha256 WHERE s.path = ?');
    const hashOf = db.prepare('SELECT sha256 FROM sources WHERE path = ?');
    for (const [path, bytes] of files) {
      const row = stored.get(path) as { raw: Buffer } | undefined;
      expect(row, path).toBeDefined();
      expect(Buffer.compare(row!.raw, bytes), path).toBe(0);
      expect((hashOf.get(path) as { sha256: string }).sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    db.close();
  });
});
