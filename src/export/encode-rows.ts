// The one encoder of tabular downloads: CSV, JSON and NDJSON, with a row cap and an explicit marker
// when the cap cuts a download short. The command-line export, the review server's downloads and
// the list pages' .csv twins all stream through it. It yields text in chunks, so a million rows
// never sit in memory; the caller pipes them (stream.pipeline) and gets backpressure for free.

export const EXPORT_FORMATS = ['csv', 'json', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export type Cell = string | number | null;

/** One column of a table: its name (the CSV header and the JSON key) and how a row gives its value. */
export interface Column<T> {
  name: string;
  cell: (row: T) => Cell;
}

/** What an encoding wrote, filled in as it goes (read it once the stream has ended). */
export interface ExportTally {
  rows: number;
  truncated: boolean;
}

export interface EncodeOptions {
  /** Rows written at most; past it the download ends with the truncation marker. Default: no cap. */
  cap?: number;
  /** The column that carries the truncation note in CSV and NDJSON (default: the last one). */
  noteColumn?: string;
  tally?: ExportTally;
}

/**
 * Cells starting with these characters are run as formulas by spreadsheet programs. Values come
 * from hostile mail (a Subject of `=HYPERLINK(...)`), so such cells get a leading apostrophe.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** The marker row's first cell: no message id or row id looks like it. */
export const TRUNCATED_MARKER = '#truncated';

export function csvCell(v: Cell | undefined): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvLine(values: (Cell | undefined)[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}

export function truncationNote(cap: number): string {
  return `export truncated after ${cap} rows; narrow the filter to get the rest`;
}

/**
 * The rows as text in `format`:
 * - csv: a header line, then one line per row (CRLF); cut short, a last row whose first cell is
 *   `#truncated` and whose note column says why;
 * - ndjson: one object per line, keys in column order; cut short, the same marker row as an object;
 * - json: one document `{"ok":true,"columns":[…],"rows":[{…},…],"truncated":false}`; cut short,
 *   `"truncated":true` and a `"note"`.
 */
export function* encodeRows<T>(
  rows: Iterable<T>,
  columns: readonly Column<T>[],
  format: ExportFormat,
  options: EncodeOptions = {},
): Generator<string> {
  yield* inChunks(encode(rows, columns, format, options));
}

function* encode<T>(rows: Iterable<T>, columns: readonly Column<T>[], format: ExportFormat, options: EncodeOptions): Generator<string> {
  const cap = options.cap ?? Infinity;
  const tally = options.tally ?? { rows: 0, truncated: false };
  const names = columns.map((c) => c.name);
  const object = (values: Cell[]): string => JSON.stringify(Object.fromEntries(names.map((n, i) => [n, values[i] ?? null])));
  if (format === 'csv') yield csvLine(names);
  if (format === 'json') yield `{"ok":true,"columns":${JSON.stringify(names)},"rows":[`;
  for (const row of rows) {
    if (tally.rows >= cap) {
      tally.truncated = true;
      break;
    }
    const values = columns.map((c) => c.cell(row));
    if (format === 'csv') yield csvLine(values);
    else if (format === 'ndjson') yield object(values) + '\n';
    else yield (tally.rows ? ',\n' : '\n') + object(values);
    tally.rows++;
  }
  if (format === 'json') {
    const note = tally.truncated ? `,"note":${JSON.stringify(truncationNote(cap))}` : '';
    yield `\n],"truncated":${tally.truncated}${note}}\n`;
  } else if (tally.truncated) {
    const noteColumn = options.noteColumn ?? names.at(-1);
    const marker = names.map((n, i) => (i === 0 ? TRUNCATED_MARKER : n === noteColumn ? truncationNote(cap) : null));
    yield format === 'csv' ? csvLine(marker) : object(marker) + '\n';
  }
}

/** Joins small strings into ~64 KiB chunks: one write per row would dominate the time. */
function* inChunks(src: Iterable<string>): Generator<string> {
  let buf = '';
  for (const s of src) {
    buf += s;
    if (buf.length >= 65536) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}
