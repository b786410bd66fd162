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
  note: string;
}

export const LEAK_KEYS: readonly LeakKey[] = [
  {
    domain: 'aldermoor.example',
    selector: 's2023',
    type: 'rsa',
    bits: 2048,
    inZone: false,
    // The archive first crawled it months after it went live and dropped it a month after rotation.
    archive: { firstSeenAt: '2023-02-14T06:12:09.000Z', lastSeenAt: '2024-04-15T03:48:51.000Z' },
    note: 'the organisation, until the rotation of 2024-03-18',
  },
  {
    domain: 'aldermoor.example',
    selector: 's2024',
    type: 'rsa',
    bits: 2048,
    inZone: true,
    // Seen by the archive a week after the first mail signed with it.
    archive: { firstSeenAt: '2024-03-25T04:01:33.000Z', lastSeenAt: null },
    note: 'the organisation, from the rotation of 2024-03-18',
  },
  {
    domain: 'aldermoor.example',
    selector: 'mail2016',
    type: 'rsa',
    bits: 512,
    inZone: false,
    archive: { firstSeenAt: '2016-05-02T09:30:00.000Z', lastSeenAt: '2022-11-14T22:10:05.000Z' },
    note: 'retired before the period; 512 bits, factored by the forger',
  },
  {
    domain: 'aldermoor.example',
    selector: 'arc2023',
    type: 'rsa',
    bits: 2048,
    inZone: true,
    note: "the organisation's ARC sealer (forwarding)",
  },
  { domain: 'kestrel-partners.example', selector: 'selector1', type: 'rsa', bits: 2048, inZone: true, note: 'partner on the hosted suite' },
  { domain: 'tilia-trust.example', selector: 'selector1', type: 'rsa', bits: 2048, inZone: true, note: 'funder on the hosted suite' },
  { domain: 'cirrusmail.example', selector: 'arcsel01', type: 'rsa', bits: 2048, inZone: true, note: "the hosted suite's ARC sealer" },
  {
    domain: 'quillmail.example',
    selector: '20230601',
    type: 'rsa',
    bits: 2048,
    inZone: true,
    archive: { firstSeenAt: '2023-06-03T11:20:44.000Z', lastSeenAt: null },
    note: 'the webmail, until 2024-06-05',
  },
  {
    domain: 'quillmail.example',
    selector: '20240605',
    type: 'rsa',
    bits: 2048,
    inZone: true,
    archive: { firstSeenAt: '2024-06-11T08:02:17.000Z', lastSeenAt: null },
    note: 'the webmail, from 2024-06-05',
  },
  { domain: 'quillmail.example', selector: 'arc-20230601', type: 'rsa', bits: 2048, inZone: true, note: "the webmail's ARC sealer" },
  { domain: 'brightwater-ngo.example', selector: 'quill', type: 'rsa', bits: 2048, inZone: true, note: 'partner on the webmail suite' },
  {
    domain: 'civic-network.example',
    selector: 'mail',
    type: 'rsa',
    bits: 2048,
    inZone: true,
    note: 'coalition server (Exim), signs with l=',
  },
  {
    domain: 'civic-network.example',
    selector: 'lists',
    type: 'rsa',
    bits: 2048,
    inZone: true,
    note: 'coalition mailing lists, re-sign and ARC-seal',
  },
  { domain: 'netpost.example', selector: 'dkim1', type: 'rsa', bits: 1024, inZone: true, note: 'an ISP webmail, 1024-bit key' },
  { domain: 'sendloop-mail.example', selector: 'sl1', type: 'rsa', bits: 2048, inZone: true, note: 'newsletter sending provider' },
  {
    domain: 'eurobrief.example',
    selector: 'sl',
    type: 'rsa',
    bits: 2048,
    inZone: true,
    note: 'newsletter signed in its own name by the provider',
  },
  { domain: 'peoplehub.example', selector: 'phr', type: 'rsa', bits: 2048, inZone: true, note: 'HR software as a service (rsa)' },
  { domain: 'peoplehub.example', selector: 'phe', type: 'ed25519', inZone: true, note: 'HR software as a service (ed25519)' },
  { domain: 'oldmail.test', selector: 'default', type: 'rsa', bits: 2048, inZone: false, note: 'a small personal domain; its key is lost' },
  {
    domain: 'aldermoor-foundation.example',
    selector: 'k1',
    type: 'rsa',
    bits: 2048,
    inZone: true,
    note: "look-alike of the organisation (forger's)",
  },
  {
    domain: 'kestrel-partner.example',
    selector: 'selector1',
    type: 'rsa',
    bits: 2048,
    inZone: false,
    note: "look-alike of the partner (forger's, gone)",
  },
];

export const LEAK_KEYS_DIR = new URL('./keys/', import.meta.url);

export function leakKeyName(key: Pick<LeakKey, 'domain' | 'selector'>): string {
  return `${key.selector}._domainkey.${key.domain}`;
}

export function leakPrivateKeyFile(key: Pick<LeakKey, 'domain' | 'selector'>): URL {
  return new URL(`${leakKeyName(key)}.private.pem`, LEAK_KEYS_DIR);
}

export function leakTxtFile(key: Pick<LeakKey, 'domain' | 'selector'>): URL {
  return new URL(`${leakKeyName(key)}.txt`, LEAK_KEYS_DIR);
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

/** Every key with its private PEM and TXT value, read from the committed files. */
export function loadLeakKeys(): Map<string, LoadedKey> {
  const keys = new Map<string, LoadedKey>();
  for (const key of LEAK_KEYS) {
    keys.set(leakKeyName(key), {
      ...key,
      privateKey: readFileSync(leakPrivateKeyFile(key), 'utf8'),
      txt: readFileSync(leakTxtFile(key), 'utf8').trim(),
    });
  }
  return keys;
}
