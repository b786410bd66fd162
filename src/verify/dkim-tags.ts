// The tags of a DKIM-Signature header as written (RFC 6376 3.2), read before verification so the
// as-of time (t=) is known and every signature is recorded, even one the verifier rejects.
import type { RawHeader } from '../model.ts';

export interface SignatureTags {
  header: RawHeader;
  tags: Map<string, string>;
}

export function readSignatureTags(headers: RawHeader[]): SignatureTags[] {
  return headers.filter((h) => h.key === 'dkim-signature').map((header) => ({ header, tags: readTagList(header.value).tags }));
}

/** A tag=value list as written, and why it breaks RFC 6376 3.2 (null when it does not). */
export interface TagList {
  tags: Map<string, string>;
  problem: string | null;
}

/**
 * The one reader of RFC 6376 3.2 tag=value lists (signatures, key records): ';'-separated, a
 * trailing ';' allowed; names case-sensitive; the first of a repeated name kept (a repeat is a
 * syntax error, said in `problem`); values trimmed, or with every space removed (`remove`: key
 * records and base64, where folding whitespace means nothing).
 */
export function readTagList(text: string, whitespace: 'trim' | 'remove' = 'trim'): TagList {
  const tags = new Map<string, string>();
  let problem: string | null = null;
  const parts = text.split(';');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!.trim();
    if (part === '') {
      if (i === parts.length - 1 && i > 0) continue;
      problem ??= 'empty tag';
      continue;
    }
    const eq = part.indexOf('=');
    if (eq <= 0) {
      problem ??= 'tag without value';
      continue;
    }
    const name = part.slice(0, eq).trim();
    if (tags.has(name)) {
      problem ??= `tag ${name} repeated`;
      continue;
    }
    const value = part.slice(eq + 1);
    tags.set(name, whitespace === 'remove' ? value.replace(/\s+/g, '') : value.trim());
  }
  return { tags, problem };
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
