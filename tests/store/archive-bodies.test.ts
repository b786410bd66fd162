// readBodies holds at most a budget of decoded text at once (MAX_COMPARED_TEXT_CHARS in the archive
// pass): a message that would go beyond it is not read, a smaller one after it still is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/database.ts';
import type { Db } from '../../src/store/database.ts';
import { readBodies } from '../../src/store/archive-repo.ts';
import { importPaths } from '../../src/pipeline/run-import.ts';

const dir = mkdtempSync(join(tmpdir(), 'lt-bodies-'));
let db: Db;
/** Hash of each message by the length of its body text. */
const byLength = new Map<number, string>();

function message(n: number, body: string): string {
  return [
    'From: Ana <ana@example.org>',
    'To: Bo <bo@example.org>',
    `Subject: note ${n}`,
    'Date: Mon, 3 Mar 2025 09:00:00 +0000',
    `Message-ID: <n${n}@example.org>`,
    'Content-Type: text/plain; charset=us-ascii',
    '',
    body,
  ].join('\r\n');
}

beforeAll(async () => {
  mkdirSync(join(dir, 'dump'));
  const bodies = ['a'.repeat(100), 'b'.repeat(5000), 'c'.repeat(300)];
  bodies.forEach((b, i) => writeFileSync(join(dir, 'dump', `${i}.eml`), message(i, b)));
  db = openDatabase(join(dir, 'db.sqlite'));
  await importPaths(db, [join(dir, 'dump')], { workers: 0 });
  for (const r of db.prepare('SELECT sha256, length(body_text) AS n FROM full_messages').all() as { sha256: string; n: number }[])
    byLength.set(Math.round(r.n / 100) * 100, r.sha256);
});

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('readBodies', () => {
  it('reads every body that fits the budget', () => {
    const shas = [100, 5000, 300].map((n) => byLength.get(n)!);
    const bodies = readBodies(db, shas, 1_000_000);
    expect([...bodies.keys()]).toEqual(shas);
    expect(bodies.get(shas[1]!)!.text).toContain('bbbb');
  });

  it('leaves out a body beyond the budget and still reads a smaller one after it', () => {
    const shas = [100, 5000, 300].map((n) => byLength.get(n)!);
    const bodies = readBodies(db, shas, 1000);
    expect([...bodies.keys()]).toEqual([shas[0], shas[2]]);
    expect(bodies.get(shas[2]!)!.text).toContain('ccc');
  });
});
