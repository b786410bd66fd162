// A message's parsed structure as message_content.parsed keeps it: without what the message's bytes,
// stored in the same row, already hold. The header list (each header's text as written and its
// unfolded value) and each Received hop's text were about 2 KB of a small message's 2.9 KB of JSON,
// so the bytes' headers were stored three times. They are read again from the bytes, by the same
// functions that read them at import, when a screen or a check needs them. Records stored before
// this (with `headers` in the JSON) are read as they are.
import type { ParsedMessage, RawHeader, StorableParsed } from '../model.ts';
import { readHeaderList, splitHeaderSection } from '../parse/header-section.ts';

/** What the parser recorded of the message's structure (the bodies are columns of their own). */
export type ParsedStructure = Omit<ParsedMessage, 'text' | 'html'>;

type StoredJson = Omit<StorableParsed, 'text' | 'html'> & { headers?: RawHeader[] };

/**
 * The parse without what the bytes hold: what an analysis worker hands over and the store writes.
 * Takes a whole ParsedMessage too (its header list and hops' text are left out).
 */
export function storableParsed(p: StorableParsed): StorableParsed {
  const { headers: _headers, received, ...rest } = p as StorableParsed & { headers?: unknown };
  // Field by field, so a hop's raw text is left out whatever the object carries.
  return { ...rest, received: received.map(({ index, from, by, time, epoch, zone }) => ({ index, from, by, time, epoch, zone })) };
}

/** The JSON stored in message_content.parsed. */
export function storedStructureJson(p: StorableParsed): string {
  const { text: _text, html: _html, ...structure } = storableParsed(p);
  return JSON.stringify(structure);
}

/** The header list as the parser reads it from the bytes (src/parse/header-section.ts). */
export function headersOf(raw: Buffer): RawHeader[] {
  return readHeaderList(raw, splitHeaderSection(raw)).headers;
}

/** The stored structure with its header list and hops' text read again from the stored bytes. */
export function readStoredStructure(json: string, raw: Buffer): ParsedStructure {
  const stored = JSON.parse(json) as StoredJson;
  if (stored.headers) return stored as ParsedStructure;
  const headers = headersOf(raw);
  const received = headers.filter((h) => h.key === 'received');
  return { ...stored, headers, received: stored.received.map((hop) => ({ ...hop, raw: received[hop.index]?.raw ?? '' })) };
}
