// The indexes an import drops while it writes (migration 010) are all back when it ends, and a
// killed import's are built again by the next writable open, unless an import still runs.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../../src/store/database.ts';
import type { Db } from '../../src/store/database.ts';
import { importPaths } from '../../src/pipeline/run-import.ts';
import { countDeferredIndexes, DEFERRED_INDEXES } from '../../src/store/deferred-indexes.ts';
import { deferIndexes } from '../../src/store/search-index.ts';
import { finishRun, startRun } from '../../src/store/runs-repo.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** Every schema object, as sqlite_master holds it. */
const schema = (db: Db) => db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name').all();
const indexNames = (db: Db) => db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").pluck().all() as string[];

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

  it('are missing while an import runs, and built by the next open once it was killed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-deferred-'));
    const file = join(dir, 'db.sqlite');
    const db = openDatabase(file);
    const before = schema(db);
    // As a running import does at its start.
    const run = startRun(db, [], {}, 'test');
    deferIndexes(db);
    expect(countDeferredIndexes(db)).toBe(DEFERRED_INDEXES.length);
    for (const name of DEFERRED_INDEXES) expect(indexNames(db)).not.toContain(name);

    // Another connection opens while the import's process is alive (this one): nothing is built.
    const reader = openDatabase(file, { mode: 'update' });
    expect(countDeferredIndexes(reader)).toBe(DEFERRED_INDEXES.length);
    reader.close();

    // The import dies without ending (its run says 'running', with a process that is gone).
    // A pid above Linux's largest pid_max (2^22): no such process.
    db.prepare('UPDATE import_runs SET pid = ? WHERE id = ?').run(2 ** 22 + 12345, run);
    db.close();
    const reopened = openDatabase(file, { mode: 'update' });
    expect(countDeferredIndexes(reopened)).toBe(0);
    // index_state.deferred stays set until the next import ends: the schema is otherwise whole.
    expect(schema(reopened)).toEqual(before);
    finishRun(reopened, run, 'interrupted');
    reopened.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
