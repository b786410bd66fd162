import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { csvCell, writeExport } from '../../src/export/write-export.ts';

async function render(format: 'csv' | 'json' | 'ndjson', rows: Record<string, unknown>[]): Promise<string> {
  const s = new PassThrough();
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  await writeExport(rows, ['a', 'b'], format, s);
  s.end();
  return Buffer.concat(chunks).toString('utf8');
}

describe('export writer', () => {
  it('quotes CSV cells with commas, quotes and newlines, and defuses spreadsheet formulas', async () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,"b"\nc')).toBe('"a,""b""\nc"');
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell(null)).toBe('');
    expect(await render('csv', [{ a: 1, b: '-2' }])).toBe("a,b\r\n1,'-2\r\n");
  });

  it('writes JSON as one array and NDJSON as one object a line, with every column', async () => {
    expect(JSON.parse(await render('json', [{ a: 1 }, { a: 2, b: 'x' }]))).toEqual([
      { a: 1, b: null },
      { a: 2, b: 'x' },
    ]);
    expect(JSON.parse(await render('json', []))).toEqual([]);
    expect(
      (await render('ndjson', [{ a: 1 }, { b: 2 }]))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { a: 1, b: null },
      { a: null, b: 2 },
    ]);
  });
});
