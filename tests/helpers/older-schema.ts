// An archive as an older leaktriage wrote it, for the migration tests. Today's insert code writes
// today's schema only, so the archive is seeded in a current database and its base tables are copied
// into one that stops before the migrations under test; the older schema's own triggers fill its
// summary tables as the copy goes in, as they did when that version imported.
import { loadMigrations, openDatabase, type Db, type Migration } from '../../src/store/database.ts';
import { tempDbFile } from './fixture-db.ts';

/** The tables an import and a review write, parents first; summary tables and indexes are derived. */
const BASE_TABLES = [
  'import_runs',
  'keys',
  'mailboxes',
  'messages',
  // Since migration 012, a message's bytes and bodies, under its rowid (both copies number from 1).
  'message_content',
  'sources',
  'signatures',
  'findings',
  'attachments',
  'attachment_documents',
  'message_facts',
  'message_refs',
  'reviews',
  'failures',
  'run_manifests',
  'run_manifest_entries',
];

function columns(db: Db, schema: string, table: string): string[] {
  return (db.prepare(`SELECT name FROM pragma_table_info(?, ?)`).all(table, schema) as { name: string }[]).map((c) => c.name);
}

/**
 * Seeds `file` with `seed` (run against a current database) as a database that has only the
 * migrations `keep` accepts; returns what `seed` returned. The database is closed afterwards.
 */
export function seedOlderSchema<T>(file: string, keep: (m: Migration) => boolean, seed: (db: Db) => T): T {
  const source = tempDbFile('current.sqlite');
  const current = openDatabase(source);
  const result = seed(current);
  current.close();
  copyIntoOlderSchema(source, file, keep);
  return result;
}

/** Copies the archive in the current database `source` into a new database `file` that has only the migrations `keep` accepts. */
export function copyIntoOlderSchema(source: string, file: string, keep: (m: Migration) => boolean): void {
  const before = openDatabase(file, { migrations: loadMigrations().filter(keep) });
  before.prepare('ATTACH DATABASE ? AS src').run(source);
  before.transaction(() => {
    for (const table of BASE_TABLES) {
      const here = columns(before, 'main', table);
      if (here.length === 0) continue;
      // Before migration 012 a message's bytes and bodies were columns of `messages`.
      const from = table === 'messages' ? 'full_messages' : table;
      const there = new Set(columns(before, 'src', from));
      const shared = here.filter((c) => there.has(c)).join(', ');
      before.exec(`INSERT INTO main.${table} (${shared}) SELECT ${shared} FROM src.${from}${table === 'messages' ? ' ORDER BY id' : ''}`);
    }
  })();
  before.exec('DETACH DATABASE src');
  before.close();
}
