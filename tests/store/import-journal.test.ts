// An import alone with its database writes its batches through a rollback journal, not the WAL
// (database.ts, leaveWal): what that must keep — other connections opened meanwhile work, a kill
// loses only the open batch, and a database left so by a kill is read as it was committed.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BUSY_TIMEOUT_MS,
  beginBulkWrites,
  beginWrite,
  commitWrite,
  endBulkWrites,
  openDatabase,
  writesThroughRollbackJournal,
  type Db,
} from '../../src/store/database.ts';
import { buildApp } from '../../src/server/app.ts';
import { SECRET } from '../server/app-helpers.ts';
import { ROOT, runUnprivileged, whyNoUnprivilegedUser } from '../helpers/unprivileged.ts';

const dir = mkdtempSync(join(tmpdir(), 'lt-journal-'));
// The read-only media case runs a command as nobody (helpers/unprivileged.ts), who must reach the folder.
chmodSync(dir, 0o755);
const mode = (db: Db): unknown => db.pragma('journal_mode', { simple: true });
const busyTimeout = (db: Db): unknown => db.pragma('busy_timeout', { simple: true });

/** A new database with a table of blobs and `committed` rows of 1 MB in it. */
function blobDatabase(name: string, committed: number, folder = dir): string {
  const file = join(folder, name);
  const db = openDatabase(file);
  db.exec('CREATE TABLE blobs (n INTEGER, b BLOB)');
  const insert = db.prepare('INSERT INTO blobs VALUES (?, ?)');
  for (let n = 0; n < committed; n++) insert.run(n, Buffer.alloc(1 << 20, n));
  db.close();
  return file;
}

/**
 * Runs an import's writes in another process (beginBulkWrites, then one batch of 60 MB: more than
 * the page cache, so its pages are in the file before any commit) and kills it before the commit.
 */
