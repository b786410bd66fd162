// A small seeded slice of `npm run fuzz` (bench/fuzz.ts) in every test run: every kind of hostile
// input, imported on the main thread; nothing throws and every input leaves a record.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/database.ts';
import { importPaths } from '../../src/pipeline/run-import.ts';
import { MESSAGE_MUTATIONS, writeFuzzInputs } from '../../bench/fuzz-inputs.ts';
import { checkAccounting } from '../../bench/fuzz-check.ts';

const dir = mkdtempSync(join(tmpdir(), 'lt-fuzz-slice-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fuzz slice', () => {
  it('imports 160 seeded hostile inputs of every kind without a crash, each accounted for', async () => {
    // A seed whose 160 messages fall into every kind of input (tar archives since they are read).
    const inputs = writeFuzzInputs(20261207, 160, join(dir, 'inputs'), 0.5);
    const kinds = new Set(inputs.map((i) => i.mutation));
    const archives = ['zip-overlapping-entries', 'zip-truncated', 'zip-damaged-directory', 'tar', 'tar-gz', 'tar-gz-truncated'];
    for (const k of [...archives, 'tar-damaged-header', 'mbox']) expect(kinds, k).toContain(k);
    expect(Object.keys(MESSAGE_MUTATIONS).filter((m) => !kinds.has(m))).toEqual([]);
    const db = openDatabase(join(dir, 'slice.sqlite'));
    const summary = await importPaths(db, [join(dir, 'inputs')], { workers: 0, now: 1_732_000_000 });
    expect(summary.status).toBe('completed');
    expect(summary.messagesSeen).toBeGreaterThan(100);
    expect(checkAccounting(db, inputs)).toEqual([]);
    expect(summary.failuresByCode['zip/overlapping-entries']).toBeGreaterThan(0);
    db.close();
  });
});
