// Reading key files into key records: BIND zone TXT lines, mailauth's DNS-cache JSON, the corpus
// keys.json shape, and DKIM key-archive exports (archive.prove.email: domain, selector, value,
// firstSeenAt, lastSeenAt). Pure functions over text; the CLI reads the file.
import { basename } from 'node:path';
import type { KeyRecord, KeySourceKind } from '../model.ts';

export class KeyFileError extends Error {
  override name = 'KeyFileError';
}

export function keyName(selector: string, domain: string): string {
  return `${selector}._domainkey.${domain}`.toLowerCase().replace(/\.$/, '');
}

/** Splits `selector._domainkey.domain` into its parts; null for a name that is not a DKIM key name. */
export function splitKeyName(name: string): { selector: string; domain: string } | null {
  const n = name.toLowerCase().replace(/\.$/, '');
  const at = n.indexOf('._domainkey.');
  if (at <= 0) return null;
  return { selector: n.slice(0, at), domain: n.slice(at + '._domainkey.'.length) };
}

function record(name: string, value: string, kind: KeySourceKind, source: string, extra: Partial<KeyRecord> = {}): KeyRecord | null {
  const parts = splitKeyName(name);
  if (!parts) return null;
  return {
    name: keyName(parts.selector, parts.domain),
    domain: parts.domain,
    selector: parts.selector,
    value,
    sourceKind: kind,
    source,
    firstSeen: null,
    lastSeen: null,
    fetchedAt: null,
    dnsError: null,
    ...extra,
  };
}

/** Reads a key file by its content: JSON (three shapes) or BIND zone text. */
export function readKeyFile(text: string, fileName: string): { records: KeyRecord[]; ignored: string[] } {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new KeyFileError(`${fileName}: not valid JSON (${(err as Error).message})`);
    }
    return readKeyJson(data, fileName);
  }
  return readZoneText(text, fileName);
}

/**
 * BIND zone-file TXT records: `name [ttl] [IN] TXT "part" "part"`, possibly spread over lines in
 * parentheses. Several quoted strings are joined without separators (RFC 6376 3.6.2.2).
 */
export function readZoneText(text: string, fileName: string): { records: KeyRecord[]; ignored: string[] } {
  const source = `zone:${basename(fileName)}`;
  const records: KeyRecord[] = [];
  const ignored: string[] = [];
  let origin = '';
  for (const entry of zoneEntries(text)) {
    const originMatch = /^\$ORIGIN\s+(\S+)/i.exec(entry);
    if (originMatch) {
      origin = originMatch[1]!.replace(/\.$/, '');
      continue;
    }
    const m = /^(\S+)\s+(?:\d+\s+)?(?:IN\s+)?(?:\d+\s+)?TXT\s+(.*)$/i.exec(entry);
    if (!m) {
      if (entry.trim()) ignored.push(`not a TXT record: ${entry.slice(0, 80)}`);
      continue;
    }
    let name = m[1]!;
    if (!name.endsWith('.') && origin) name = `${name}.${origin}`;
    const strings = [...m[2]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => x[1]!.replace(/\\(.)/g, '$1'));
    if (strings.length === 0) {
      ignored.push(`TXT record without a quoted string: ${name}`);
      continue;
    }
    const r = record(name, strings.join(''), 'zone', source);
    if (r) records.push(r);
    else ignored.push(`not a DKIM key name (selector._domainkey.domain): ${name}`);
  }
  return { records, ignored };
}

/** Logical entries of a zone file: comments removed (outside quotes), parentheses joined. */
function* zoneEntries(text: string): Generator<string> {
  let buf = '';
  let depth = 0;
  for (const line of text.split(/\r?\n/)) {
    let out = '';
    let inQuote = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (c === '\\' && inQuote) {
        out += c + (line[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === '"') inQuote = !inQuote;
      if (!inQuote && c === ';') break;
      if (!inQuote && c === '(') {
        depth++;
        out += ' ';
        continue;
      }
      if (!inQuote && c === ')') {
        depth = Math.max(0, depth - 1);
        out += ' ';
        continue;
      }
      out += c;
    }
    buf += (buf ? ' ' : '') + out.trim();
    if (depth === 0) {
      if (buf.trim()) yield buf.trim();
      buf = '';
    }
  }
  if (buf.trim()) yield buf.trim();
}

const DNS_ERRORS = new Set(['NXDOMAIN', 'TIMEOUT', 'SERVFAIL']);

export function readKeyJson(data: unknown, fileName: string): { records: KeyRecord[]; ignored: string[] } {
  const file = basename(fileName);
  const records: KeyRecord[] = [];
  const ignored: string[] = [];
  const push = (r: KeyRecord | null, what: string): void => {
    if (r) records.push(r);
    else ignored.push(`not a DKIM key name (selector._domainkey.domain): ${what}`);
  };
  if (Array.isArray(data)) {
    // Key-archive export: [{ domain, selector, value, firstSeenAt, lastSeenAt }]
    for (const [i, item] of data.entries()) {
      const x = item as Record<string, unknown>;
      if (typeof x?.domain !== 'string' || typeof x.selector !== 'string' || typeof x.value !== 'string') {
        ignored.push(`entry ${i}: needs string domain, selector and value`);
        continue;
      }
      push(
        record(keyName(x.selector, x.domain), x.value, 'archive', `archive:${file}`, {
          firstSeen: isoToEpoch(x.firstSeenAt),
          lastSeen: isoToEpoch(x.lastSeenAt),
        }),
        `${x.selector}/${x.domain}`,
      );
    }
    return { records, ignored };
  }
  if (data === null || typeof data !== 'object') throw new KeyFileError(`${fileName}: expected a JSON object or array`);
  const obj = data as Record<string, unknown>;
  if (obj.keys && typeof obj.keys === 'object' && !Array.isArray(obj.keys)) {
    // The corpus shape: { keys: { name: { txt: [value...], error? } } }
    for (const [name, v] of Object.entries(obj.keys as Record<string, Record<string, unknown>>)) {
      const error = typeof v.error === 'string' && DNS_ERRORS.has(v.error) ? v.error : null;
      if (error) {
        push(record(name, '', 'json', `json:${file}`, { dnsError: error }), name);
        continue;
      }
      const txt = Array.isArray(v.txt) ? v.txt : [];
      for (const value of txt) if (typeof value === 'string') push(record(name, value, 'json', `json:${file}`), name);
    }
    return { records, ignored };
  }
  // mailauth's DNS cache: { name: { TXT: [[ "part", "part" ], ...] } }
  for (const [name, v] of Object.entries(obj)) {
    const txt = (v as Record<string, unknown> | null)?.TXT;
    if (!Array.isArray(txt)) {
      ignored.push(`${name}: no TXT answer`);
      continue;
    }
    if (!splitKeyName(name)) {
      ignored.push(`not a DKIM key name (selector._domainkey.domain): ${name}`);
      continue;
    }
    for (const rr of txt) {
      const value = Array.isArray(rr) ? rr.join('') : String(rr);
      push(record(name, value, 'json', `json:${file}`), name);
    }
  }
  return { records, ignored };
}

function isoToEpoch(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.floor(v > 1e11 ? v / 1000 : v);
  if (typeof v !== 'string' || !v) return null;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}
