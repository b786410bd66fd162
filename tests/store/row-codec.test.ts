// The maps between the model's types and the columns: every field stored and read back as it was,
// positional parameters in the inserts, and column names that stay inside the store.
import { describe, expect, it } from 'vitest';
import type { SignatureCheck } from '../../src/model.ts';
import { SIGNATURE_CODEC } from '../../src/store/messages-repo.ts';
import { column, flag, insertSql, joined, json, readRow, rowValues, selectList, type RowCodec } from '../../src/store/row-codec.ts';
import { analyse, insertFixture, openFixtureDb } from '../helpers/fixture-db.ts';

interface Thing {
  id: number;
  on: boolean;
  names: string[];
  extra: { a: number[] } | null;
  size: number;
}

const THING: RowCodec<Thing> = {
  id: column('thing_id'),
  on: flag('is_on'),
  names: joined('names', ':'),
  extra: json('extra'),
  size: { column: 'size', expr: 'length(names)', read: (v) => Number(v) },
};

describe('row codecs', () => {
  it('write a value as positional parameters (extra ones first, then one per column), and read a row back into the value', () => {
    const t: Thing = { id: 7, on: true, names: ['from', 'to'], extra: { a: [1, 2] }, size: 0 };
    expect(rowValues(THING, t, ['me'])).toEqual(['me', 7, 1, 'from:to', '{"a":[1,2]}']);
    expect(readRow(THING, { thing_id: 7, is_on: 1, names: 'from:to', extra: '{"a":[1,2]}', size: 7 })).toEqual({ ...t, size: 7 });
    expect(readRow(THING, { thing_id: 1, is_on: 0, names: '', extra: 'null', size: 0 })).toMatchObject({
      on: false,
      names: [],
      extra: null,
    });
  });

  it('build the insert with positional parameters in rowValues order and the select list with computed fields', () => {
    expect(insertSql('things', THING, ['owner'], true)).toBe(
      'INSERT OR IGNORE INTO things (owner, thing_id, is_on, names, extra) VALUES (?, ?, ?, ?, ?)',
    );
    expect(selectList(THING, 't')).toBe('t.thing_id, t.is_on, t.names, t.extra, length(names) AS size');
  });

  it('must name every field of the type (a field added to the model does not compile until stored)', () => {
    // @ts-expect-error: `size` has no column
    const partial: RowCodec<Thing> = { id: column('thing_id'), on: flag('is_on'), names: joined('names', ':'), extra: json('extra') };
    expect(Object.keys(partial)).toHaveLength(4);
  });
});

describe('signatures', () => {
  it('read back exactly as the verifier made them, every field of SignatureCheck included', () => {
    const { db } = openFixtureDb();
    const run = db
      .prepare("INSERT INTO import_runs (started_at, status, inputs, options, tool_version) VALUES ('now', 'running', '[]', '{}', 't')")
      .run().lastInsertRowid as number;
    const spec = {
      subject: 'signed',
      signatures: [
        {
          result: 'neutral' as const,
          problem: 'expired' as const,
          keyRevoked: true,
          aligned: false,
          signedHeaders: ['from', 'date'],
          signTime: 1,
          expiresAt: 2,
        },
        { index: 1, keyBits: null, keyError: 'NXDOMAIN' },
      ],
    };
    const sha = insertFixture(db, run, spec);
    const stored = (
      db.prepare(`SELECT ${selectList(SIGNATURE_CODEC)} FROM signatures WHERE sha256 = ? ORDER BY idx`).all(sha) as Record<
        string,
        unknown
      >[]
    ).map((r) => readRow(SIGNATURE_CODEC, r));
    expect(stored).toEqual(analyse(spec).verification.signatures);
    // A column renamed (here by hand; in a migration the same) changes one line of the map, not the type.
    db.exec('ALTER TABLE signatures RENAME COLUMN key_bits TO key_size');
    const renamed: RowCodec<SignatureCheck> = { ...SIGNATURE_CODEC, keyBits: column('key_size') };
    const again = (
      db.prepare(`SELECT ${selectList(renamed)} FROM signatures WHERE sha256 = ? ORDER BY idx`).all(sha) as Record<string, unknown>[]
    ).map((r) => readRow(renamed, r));
    expect(again).toEqual(stored);
    db.close();
  });
});
