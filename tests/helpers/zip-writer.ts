// Hostile and ordinary archives for the import tests, made from code with the corpus's zip writer.
import { writeZip } from '../../test-corpus/zip-writer.ts';
import type { ZipEntry } from '../../test-corpus/zip-writer.ts';

export type ZipEntrySpec = Omit<ZipEntry, 'data'> & { data: Buffer | string };

export function buildZip(entries: ZipEntrySpec[]): Buffer {
  return writeZip(entries.map((e) => ({ ...e, data: Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data) })));
}
