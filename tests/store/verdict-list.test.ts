// The verdict list is written once, in src/model.ts. The SQL cannot import it, so the CHECK
// constraints of the tables that hold verdicts are compared with it here.
import { describe, expect, it } from 'vitest';
import { VERDICTS } from '../../src/model.ts';
import { openFixtureDb } from '../helpers/fixture-db.ts';

describe('the verdict list', () => {
  it('is the one the database accepts, in messages and in reviews', () => {
    const { db } = openFixtureDb();
    for (const table of ['messages', 'reviews']) {
      const sql = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(table) as string;
      const check = /verdict\s+TEXT\s+NOT NULL\s+CHECK \(verdict IN \(([^)]*)\)\)/.exec(sql);
      expect(check, table).not.toBeNull();
      const listed = [...(check?.[1] ?? '').matchAll(/'([^']*)'/g)].map((m) => m[1]);
      expect(listed, table).toEqual([...VERDICTS]);
    }
    db.close();
  });
});
