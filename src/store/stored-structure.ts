// A message's parsed structure as message_content.parsed keeps it: without what the message's bytes,
// stored in the same row, already hold. The header list (each header's text as written and its
// unfolded value) and each Received hop's text were about 2 KB of a small message's 2.9 KB of JSON,
// so the bytes' headers were stored three times. Whoever needs them reads them again from the bytes
// (src/parse/stored-headers.ts); records stored before this keep them in their JSON.
import type { StorableParsed, StoredStructure } from '../model.ts';

/** A hop without its text (field by field, so the text is left out whatever the object carries). */
function hopFacts({ index, from, by, time, epoch, zone }: StorableParsed['received'][number]): StorableParsed['received'][number] {
  return { index, from, by, time, epoch, zone };
}

/**
 * The JSON stored in message_content.parsed (the bodies are columns of their own): the parse without
 * what the bytes hold. Made where the message is analysed (messages-repo.ts encodeMessageRows).
 */
export function storedStructureJson(p: StorableParsed): string {
  const { headers: _headers, text: _text, html: _html, received, ...rest } = p as StorableParsed & { headers?: unknown };
  return JSON.stringify({ ...rest, received: received.map(hopFacts) });
}

/** A stored structure as it was stored (with the header list for records written before this). */
export function readStoredStructure(json: string): StoredStructure {
  return JSON.parse(json) as StoredStructure;
}
