// Zip defects of issue 9: an overlapping-entry bomb (many directory entries pointing at one
// compressed entry, each at an ordinary ratio), many small super-compressed entries that stay
// under the per-entry floor, and a central directory damaged half-way whose later entries are intact.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomFillSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { InputItem } from '../../src/model.ts';
import { readInputs } from '../../src/import/read-inputs.ts';
import { DEFAULT_LIMITS } from '../../src/import/limits.ts';
import { buildZip } from '../helpers/zip-writer.ts';
import { overlapEntries } from '../helpers/hostile-zips.ts';

const dir = mkdtempSync(join(tmpdir(), 'leaktriage-zip-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(path: string): Promise<InputItem[]> {
  const items: InputItem[] = [];
  for await (const item of readInputs([path])) items.push(item);
  return items;
}

function codes(items: InputItem[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) {
    const code = i.kind === 'message' ? 'message' : i.kind === 'failure' ? i.failure.code : i.code;
    out[code] = (out[code] ?? 0) + 1;
  }
  return out;
}

/** A message of `size` bytes that deflates about 10:1 (random bytes among spaces). */
function compressibleMessage(size: number): Buffer {
  const bytes = Buffer.alloc(size, 0x20);
  const head = Buffer.from('From: a@example.org\r\nSubject: big\r\n\r\n');
  head.copy(bytes);
  const noise = Buffer.alloc(64);
  for (let at = head.length; at + 1024 <= size; at += 1024) {
    randomFillSync(noise);
    for (let i = 0; i < noise.length; i++) bytes[at + i] = 0x41 + (noise[i]! % 26);
  }
  return bytes;
}

describe('hostile zips', () => {
  it('refuses entries whose bytes overlap an entry already read (regression: 400 entries on one, 8 GiB)', async () => {
    const big = compressibleMessage(4 * 1024 * 1024);
    const zip = overlapEntries(buildZip([{ name: 'a.eml', data: big }]), 100);
    const path = join(dir, 'overlap.zip');
    writeFileSync(path, zip);
    expect(big.length / zip.length).toBeLessThan(DEFAULT_LIMITS.maxCompressionRatio);
    const items = await collect(path);
    expect(codes(items)).toEqual({ message: 1, 'zip/overlapping-entries': 99 });
    const first = items.find((i) => i.kind === 'failure');
    expect(first?.kind === 'failure' && first.failure.reason).toMatch(/overlap those of "a\.eml".*zip bomb/);
  });

  it('caps what one archive inflates to at maxCompressionRatio times its own size', async () => {
    // Each entry is under the 1 MiB floor below which a ratio is not judged; together they are a bomb.
    const entry = Buffer.concat([Buffer.from('From: a@example.org\r\nSubject: s\r\n\r\n'), Buffer.alloc(1024 * 1024 - 64, 0x20)]);
    const zip = buildZip(Array.from({ length: 60 }, (_, i) => ({ name: `m${i}.eml`, data: entry })));
    const path = join(dir, 'many-small.zip');
    writeFileSync(path, zip);
    const cap = Math.max(DEFAULT_LIMITS.ratioFloorBytes, zip.length * DEFAULT_LIMITS.maxCompressionRatio);
    const items = await collect(path);
    const read = Math.floor(cap / entry.length);
    expect(codes(items)).toEqual({ message: read, 'zip/bomb': 60 - read });
    const bomb = items.find((i) => i.kind === 'failure');
    expect(bomb?.kind === 'failure' && bomb.failure.reason).toContain(`beyond ${cap} bytes in total`);
  });

  it('reads the intact entries after a central directory damaged after 10 entries (regression: stopped at 10 of 36)', async () => {
    const entries = Array.from({ length: 36 }, (_, i) => ({
      name: `mail/${String(i).padStart(2, '0')}.eml`,
      data: `From: a${i}@example.org\r\nSubject: ${i}\r\n\r\nbody ${i}\r\n`,
    }));
    const zip = buildZip(entries);
    // Overwrite the signature of the 11th central directory record.
    let at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    for (let i = 0; i < 10; i++) at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4);
    zip.write('JUNK', at, 'latin1');
    const path = join(dir, 'damaged-directory.zip');
    writeFileSync(path, zip);
    const items = await collect(path);
    expect(codes(items)).toEqual({ message: 36, 'zip/corrupt': 1 });
    const paths = items.flatMap((i) => (i.kind === 'message' ? [i.message.source.path.split('!/')[1]] : []));
    expect(paths).toEqual(entries.map((e) => e.name));
    const failure = items.find((i) => i.kind === 'failure');
    expect(failure?.kind === 'failure' && failure.failure.reason).toMatch(
      /damaged after 10 entries; the entries after them are read from their own headers/,
    );
  });
});
