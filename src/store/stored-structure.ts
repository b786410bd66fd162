// A message's parsed structure as message_content.parsed keeps it: without what the message's bytes,
// stored in the same row, already hold. The header list (each header's text as written and its
// unfolded value) and each Received hop's text were about 2 KB of a small message's 2.9 KB of JSON,
// so the bytes' headers were stored three times. Whoever needs them reads them again from the bytes
// (src/parse/stored-headers.ts); records stored before this keep them in their JSON.
import type { StorableParsed, StoredStructure } from '../model.ts';

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

/** A stored structure as it was stored (with the header list for records written before this). */
export function readStoredStructure(json: string): StoredStructure {
  return JSON.parse(json) as StoredStructure;
}
