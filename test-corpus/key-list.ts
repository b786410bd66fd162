// The test keys of the corpus: which exist, and where their files live. Shared by make-keys.ts
// (which creates them once) and the generator and tests (which only read them).
import { readFileSync } from 'node:fs';

export interface TestKeySpec {
  domain: string;
  selector: string;
  type: 'rsa' | 'ed25519';
  /** RSA modulus length; 512 on purpose for the weak key (RFC 8301: < 1024 must not count). */
  bits?: number;
  note: string;
}

export const KEY_SPECS: readonly TestKeySpec[] = [
  { domain: 'example-news.org', selector: 'sel2024', type: 'rsa', bits: 2048, note: 'the news platform, current key' },
  { domain: 'example-news.org', selector: 'ed', type: 'ed25519', note: 'the news platform, ed25519 (RFC 8463)' },
  { domain: 'example-news.org', selector: 'weak', type: 'rsa', bits: 512, note: 'too short: RFC 8301 says it must not count' },
  { domain: 'ministry.example', selector: 'mail', type: 'rsa', bits: 2048, note: 'a domain that signs everything' },
  { domain: 'example-nevvs.org', selector: 'sel1', type: 'rsa', bits: 2048, note: 'look-alike of example-news.org' },
  { domain: 'campaign.example', selector: 'rot2023', type: 'rsa', bits: 2048, note: 'rotated key, also in archive.json' },
];

export const KEYS_DIR = new URL('./keys/', import.meta.url);

export function keyName(spec: Pick<TestKeySpec, 'domain' | 'selector'>): string {
  return `${spec.selector}._domainkey.${spec.domain}`;
}

export function privateKeyFile(spec: Pick<TestKeySpec, 'domain' | 'selector'>): URL {
  return new URL(`${keyName(spec)}.private.pem`, KEYS_DIR);
}

export function txtValueFile(spec: Pick<TestKeySpec, 'domain' | 'selector'>): URL {
  return new URL(`${keyName(spec)}.txt`, KEYS_DIR);
}

export function readPrivateKey(domain: string, selector: string): string {
  return readFileSync(privateKeyFile({ domain, selector }), 'utf8');
}

/** Longest character-string in a TXT record (RFC 1035 section 3.3): longer values are split. */
export const TXT_STRING_MAX = 255;

/** A BIND-style TXT line, the value split into quoted strings of at most 255 characters. */
export function formatZoneLine(name: string, value: string): string {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += TXT_STRING_MAX) parts.push(`"${value.slice(i, i + TXT_STRING_MAX)}"`);
  return `${name}. IN TXT ${parts.join(' ')}`;
}

/**
 * Reads the zone file back into name -> TXT value. Only what our zone files contain: one record
 * per line, `;` comments, quoted strings joined without separators (RFC 6376 section 3.6.2.2).
 */
export function readZoneFile(file: URL): Map<string, string> {
  const records = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^(\S+)\.\s+IN\s+TXT\s+(.*)$/.exec(line.trim());
    if (!match) continue;
    const strings = [...match[2]!.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    records.set(match[1]!.toLowerCase(), strings.join(''));
  }
  return records;
}
