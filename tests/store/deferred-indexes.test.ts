// The indexes and insert triggers an import drops while it writes (migration 010) are all back when
// it ends, and a killed import's are made again by the next writable open, unless an import still runs.
import { describe, expect, it, vi } from 'vitest';
import { availableParallelism } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadMigrations, openDatabase } from '../../src/store/database.ts';
import type { Db } from '../../src/store/database.ts';
import { importPaths } from '../../src/pipeline/run-import.ts';
import {
  buildDeferredIndexes,
  countDeferredIndexes,
  DEFERRED_INDEXES,
  DEFERRED_TRIGGERS,
  INDEXES_AFTER_ARCHIVE_PASS,
} from '../../src/store/deferred-indexes.ts';
import { deferIndexes, resumeSearchIndex } from '../../src/store/search-index.ts';
import { finishRun, startRun } from '../../src/store/runs-repo.ts';
import { iterateManifestHashes, recordManifestEntries } from '../../src/store/manifest-repo.ts';
import { runArchiveChecks } from '../../src/pipeline/archive-pass.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** Every schema object, as sqlite_master holds it. */
const schema = (db: Db) => db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name').all();
const indexNames = (db: Db) => db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").pluck().all() as string[];
const triggerNames = (db: Db) => db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[];
const DEFERRED_COUNT = DEFERRED_INDEXES.length + DEFERRED_TRIGGERS.length;

/** What a running import does at its start; returns its run. */
function startImport(db: Db): number {
  const run = startRun(db, [], {}, 'test');
  deferIndexes(db);
  return run;
}

/**
 * The import dies without ending: its run says 'running', with a process that is gone (a pid above
 * Linux's largest pid_max, 2^22: no such process). Closes the connection.
 */
function killImport(db: Db, run: number): void {
  db.prepare('UPDATE import_runs SET pid = ? WHERE id = ?').run(2 ** 22 + 12345, run);
  db.close();
}

