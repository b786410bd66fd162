import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  APPLICATION_ID,
  DatabaseError,
  loadMigrations,
  migrate,
  openDatabase,
  UnknownMigrationError,
  WAIT_NOTE_AFTER_MS,
  withWriteLock,
} from '../../src/store/database.ts';

const require = createRequire(import.meta.url);

const dir = mkdtempSync(join(tmpdir(), 'lt-db-'));

describe('migrations', () => {
  it('applies every migration once and records it', () => {
    const db = openDatabase(join(dir, 'a.sqlite'));
    const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as { version: number; name: string }[];
    expect(rows.map((r) => r.version)).toEqual(loadMigrations().map((m) => m.version));
    expect(migrate(db)).toEqual([]);
    db.close();
  });

  it('refuses a database that has a migration this code does not know', () => {
    const file = join(dir, 'b.sqlite');
    const db = openDatabase(file);
    db.prepare("INSERT INTO schema_migrations VALUES (999, '999_future.sql', 'x', 'now')").run();
    db.close();
    expect(() => openDatabase(file)).toThrow(UnknownMigrationError);
  });

  it('rolls a failing migration back whole, with no record of it', () => {
    const mdir = join(dir, 'm');
    mkdirSync(mdir);
    writeFileSync(join(mdir, '001_ok.sql'), 'CREATE TABLE t (x INTEGER);');
    writeFileSync(join(mdir, '002_bad.sql'), 'CREATE TABLE u (y INTEGER); INSERT INTO nowhere VALUES (1);');
    const file = join(dir, 'c.sqlite');
    expect(() => openDatabase(file, { migrations: loadMigrations(mdir) })).toThrow(/nowhere/);
    const db = openDatabase(file, { migrations: loadMigrations(mdir).slice(0, 1) });
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'u'").pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(1);
    db.close();
  });

  it('runs a migration that remakes a parent table with foreign keys off, and refuses one that leaves a reference without its row', () => {
    const mdir = join(dir, 'fk');
    mkdirSync(mdir);
    writeFileSync(
      join(mdir, '001_tables.sql'),
      'CREATE TABLE p (id TEXT PRIMARY KEY); CREATE TABLE c (p TEXT REFERENCES p (id) ON DELETE CASCADE);',
    );
    writeFileSync(join(mdir, '002_rows.sql'), "INSERT INTO p VALUES ('a'), ('b'); INSERT INTO c VALUES ('a');");
    // With foreign keys on, dropping p would delete c's row (ON DELETE CASCADE).
    const remake =
      'CREATE TABLE p_new (id TEXT NOT NULL); INSERT INTO p_new SELECT id FROM p; DROP TABLE p; ALTER TABLE p_new RENAME TO p;';
    writeFileSync(
      join(mdir, '003_remake.sql'),
      `-- leaktriage: foreign keys off\nPRAGMA legacy_alter_table = ON; ${remake} CREATE UNIQUE INDEX p_id ON p (id);`,
    );
    writeFileSync(join(mdir, '004_orphan.sql'), "-- leaktriage: foreign keys off\nDELETE FROM p WHERE id = 'a';");
    const file = join(dir, 'fk.sqlite');
    const db = openDatabase(file, { migrations: loadMigrations(mdir).slice(0, 3) });
    expect(db.prepare('SELECT * FROM c').all()).toEqual([{ p: 'a' }]);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
    expect(() => openDatabase(file, { migrations: loadMigrations(mdir) })).toThrow(/004_orphan.sql: a reference no longer finds its row/);
    const again = openDatabase(file, { migrations: loadMigrations(mdir).slice(0, 3) });
    expect(again.prepare('SELECT count(*) FROM p').pluck().get()).toBe(2);
    expect(again.pragma('foreign_keys', { simple: true })).toBe(1);
    again.close();
  });

  it('keeps the live schema equal to the committed snapshot (update tests/store/schema.snapshot.sql on purpose)', () => {
    const db = openDatabase(join(dir, 'd.sqlite'));
    const schema =
      (
        db
          .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type, name")
          .pluck()
          .all() as string[]
      ).join(';\n') + ';\n';
    db.close();
    const snapshotFile = new URL('./schema.snapshot.sql', import.meta.url);
    if (process.env.UPDATE_SCHEMA_SNAPSHOT) writeFileSync(snapshotFile, schema);
    expect(schema).toBe(readFileSync(snapshotFile, 'utf8'));
  });
});

