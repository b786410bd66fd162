// The one encoder of downloads: CSV quoting and formula defusing, the three formats, the cap and the
// truncation marker.
import { describe, expect, it } from 'vitest';
import { csvCell, encodeRows, type Column, type ExportFormat, type ExportTally } from '../../src/export/encode-rows.ts';

const COLUMNS: Column<Record<string, string | number | null>>[] = [
  { name: 'a', cell: (r) => r.a ?? null },
  { name: 'b', cell: (r) => r.b ?? null },
];

function render(format: ExportFormat, rows: Record<string, string | number | null>[], cap?: number, tally?: ExportTally): string {
  return [...encodeRows(rows, COLUMNS, format, { cap, tally })].join('');
}

describe('CSV cells', () => {
  it('quote separators, quotes and line breaks', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "x"')).toBe('"say ""x"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('a,"b"\nc')).toBe('"a,""b""\nc"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(42)).toBe('42');
  });

  it('defuse what a spreadsheet would run as a formula, and only text', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    for (const s of ['+1', '-2', '@SUM(A1)', '\tx']) expect(csvCell(s)).toBe(`'${s}`);
    expect(csvCell(-2)).toBe('-2');
    expect(render('csv', [{ a: 1, b: '-2' }])).toBe("a,b\r\n1,'-2\r\n");
  });
});

describe('formats', () => {
  it('writes JSON as one document with its columns, rows and truncated flag', () => {
    expect(JSON.parse(render('json', [{ a: 1 }, { a: 2, b: 'x' }]))).toEqual({
      ok: true,
      columns: ['a', 'b'],
      rows: [
        { a: 1, b: null },
        { a: 2, b: 'x' },
      ],
      truncated: false,
    });
    expect(JSON.parse(render('json', []))).toEqual({ ok: true, columns: ['a', 'b'], rows: [], truncated: false });
  });

  it('writes NDJSON as one object a line, every column present, in column order', () => {
    const text = render('ndjson', [{ b: 2 }, { a: 1 }]);
    expect(text.split('\n')).toEqual(['{"a":null,"b":2}', '{"a":1,"b":null}', '']);
  });

  it('gives the same rows in all three formats', () => {
    const rows = [
      { a: 'x,y', b: 3 },
      { a: null, b: 'é' },
    ];
    const fromJson = JSON.parse(render('json', rows)).rows;
    const fromNd = render('ndjson', rows)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(fromNd).toEqual(fromJson);
    expect(render('csv', rows)).toBe('a,b\r\n"x,y",3\r\n,é\r\n');
  });
});

describe('the row cap', () => {
  const rows = [{ a: 1 }, { a: 2 }, { a: 3 }];

  it('ends a capped CSV or NDJSON with a marker row that says why, and JSON with truncated and a note', () => {
    const tally: ExportTally = { rows: 0, truncated: false };
    const csv = render('csv', rows, 2, tally).split('\r\n');
    expect(csv).toEqual(['a,b', '1,', '2,', '#truncated,export truncated after 2 rows; narrow the filter to get the rest', '']);
    expect(tally).toEqual({ rows: 2, truncated: true });
    const nd = render('ndjson', rows, 2).trim().split('\n');
    expect(JSON.parse(nd.at(-1) ?? '')).toEqual({ a: '#truncated', b: 'export truncated after 2 rows; narrow the filter to get the rest' });
    const json = JSON.parse(render('json', rows, 2));
    expect(json).toMatchObject({ truncated: true, note: 'export truncated after 2 rows; narrow the filter to get the rest' });
    expect(json.rows).toHaveLength(2);
  });

  it('adds no marker when the rows fit the cap exactly', () => {
    const tally: ExportTally = { rows: 0, truncated: false };
    expect(render('csv', rows, 3, tally)).not.toContain('#truncated');
    expect(tally).toEqual({ rows: 3, truncated: false });
    expect(JSON.parse(render('json', rows, 3)).truncated).toBe(false);
  });
});

describe('streaming', () => {
  it('yields large outputs in chunks of about 64 KiB, never one per row', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => ({ a: i, b: 'x'.repeat(20) }));
    const chunks = [...encodeRows(many, COLUMNS, 'csv')];
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.length).toBeLessThan(20);
    expect(chunks.join('').split('\r\n')).toHaveLength(20_002);
  });
});