describe('indexes deferred while an import writes', () => {
  it('are all back after an import, the schema equal to a fresh database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-deferred-'));
    const fresh = openDatabase(join(dir, 'fresh.sqlite'));
    const db = openDatabase(join(dir, 'db.sqlite'));
    await importPaths(db, [join(ROOT, 'test-corpus/generated')], { workers: 0 });
    expect(countDeferredIndexes(db)).toBe(0);
    expect(schema(db)).toEqual(schema(fresh));
    expect(db.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
    fresh.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("are built with a small page cache, sorts on disk and helper threads, and give the connection's settings back", () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-deferred-'));
    const db = openDatabase(join(dir, 'db.sqlite'));
    const run = startImport(db);
    db.pragma('cache_size = -32768');
    db.pragma('temp_store = MEMORY');
    db.pragma('threads = 0');
    const pragma = vi.spyOn(db, 'pragma');
    expect(buildDeferredIndexes(db)).toBe(DEFERRED_COUNT);
    const set = pragma.mock.calls.map(([sql]) => sql).filter((sql) => sql.includes('='));
    expect(set.slice(0, 3)).toEqual(['temp_store = FILE', `threads = ${Math.min(availableParallelism(), 4)}`, 'cache_size = -2048']);
    pragma.mockRestore();
    expect([
      db.pragma('cache_size', { simple: true }),
      db.pragma('temp_store', { simple: true }),
      db.pragma('threads', { simple: true }),
    ]).toEqual([-32768, 2, 0]);
    finishRun(db, run, 'completed');
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are missing while an import runs, and built by the next open once it was killed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-deferred-'));
    const file = join(dir, 'db.sqlite');
    const db = openDatabase(file);
    const before = schema(db);
    const run = startImport(db);
    expect(countDeferredIndexes(db)).toBe(DEFERRED_COUNT);
    for (const name of DEFERRED_INDEXES) expect(indexNames(db)).not.toContain(name);
    for (const name of DEFERRED_TRIGGERS) expect(triggerNames(db)).not.toContain(name);

    // Another connection opens while the import's process is alive (this one): nothing is built.
    const reader = openDatabase(file, { mode: 'update' });
    expect(countDeferredIndexes(reader)).toBe(DEFERRED_COUNT);
    reader.close();

    killImport(db, run);
    const reopened = openDatabase(file, { mode: 'update' });
    expect(countDeferredIndexes(reopened)).toBe(0);
    // index_state.deferred stays set until the next import ends: the schema is otherwise whole.
    expect(schema(reopened)).toEqual(before);
    finishRun(reopened, run, 'interrupted');
    reopened.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('on what the archive pass writes are built after it; a pass with them in place changes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-deferred-'));
    const db = openDatabase(join(dir, 'db.sqlite'));
    // What the pass writes: verdicts and reasons, the triage they move, each source's mailbox and role.
    const written = () => ({
      messages: db.prepare('SELECT sha256, verdict, summary, reasons FROM messages ORDER BY sha256').all(),
      triage: db.prepare('SELECT * FROM triage ORDER BY sha256').all(),
      sources: db.prepare('SELECT id, mailbox_key, role FROM sources ORDER BY id').all(),
      findings: db.prepare('SELECT sha256, check_id, code, detail FROM findings ORDER BY id').all(),
    });
    await importPaths(db, [join(ROOT, 'test-corpus/demo')], { workers: 0 });
    expect(countDeferredIndexes(db)).toBe(0);
    for (const name of INDEXES_AFTER_ARCHIVE_PASS) expect(indexNames(db)).toContain(name);
    // The import built these last: after the pass, not in alphabetical order among the others
    // (sqlite_master gives each new index the next rowid).
    const late = new Set(INDEXES_AFTER_ARCHIVE_PASS);
    const built = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY rowid").pluck().all() as string[]).filter((n) =>
      DEFERRED_INDEXES.includes(n),
    );
    expect(built.length).toBe(DEFERRED_INDEXES.length);
    expect(built.slice(-late.size).sort()).toEqual([...late].sort());
    const after = written();
    expect(after.sources.every((s) => (s as { role: string | null }).role !== null)).toBe(true);
    // The import's pass ran without these indexes; one with them finds every message as it left it.
    expect(runArchiveChecks(db)).toBe(0);
    expect(written()).toEqual(after);

    // An import's end leaves exactly these for after its pass, then builds them.
    deferIndexes(db);
    resumeSearchIndex(db, INDEXES_AFTER_ARCHIVE_PASS);
    const missing = db.prepare('SELECT name FROM deferred_indexes ORDER BY name').pluck().all();
    expect(missing).toEqual([...INDEXES_AFTER_ARCHIVE_PASS].sort());
    for (const name of INDEXES_AFTER_ARCHIVE_PASS) expect(indexNames(db)).not.toContain(name);
    expect(buildDeferredIndexes(db)).toBe(INDEXES_AFTER_ARCHIVE_PASS.length);
    expect(countDeferredIndexes(db)).toBe(0);
    expect(db.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leave the rows written with each message unique while they are away (migration 011)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-deferred-'));
    const db = openDatabase(join(dir, 'db.sqlite'));
    // The demo dump has threads: replies that name their ancestors.
    await importPaths(db, [join(ROOT, 'test-corpus/demo')], { workers: 0 });
    // A message that names thread ancestors, and another one.
    const a = db.prepare('SELECT sha256 FROM message_refs ORDER BY sha256 LIMIT 1').pluck().get() as string;
    const b = db.prepare('SELECT sha256 FROM messages WHERE sha256 != ? ORDER BY sha256 LIMIT 1').pluck().get(a) as string;
    const refs = db.prepare('SELECT count(*) FROM message_refs WHERE sha256 = ?').pluck().get(a) as number;
    expect(refs).toBeGreaterThan(0);

    // Another import starts: the keys are dropped. Its run reads `a` twice.
    const run = startRun(db, [], {}, 'test');
    deferIndexes(db);
    db.transaction(() => recordManifestEntries(db, run, [a, b, a])).immediate();
    expect([...iterateManifestHashes(db, run)]).toEqual([a, b].sort());
    // Meanwhile an archive pass writes `a`'s facts and references again (they are out of date).
    db.prepare('UPDATE message_facts SET version = 0 WHERE sha256 = ?').run(a);
    runArchiveChecks(db);
    const count = (sql: string) => db.prepare(sql).pluck().get(a) as number;
    expect(count('SELECT count(*) FROM message_facts WHERE sha256 = ?')).toBe(1);
    expect(count('SELECT count(*) FROM message_refs WHERE sha256 = ?')).toBe(refs);

    // The import ends: every UNIQUE key is built again, which a duplicate row would refuse.
    resumeSearchIndex(db);
    expect(countDeferredIndexes(db)).toBe(0);
    expect([...iterateManifestHashes(db, run)]).toEqual([a, b].sort());
    finishRun(db, run, 'completed');
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are the insert triggers that do nothing while an import writes, every one of them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-deferred-'));
    const db = openDatabase(join(dir, 'db.sqlite'));
    const triggers = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as { name: string; sql: string }[];
    // AFTER INSERT, and a WHEN that asks index_state whether an import defers the counts.
    const idle = triggers.filter((t) => /AFTER\s+INSERT/i.test(t.sql) && /\bWHEN\b[\s\S]*\bdeferred\b[\s\S]*\bBEGIN\b/i.test(t.sql));
    expect(idle.map((t) => t.name).sort()).toEqual([...DEFERRED_TRIGGERS].sort());
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('after a killed import, are back before a migration that replaces one of them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-deferred-'));
    const file = join(dir, 'db.sqlite');
    const db = openDatabase(file);
    killImport(db, startImport(db));
    const migrations = loadMigrations();
    const last = migrations[migrations.length - 1]!;
    const replace = {
      version: last.version + 1,
      name: 'replace_a_trigger',
      sql: 'DROP TRIGGER overview_sources_insert;\nCREATE TRIGGER overview_sources_insert AFTER INSERT ON sources BEGIN SELECT 1; END;',
      sha256: 'test',
    };
    const reopened = openDatabase(file, { mode: 'update', migrations: [...migrations, replace] });
    expect(countDeferredIndexes(reopened)).toBe(0);
    expect(reopened.prepare("SELECT sql FROM sqlite_master WHERE name = 'overview_sources_insert'").pluck().get()).toContain('SELECT 1');
    reopened.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