describe('identifying a database before writing to it', () => {
  const files = (d: string): string[] => readdirSync(d).sort();

  it('marks a database it creates with its application id', () => {
    const file = join(dir, 'mine.sqlite');
    openDatabase(file).close();
    expect(readFileSync(file).readInt32BE(68)).toBe(APPLICATION_ID);
  });

  it("refuses another program's SQLite file and leaves its bytes and folder untouched", () => {
    const d = mkdtempSync(join(dir, 'foreign-'));
    const file = join(d, 'places.sqlite');
    const other = new Database(file);
    other.exec("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT); INSERT INTO moz_places (url) VALUES ('https://example.org/')");
    other.close();
    const before = readFileSync(file);
    for (const mode of ['create', 'update', 'read'] as const) {
      expect(() => openDatabase(file, { mode })).toThrow(/another program \(its tables are moz_places\).*left untouched/);
    }
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(files(d)).toEqual(['places.sqlite']);
  });

  it('refuses a SQLite file with the application id of another program', () => {
    const file = join(dir, 'other-app.sqlite');
    const other = new Database(file);
    other.pragma('application_id = 1234');
    other.exec('CREATE TABLE schema_migrations (version INTEGER, name TEXT)');
    other.close();
    const before = readFileSync(file);
    expect(() => openDatabase(file)).toThrow(/application id is 1234/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a text file, an image and a folder with one sentence, unchanged', () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'Meeting notes\nnothing here is a database\n'.repeat(10));
    const png = join(dir, 'photo.png');
    writeFileSync(png, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]));
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    const cases: [string, RegExp, string][] = [
      [text, /is not a leaktriage database \(it is a text file\)/, 'db/not-leaktriage'],
      [png, /is not a leaktriage database \(it is a PNG image\)/, 'db/not-leaktriage'],
      [folder, /is a folder, not a database file/, 'db/not-a-file'],
    ];
    for (const [file, message, code] of cases) {
      const before = statSync(file).isFile() ? readFileSync(file) : null;
      let error: unknown;
      try {
        openDatabase(file);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DatabaseError);
      expect((error as DatabaseError).code).toBe(code);
      expect((error as Error).message).toMatch(message);
      if (before) expect(readFileSync(file).equals(before)).toBe(true);
    }
    expect(readdirSync(folder)).toEqual([]);
  });

  it('knows a database made before the application id by its migrations, and marks it', () => {
    const file = join(dir, 'early.sqlite');
    const early = new Database(file);
    early.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    early.close();
    const m = loadMigrations();
    const first = new Database(file);
    first.exec(m[0]!.sql);
    first.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?, ?)').run(1, m[0]!.name, m[0]!.sha256, 'then');
    first.close();
    const db = openDatabase(file);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    db.close();
  });

  it('creates a database only in mode create; update and read refuse a missing file and create nothing', () => {
    const d = mkdtempSync(join(dir, 'missing-'));
    for (const mode of ['update', 'read'] as const) {
      expect(() => openDatabase(join(d, 'typo.sqlite'), { mode })).toThrow(/there is no database at .*typo\.sqlite/);
    }
    expect(files(d)).toEqual([]);
  });

  it('opens read-only without switching the journal mode or migrating', () => {
    const file = join(dir, 'ro.sqlite');
    openDatabase(file).close();
    const db = openDatabase(file, { mode: 'read' });
    expect(db.readonly).toBe(true);
    expect(() => db.exec('CREATE TABLE x (y)')).toThrow(/readonly/);
    db.close();
  });
});

describe('two writers queue for the write lock', () => {
  // Holds the write lock of `file` in another process for `ms`, then commits; resolves once it holds it.
  function holdWriteLock(file: string, ms: number): { held: Promise<void>; done: Promise<number | null> } {
    const script = `
      const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
      const db = new Database(${JSON.stringify(file)});
      db.exec('BEGIN IMMEDIATE');
      db.prepare("INSERT INTO import_runs (started_at, status, inputs, options, tool_version) VALUES ('t', 'completed', '[]', '{}', 'holder')").run();
      process.stdout.write('held\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${ms});
      db.exec('COMMIT');
      db.close();`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const held = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const done = new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { held, done };
  }

  const insertRun = (db: ReturnType<typeof openDatabase>, version: string): void =>
    void db
      .prepare("INSERT INTO import_runs (started_at, status, inputs, options, tool_version) VALUES ('t', 'completed', '[]', '{}', ?)")
      .run(version);

  it('a transaction that reads before it writes fails against another writer, an IMMEDIATE one waits (regression: two imports)', async () => {
    const file = join(dir, 'queue.sqlite');
    openDatabase(file).close();
    const db = openDatabase(file, { busyTimeoutMs: 200 });
    // The old way: a deferred transaction reads, another process commits a write, the upgrade fails.
    const holder = holdWriteLock(file, 600);
    const deferred = db.transaction(() => {
      db.prepare('SELECT count(*) FROM import_runs').get();
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 900);
      insertRun(db, 'deferred');
    });
    await holder.held;
    expect(() => deferred()).toThrow(/locked|busy/i);
    expect(await holder.done).toBe(0);
    db.close();

    const notes: string[] = [];
    const waiting = openDatabase(file, { onWait: (n) => notes.push(n) });
    const second = holdWriteLock(file, 2_600);
    await second.held;
    const t0 = Date.now();
    withWriteLock(waiting, () => {
      waiting.prepare('SELECT count(*) FROM import_runs').get();
      insertRun(waiting, 'queued');
    });
    expect(Date.now() - t0).toBeGreaterThan(WAIT_NOTE_AFTER_MS);
    expect(notes).toEqual([expect.stringMatching(/another process is writing to .*queue\.sqlite.*waiting for it/)]);
    expect(waiting.prepare("SELECT count(*) FROM import_runs WHERE tool_version IN ('holder', 'queued')").pluck().get()).toBe(3);
    expect(await second.done).toBe(0);
    waiting.close();
  });

  it('gives up after the longest wait with a sentence, having written nothing', async () => {
    const file = join(dir, 'queue-timeout.sqlite');
    openDatabase(file).close();
    const db = openDatabase(file, { busyTimeoutMs: 100, writeWaitMs: 300 });
    const holder = holdWriteLock(file, 1_500);
    await holder.held;
    expect(() => withWriteLock(db, () => insertRun(db, 'late'))).toThrow(/kept .* locked for \d+ s; nothing more was written/);
    expect(await holder.done).toBe(0);
    expect(db.prepare("SELECT count(*) FROM import_runs WHERE tool_version = 'late'").pluck().get()).toBe(0);
    db.close();
  });
});
