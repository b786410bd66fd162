// The tags of a DKIM-Signature header as written (RFC 6376 3.2), read before verification so the
// as-of time (t=) is known and every signature is recorded, even one the verifier rejects.
import type { RawHeader } from '../model.ts';

export interface SignatureTags {
  header: RawHeader;
  tags: Map<string, string>;
}

export function readSignatureTags(headers: RawHeader[]): SignatureTags[] {
  return headers
    .filter((h) => h.key === 'dkim-signature')
    .map((header) => {
      const tags = new Map<string, string>();
      for (const part of header.value.split(';')) {
        const eq = part.indexOf('=');
        if (eq === -1) continue;
        const name = part.slice(0, eq).trim();
        // Tag names are case-sensitive; the first occurrence counts (a repeat is a syntax error).
        if (!tags.has(name)) tags.set(name, part.slice(eq + 1).trim());
      }
      return { header, tags };
    });
}

export function numericTag(tags: Map<string, string>, name: string): number | null {
  const v = tags.get(name);
  if (v === undefined || !/^\d{1,12}$/.test(v)) return null;
  return Number(v);
}

export function signedHeaderList(tags: Map<string, string>): string[] {
  return (tags.get('h') ?? '')
    .split(':')
    .map((s) => s.replace(/\s+/g, '').toLowerCase())
    .filter((s) => s.length > 0);
}
