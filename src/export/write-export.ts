// Writes export rows as CSV, JSON or NDJSON to a stream, with backpressure: the export of a
// million messages never sits in memory. Shared by the CLI and the review screens.
import type { Writable } from 'node:stream';
import { once } from 'node:events';

export const EXPORT_FORMATS = ['csv', 'json', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * Cells starting with these characters are run as formulas by spreadsheet programs. Values come
 * from hostile mail (a Subject of `=HYPERLINK(...)`), so such cells get a leading apostrophe.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function writeExport(
  rows: Iterable<Record<string, unknown>>,
  columns: readonly string[],
  format: ExportFormat,
  out: Writable,
): Promise<number> {
  let n = 0;
  const write = async (chunk: string): Promise<void> => {
    if (!out.write(chunk)) await once(out, 'drain');
  };
  if (format === 'csv') await write(columns.join(',') + '\r\n');
  if (format === 'json') await write('[');
  for (const row of rows) {
    if (format === 'csv') await write(columns.map((c) => csvCell(row[c])).join(',') + '\r\n');
    else {
      const obj = Object.fromEntries(columns.map((c) => [c, row[c] ?? null]));
      if (format === 'json') await write((n ? ',\n' : '\n') + JSON.stringify(obj));
      else await write(JSON.stringify(obj) + '\n');
    }
    n++;
  }
  if (format === 'json') await write(n ? '\n]\n' : ']\n');
  return n;
}
