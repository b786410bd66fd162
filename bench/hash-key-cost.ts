// What a key made of SHA-256 hashes costs an import at scale (not a test): `messages` is keyed by
// its hash (TEXT PRIMARY KEY, an index of random keys), and an import inserts into it on its hot
// path. Each transaction dirties about one page of that index per row, until the index is larger
// than a transaction's rows; every dirty page is written to the WAL at commit and again into the
// database at the checkpoint that follows. This inserts rows of a few hundred bytes, as `messages`
// holds since migration 012, into a scratch database with the import's page size and cache and a
// checkpoint after each commit, once keyed by hash and once by rowid (the hash a plain column),
// and prints the time and the WAL bytes of each, per 100,000 rows as the table grows. The import
// checkpoints on a thread of its own (store/checkpoint-thread.ts); here they run on the writing
// thread and are timed apart, so the total overstates what the import waits for, not what it writes.
//   node bench/hash-key-cost.ts [--rows 1000000] [--batch 2600,10000]
// 2,600 rows is what the import commits at about 870 messages a second (WRITE_BATCH_MS, 3 s);
// 10,000 its limit by count (WRITE_BATCH).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { IMPORT_CACHE_KIB, PAGE_SIZE } from '../src/store/database.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '2600,10000' },
  },
});
const ROWS = Number(values.rows);
const BATCHES = values.batch.split(',').map(Number);
/** About what a `messages` row holds besides its hash (addresses, subject, verdict, dkim, arc). */
const ROW_BYTES = 500;

function run(keyed: boolean, batch: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'lt-hash-key-'));
  const file = join(dir, 'k.sqlite');
  try {
    const db = new Database(file);
    db.pragma(`page_size = ${PAGE_SIZE}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_autocheckpoint = 0');
    db.pragma(`cache_size = -${IMPORT_CACHE_KIB}`);
    db.exec(
      keyed
        ? 'CREATE TABLE m (sha256 TEXT PRIMARY KEY, rest BLOB NOT NULL)'
        : 'CREATE TABLE m (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, rest BLOB NOT NULL)',
    );
    const insert = db.prepare('INSERT INTO m (sha256, rest) VALUES (?, ?)');
    const rest = Buffer.alloc(ROW_BYTES, 0x61);
    const label = `${keyed ? 'keyed by hash' : 'rowid       '}, ${batch} rows a commit`;
    let wal = 0;
    let checkpointMs = 0;
    const start = performance.now();
    let lap = start;
    let reported = 0;
    for (let i = 0; i < ROWS; i += batch) {
      const end = Math.min(ROWS, i + batch);
      db.transaction(() => {
        for (let j = i; j < end; j++) insert.run(createHash('sha256').update(String(j)).digest('hex'), rest);
      })();
      wal += statSync(`${file}-wal`).size;
      const t = performance.now();
      // The import's checkpoint thread copies each commit into the database too (PASSIVE); TRUNCATE
      // also empties the WAL, so that its size after the next commit is that transaction's pages.
      db.pragma('wal_checkpoint(TRUNCATE)');
      checkpointMs += performance.now() - t;
      if (end - reported >= 100_000 || end === ROWS) {
        const now = performance.now();
        console.log(
          `${label}: ${end} rows, last ${end - reported} in ${((now - lap) / 1000).toFixed(1)} s; WAL written so far ${(wal / 1e9).toFixed(2)} GB`,
        );
        lap = now;
        reported = end;
      }
    }
    const secs = (performance.now() - start) / 1000;
    console.log(
      `${label}: ${ROWS} rows in ${secs.toFixed(1)} s (checkpoints ${(checkpointMs / 1000).toFixed(1)} s), WAL ${(wal / 1e9).toFixed(2)} GB, database ${(statSync(file).size / 1e6).toFixed(0)} MB`,
    );
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const batch of BATCHES) {
  run(true, batch);
  run(false, batch);
}