async function killMidBatch(file: string): Promise<void> {
  const script = `
    import { beginBulkWrites, beginWrite, openDatabase, writesThroughRollbackJournal } from ${JSON.stringify(join(ROOT, 'src/store/database.ts'))};
    const db = openDatabase(${JSON.stringify(file)});
    beginBulkWrites(db, { rollbackJournal: true });
    if (!writesThroughRollbackJournal(db)) process.exit(3);
    beginWrite(db);
    const insert = db.prepare('INSERT INTO blobs VALUES (?, ?)');
    for (let n = 1000; n < 1060; n++) insert.run(n, Buffer.alloc(1 << 20, 7));
    db.prepare('UPDATE blobs SET n = -n').run();
    process.stdout.write('written\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const written = await new Promise<boolean>((resolve) => {
    child.stdout.once('data', () => resolve(true));
    void exited.then(() => resolve(false));
  });
  expect(written).toBe(true);
  child.kill('SIGKILL');
  await exited;
}

describe("an import's batches through a rollback journal", () => {
  it('are written so when the import is alone with the database, and WAL comes back after them', () => {
    const file = blobDatabase('alone.sqlite', 0);
    const db = openDatabase(file);
    beginBulkWrites(db, { rollbackJournal: true });
    expect(writesThroughRollbackJournal(db)).toBe(true);
    expect(mode(db)).toBe('delete');
    beginWrite(db);
    db.prepare('INSERT INTO blobs VALUES (1, ?)').run(Buffer.alloc(1 << 20));
    commitWrite(db);
    // Nothing beside the database but the journal of an open transaction.
    expect(readdirSync(dir).filter((f) => f.startsWith('alone.sqlite-'))).toEqual([]);
    endBulkWrites(db);
    expect(mode(db)).toBe('wal');
    expect(writesThroughRollbackJournal(db)).toBe(false);
    expect(busyTimeout(db)).toBe(BUSY_TIMEOUT_MS);
    db.close();
  });

  it('go through the WAL when another connection has the database open, or when asked to', () => {
    const file = blobDatabase('shared.sqlite', 0);
    const reader = openDatabase(file, { readonly: true });
    reader.prepare('SELECT count(*) FROM blobs').get();
    const db = openDatabase(file);
    const started = Date.now();
    beginBulkWrites(db, { rollbackJournal: true });
    expect(writesThroughRollbackJournal(db)).toBe(false);
    expect(Date.now() - started).toBeLessThan(BUSY_TIMEOUT_MS / 2);
    expect(mode(db)).toBe('wal');
    endBulkWrites(db);
    reader.close();
    beginBulkWrites(db);
    expect(writesThroughRollbackJournal(db)).toBe(false);
    expect(mode(db)).toBe('wal');
    endBulkWrites(db);
    db.close();
  });

  it('leave a review server opened meanwhile able to open the database at once and read each commit', async () => {
    const file = blobDatabase('served.sqlite', 0);
    const importer = openDatabase(file);
    beginBulkWrites(importer, { rollbackJournal: true });
    expect(writesThroughRollbackJournal(importer)).toBe(true);
    const started = Date.now();
    const serverDb = openDatabase(file, { mode: 'update' });
    expect(Date.now() - started).toBeLessThan(BUSY_TIMEOUT_MS / 2);
    const app = await buildApp({ db: serverDb, secret: SECRET, checks: null });
    const before = (await app.inject('/.json')).json().total;
    beginWrite(importer);
    const running = importer
      .prepare("INSERT INTO import_runs (started_at, status, inputs, options, tool_version) VALUES ('t', 'running', '[]', '{}', 'test')")
      .run().lastInsertRowid;
    for (let n = 0; n < 40; n++) importer.prepare('INSERT INTO blobs VALUES (?, ?)').run(n, Buffer.alloc(1 << 20, n));
    commitWrite(importer);
    const overview = (await app.inject('/.json')).json();
    expect(overview.total).toBe(before);
    expect(overview.runs.map((r: { id: number }) => r.id)).toContain(Number(running));
    // The importer returns to WAL with the server's connection open (it holds no lock between requests).
    endBulkWrites(importer);
    expect(mode(importer)).toBe('wal');
    expect(mode(serverDb)).toBe('wal');
    expect((await app.inject('/.json')).statusCode).toBe(200);
    await app.close();
    serverDb.close();
    importer.close();
  });

  it('lose only the open batch when the import is killed; a reader sees the last commit', async () => {
    const file = blobDatabase('killed.sqlite', 3);
    await killMidBatch(file);
    expect(existsSync(`${file}-journal`)).toBe(true);
    // Only reading: the journal is applied first (on a connection that may write), then read.
    const reader = openDatabase(file, { readonly: true });
    expect(reader.prepare('SELECT group_concat(n) FROM blobs ORDER BY n').pluck().get()).toBe('0,1,2');
    expect(reader.pragma('integrity_check', { simple: true })).toBe('ok');
    reader.close();
    expect(existsSync(`${file}-journal`)).toBe(false);
    const db = openDatabase(file);
    expect(mode(db)).toBe('wal');
    db.close();
  }, 60_000);

  const why = whyNoUnprivilegedUser();
  it.skipIf(why !== null)(
    `killed on read-only media: a read refuses in one sentence and changes nothing${why ? ` (skipped: ${why})` : ''}`,
    async () => {
      const media = join(dir, 'evidence-disk');
      mkdirSync(media);
      const file = blobDatabase('case.sqlite', 2, media);
      await killMidBatch(file);
      chmodSync(file, 0o444);
      chmodSync(media, 0o555);
      const before = readFileSync(file);
      try {
        const r = runUnprivileged(['export', '--db', file, '--format', 'json']);
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(
          /case\.sqlite holds half of the last batch of an import that was stopped.*copy the database together with its -journal file/,
        );
        expect(r.stderr).not.toMatch(/^\s+at /m);
        expect(readFileSync(file).equals(before)).toBe(true);
        expect(readdirSync(media).sort()).toEqual(['case.sqlite', 'case.sqlite-journal']);
      } finally {
        chmodSync(media, 0o755);
      }
    },
    60_000,
  );
});
