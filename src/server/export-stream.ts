// Streamed downloads of the filtered queue in the CLI export's columns, and CSV encoding. Rows are read
// in chunks so no statement stays open while the client is slow to read.
import { Readable } from 'node:stream';
import { csvCell } from '../export/write-export.ts';
import type { Db } from '../store/database.ts';
import { EXPORT_COLUMNS, iterateExportRows, type ExportRow } from '../store/export-repo.ts';
import { iterateQueueIds, type QueueFilter, type QueueSort } from '../store/queue-repo.ts';

/** Rows per download. Beyond it the download ends with an explicit truncation marker. */
export const EXPORT_CAP = 1_000_000;

/** The CLI export's cell encoding, spreadsheet-formula defusing included: one CSV for both. */
export const csvField = csvCell;

export function csvLine(values: unknown[]): string {
  return values.map(csvField).join(',') + '\r\n';
}

/** Export rows of the filtered queue, in queue order; `truncated` after the cap. */
export function* exportRows(db: Db, filter: QueueFilter, sort: QueueSort, cap: number): Generator<ExportRow | 'truncated'> {
  let n = 0;
  for (const ids of iterateQueueIds(db, filter, sort)) {
    const order = new Map(ids.map((id, i) => [id, i]));
    const rows = [...iterateExportRows(db, { sha256s: ids })];
    rows.sort((a, b) => (order.get(String(a.sha256)) ?? 0) - (order.get(String(b.sha256)) ?? 0));
    for (const r of rows) {
      if (n++ >= cap) {
        yield 'truncated';
        return;
      }
      yield r;
    }
  }
}

function truncationNote(cap: number): string {
  return `export truncated after ${cap} rows; narrow the filter to get the rest`;
}

export function csvExport(db: Db, filter: QueueFilter, sort: QueueSort, cap = EXPORT_CAP): Readable {
  function* lines(): Generator<string> {
    yield csvLine([...EXPORT_COLUMNS]);
    for (const r of exportRows(db, filter, sort, cap)) {
      // The marker row: an id no message can have, and the reason in the summary column.
      if (r === 'truncated')
        yield csvLine(EXPORT_COLUMNS.map((c) => (c === 'sha256' ? '#truncated' : c === 'summary' ? truncationNote(cap) : '')));
      else yield csvLine(EXPORT_COLUMNS.map((c) => r[c]));
    }
  }
  return Readable.from(batch(lines()));
}

export function jsonExport(db: Db, filter: QueueFilter, sort: QueueSort, cap = EXPORT_CAP): Readable {
  function* parts(): Generator<string> {
    yield `{"ok":true,"columns":${JSON.stringify(EXPORT_COLUMNS)},"rows":[`;
    let first = true;
    let truncated = false;
    for (const r of exportRows(db, filter, sort, cap)) {
      if (r === 'truncated') {
        truncated = true;
        break;
      }
      yield (first ? '\n' : ',\n') + JSON.stringify(r);
      first = false;
    }
    yield `\n],"truncated":${truncated}${truncated ? `,"note":${JSON.stringify(truncationNote(cap))}` : ''}}\n`;
  }
  return Readable.from(batch(parts()));
}

/** Joins small strings into ~64 KiB chunks: one write per row would dominate the time. */
function* batch(src: Generator<string>): Generator<string> {
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

/** Generic CSV of plain objects (the imports page's failures). */
export function csvOf<T extends object>(columns: (keyof T & string)[], chunks: Iterable<T[]>): Readable {
  function* lines(): Generator<string> {
    yield csvLine(columns);
    for (const rows of chunks) for (const r of rows) yield csvLine(columns.map((c) => r[c]));
  }
  return Readable.from(batch(lines()));
}
