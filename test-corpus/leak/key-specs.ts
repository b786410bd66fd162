// The leak's DKIM/ARC keys: who owns each, its size, and what a journalist could know of it (today's
// DNS, a key archive with first/last seen). Made once by make-keys.ts and committed, so the dump is
// the same on every run. TEST KEYS ONLY: the private halves are public in this repository.
import { readFileSync } from 'node:fs';

export interface LeakKey {
  domain: string;
  selector: string;
  type: 'rsa' | 'ed25519';
  bits?: number;
  /** In today's DNS (the zone file a journalist makes with dig at the end of the period). */
  inZone: boolean;
  /** In the key archive's answer, with the times it saw the record (null: still seen). */
  archive?: { firstSeenAt: string; lastSeenAt: string | null };
  /**
   * The selector's key until this time (ISO), when its owner replaced it under the same name: the
   * record then published (the spec of the same name without `replacedAt`) is the one today's DNS
   * gives, and this one is gone.
   */
  replacedAt?: string;
  note: string;
}

/** A 2048-bit RSA key published in today's DNS, as most are; `more` says where one differs. */
function rsaKey(domain: string, selector: string, note: string, more: Partial<LeakKey> = {}): LeakKey {
  return { domain, selector, type: 'rsa', bits: 2048, inZone: true, note, ...more };
}

export const LEAK_KEYS: readonly LeakKey[] = [
  rsaKey('aldermoor.example', 's2023', 'the organisation, until the rotation of 2024-03-18', {
    inZone: false,
    // The archive first crawled it months after it went live and dropped it a month after rotation.
    archive: { firstSeenAt: '2023-02-14T06:12:09.000Z', lastSeenAt: '2024-04-15T03:48:51.000Z' },
  }),
  rsaKey('aldermoor.example', 's2024', 'the organisation, from the rotation of 2024-03-18', {
    // Seen by the archive a week after the first mail signed with it.
    archive: { firstSeenAt: '2024-03-25T04:01:33.000Z', lastSeenAt: null },
  }),
  rsaKey('aldermoor.example', 'mail2016', 'retired before the period; 512 bits, factored by the forger', {
    bits: 512,
    inZone: false,
    archive: { firstSeenAt: '2016-05-02T09:30:00.000Z', lastSeenAt: '2022-11-14T22:10:05.000Z' },
  }),
  rsaKey('aldermoor.example', 'arc2023', "the organisation's ARC sealer (forwarding)"),
  rsaKey('kestrel-partners.example', 'selector1', 'partner on the hosted suite, until its key was replaced on 2024-02-12', {
    inZone: false,
    replacedAt: '2024-02-12T10:00:00.000Z',
  }),
  rsaKey('kestrel-partners.example', 'selector1', 'partner on the hosted suite, from 2024-02-12 (the same selector name)'),
  rsaKey('tilia-trust.example', 'selector1', 'funder on the hosted suite'),
  rsaKey('cirrusmail.example', 'arcsel01', "the hosted suite's ARC sealer"),
  rsaKey('quillmail.example', '20230601', 'the webmail, until 2024-06-05', {
    archive: { firstSeenAt: '2023-06-03T11:20:44.000Z', lastSeenAt: null },
  }),
  rsaKey('quillmail.example', '20240605', 'the webmail, from 2024-06-05', {
    archive: { firstSeenAt: '2024-06-11T08:02:17.000Z', lastSeenAt: null },
  }),
  rsaKey('quillmail.example', 'arc-20230601', "the webmail's ARC sealer"),
  rsaKey('brightwater-ngo.example', 'quill', 'partner on the webmail suite'),
  rsaKey('civic-network.example', 'mail', 'coalition server (Exim), signs with l='),
  rsaKey('civic-network.example', 'lists', 'coalition mailing lists, re-sign and ARC-seal'),
  rsaKey('netpost.example', 'dkim1', 'an ISP webmail, 1024-bit key', { bits: 1024 }),
  rsaKey('sendloop-mail.example', 'sl1', 'newsletter sending provider'),
  rsaKey('eurobrief.example', 'sl', 'newsletter signed in its own name by the provider'),
  rsaKey('peoplehub.example', 'phr', 'HR software as a service (rsa)'),
  { domain: 'peoplehub.example', selector: 'phe', type: 'ed25519', inZone: true, note: 'HR software as a service (ed25519)' },
  rsaKey('oldmail.test', 'default', 'a small personal domain; its key is lost', { inZone: false }),
  rsaKey('aldermoor-foundation.example', 'k1', "look-alike of the organisation (forger's)"),
  rsaKey('kestrel-partner.example', 'selector1', "look-alike of the partner (forger's, gone)", { inZone: false }),
];

export const LEAK_KEYS_DIR = new URL('./keys/', import.meta.url);

export function leakKeyName(key: Pick<LeakKey, 'domain' | 'selector'>): string {
  return `${key.selector}._domainkey.${key.domain}`;
}

/** A key's own name among the leak's keys: its DNS name, and for a key replaced under that name, the day it was replaced. */
export function leakKeyId(key: Pick<LeakKey, 'domain' | 'selector' | 'replacedAt'>): string {
  return key.replacedAt ? `${leakKeyName(key)}@${key.replacedAt.slice(0, 10)}` : leakKeyName(key);
}

export function leakPrivateKeyFile(key: Pick<LeakKey, 'domain' | 'selector' | 'replacedAt'>): URL {
  return new URL(`${leakKeyId(key)}.private.pem`, LEAK_KEYS_DIR);
}

export function leakTxtFile(key: Pick<LeakKey, 'domain' | 'selector' | 'replacedAt'>): URL {
  return new URL(`${leakKeyId(key)}.txt`, LEAK_KEYS_DIR);
}

export function findLeakKey(domain: string, selector: string): LeakKey {
  const key = LEAK_KEYS.find((k) => k.domain === domain && k.selector === selector);
  if (!key) throw new Error(`no leak key ${selector}._domainkey.${domain}`);
  return key;
}

export interface LoadedKey extends LeakKey {
  privateKey: string;
  txt: string;
}

/** Every key with its private PEM and TXT value, read from the committed files, by leakKeyId. */
export function loadLeakKeys(): Map<string, LoadedKey> {
  const keys = new Map<string, LoadedKey>();
  for (const key of LEAK_KEYS) {
    keys.set(leakKeyId(key), {
      ...key,
      privateKey: readFileSync(leakPrivateKeyFile(key), 'utf8'),
      txt: readFileSync(leakTxtFile(key), 'utf8').trim(),
    });
  }
  return keys;
}

/** The key a DNS name gave at time `at` (ms): a key replaced later than `at`, the earliest such, else the one still published. */
export function leakKeyAt<K extends LeakKey>(keys: ReadonlyMap<string, K>, name: string, at: number): K | undefined {
  let best: K | undefined;
  for (const spec of LEAK_KEYS) {
    if (leakKeyName(spec) !== name || !spec.replacedAt || Date.parse(spec.replacedAt) <= at) continue;
    if (!best || Date.parse(spec.replacedAt) < Date.parse(best.replacedAt!)) best = keys.get(leakKeyId(spec));
  }
  return best ?? keys.get(name);
}
