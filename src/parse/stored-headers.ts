// The header list and the Received hops' text of a stored message, read again from its bytes. The
// store keeps a message's parsed structure without them (src/store/stored-structure.ts): they were
// about 2 KB of a small message's 2.9 KB of JSON, a second and third copy of its header section.
// They are read here with the same reader that read them at import, so they come back the same.
import type { ParsedStructure, RawHeader, StoredStructure } from '../model.ts';
import { readHeaderList, splitHeaderSection } from './header-section.ts';

/** The header list as the parser reads it from a message's bytes. */
export function headersOf(raw: Buffer): RawHeader[] {
  return readHeaderList(raw, splitHeaderSection(raw)).headers;
}

/** The whole structure: a record stored with its header list (before the change) is taken as it is. */
export function completeStructure(stored: StoredStructure, raw: Buffer): ParsedStructure {
  if (stored.headers)
    return { ...stored, headers: stored.headers, received: stored.received.map((hop) => ({ ...hop, raw: hop.raw ?? '' })) };
  const headers = headersOf(raw);
  const received = headers.filter((h) => h.key === 'received');
  return { ...stored, headers, received: stored.received.map((hop) => ({ ...hop, raw: received[hop.index]?.raw ?? '' })) };
}
