// The key store in memory: which key records answer a selector name, as of a given time.
import { createPublicKey } from 'node:crypto';
import { remembered } from '../common/remembered.ts';
import { readTagList } from './dkim-tags.ts';
import type { KeyObject } from 'node:crypto';
import type { KeyRecord } from '../model.ts';

export class KeyIndex {
  private readonly byName = new Map<string, KeyRecord[]>();
  private readonly domains = new Map<string, number | null>();

  constructor(records: Iterable<KeyRecord> = []) {
    for (const r of records) this.add(r);
  }

  add(r: KeyRecord): void {
    const list = this.byName.get(r.name) ?? [];
    list.push(r);
    this.byName.set(r.name, list);
    if (r.dnsError === null && r.value) {
      // Earliest time the domain is known to have published a key; null while no record is dated
      // (a zone file says a key exists, not since when).
      const prev = this.domains.get(r.domain);
      const first = r.firstSeen;
      if (prev === undefined || prev === null) this.domains.set(r.domain, first);
      else if (first !== null && first < prev) this.domains.set(r.domain, first);
    }
  }

  get size(): number {
    let n = 0;
    for (const l of this.byName.values()) n += l.length;
    return n;
  }

  /**
   * The records for a name, best first for a message verified as of `asOf`: a record seen around
   * that time, then undated records (zone files, JSON), then records seen at other times,
   * nearest first. Simulated DNS errors come last, so a real key wins over an error.
   */
  candidates(name: string, asOf: number): KeyRecord[] {
    const list = this.byName.get(name.toLowerCase().replace(/\.$/, '')) ?? [];
    const rank = (r: KeyRecord): number => {
      if (r.dnsError !== null) return 3e12;
      if (r.firstSeen === null && r.lastSeen === null) return 1;
      const from = r.firstSeen ?? -Infinity;
      const to = r.lastSeen ?? Infinity;
      if (asOf >= from && asOf <= to) return 0;
      return 2 + Math.min(Math.abs(asOf - from), Math.abs(asOf - to));
    };
    return [...list].sort((a, b) => rank(a) - rank(b));
  }

  /** Domains with at least one key, and the earliest first-seen time known for them (null: undated). */
  signingDomains(): ReadonlyMap<string, number | null> {
    return this.domains;
  }
}

export interface KeyDetails {
  keyType: string | null;
  keyBits: number | null;
  /** p= present and empty: the owner revoked the key (RFC 6376 3.6.1). */
  revoked: boolean;
}

/**
 * Reads type and size from a TXT key record, whatever the verifier made of it. Parsing a key costs
 * more than verifying with it; one dump uses few keys many times: remembered for 10,000 records.
 */
export const describeKey: (value: string) => KeyDetails = remembered(10_000, (value) => readKeyDetails(value));

function keyTags(value: string): Map<string, string> {
  return readTagList(value, 'remove').tags;
}

/** ASN.1 prefix that turns a raw 32-byte Ed25519 key (RFC 8463 4) into a SubjectPublicKeyInfo. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A raw 32-byte Ed25519 public key (a key record's p= for k=ed25519) as a key object. */
export function ed25519PublicKey(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The public key of a TXT key record's p=: SubjectPublicKeyInfo, bare RSAPublicKey, or raw Ed25519. */
export function publicKeyOf(value: string): KeyObject | null {
  const p = keyTags(value).get('p');
  if (!p) return null;
  const raw = Buffer.from(p, 'base64');
  if (raw.length === 32) return ed25519PublicKey(raw);
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      return createPublicKey({ key: raw, format: 'der', type });
    } catch {
      // try the next encoding
    }
  }
  return null;
}

function readKeyDetails(value: string): KeyDetails {
  const tags = keyTags(value);
  const p = tags.get('p');
  if (p === undefined) return { keyType: tags.get('k') ?? null, keyBits: null, revoked: false };
  if (p === '') return { keyType: tags.get('k') ?? 'rsa', keyBits: null, revoked: true };
  let key: KeyObject | null;
  try {
    key = publicKeyOf(value);
  } catch {
    key = null;
  }
  if (!key) return { keyType: tags.get('k') ?? null, keyBits: null, revoked: false };
  const type = key.asymmetricKeyType ?? null;
  return { keyType: type, keyBits: type === 'ed25519' ? 256 : (key.asymmetricKeyDetails?.modulusLength ?? null), revoked: false };
}
