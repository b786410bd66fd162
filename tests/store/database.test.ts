import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMigrations, migrate, openDatabase, UnknownMigrationError } from '../../src/store/database.ts';

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
