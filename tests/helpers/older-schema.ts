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
  // Since migration 018, a message's word grams, under its rowid.
  'message_grams',
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
  // Before migration 018 a message's word grams were columns of message_facts.
  before.exec(`CREATE TEMP VIEW facts_with_grams AS
    SELECT f.*, ifnull(g.quote_grams, '') AS quote_grams, ifnull(g.text_grams, '') AS text_grams
    FROM src.message_facts f LEFT JOIN src.messages m ON m.sha256 = f.sha256
      LEFT JOIN src.message_grams g ON g.id = m.rowid AND g.sha256 = f.sha256 ORDER BY f.rowid`);
  // Where each table's rows are read from, when not from the table of that name: before migration
  // 012 a message's bytes and bodies were columns of `messages`.
  const readFrom: Record<string, [schema: string, name: string]> = {
    messages: ['src', 'full_messages'],
    message_facts: ['temp', 'facts_with_grams'],
  };
  before.transaction(() => {
    for (const table of BASE_TABLES) {
      const here = columns(before, 'main', table);
      if (here.length === 0) continue;
      const [schema, from] = readFrom[table] ?? ['src', table];
      const there = new Set(columns(before, schema, from));
      const shared = here.filter((c) => there.has(c)).join(', ');
      before.exec(
        `INSERT INTO main.${table} (${shared}) SELECT ${shared} FROM ${schema}.${from}${table === 'messages' ? ' ORDER BY id' : ''}`,
      );
    }
  })();
  before.exec('DROP VIEW temp.facts_with_grams');
  before.exec('DETACH DATABASE src');
  before.close();
}
