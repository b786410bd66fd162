// What is true about the dump, kept outside it: per message its kind (authentic with the honest
// tags that explain its oddities, or a forgery with its technique and a note), and for authentic
// mail whether it is validly signed — an aligned signature with a key of at least 1024 bits from
// the journalist's key files that verifies over the whole stored message at the message's own time.
// Also writes those key files: today's DNS as a zone file and a key archive's answer.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { ALDERMOOR_ROTATION, QUILL_ROTATION, ZONE_FETCHED } from './world.ts';
import { LEAK_KEYS, leakKeyId, leakKeyName } from './key-specs.ts';
import { worldKeys } from './transport.ts';

export interface AuthenticTruth {
  sha256: string;
  kind: 'authentic';
  tags: string[];
  validlySigned: boolean;
  messageId: string;
}

export interface ForgeryTruth {
  sha256: string;
  kind: 'forgery';
  technique: string;
  note: string;
  messageId: string;
}

export type TruthEntry = AuthenticTruth | ForgeryTruth;

export interface Truth {
  generator: { seed: string; messages: number; version: number };
  /** Forgeries per technique and authentic messages per tag. */
  counts: { techniques: Record<string, number>; tags: Record<string, number>; authentic: number; forgeries: number };
  /** Path (as leaktriage's export prints `source_path`, relative to dump/) -> truth. */
  messages: Record<string, TruthEntry>;
}

export const ZONE_FILE = `dns-${ZONE_FETCHED}.zone`;
export const ARCHIVE_FILE = 'key-archive.json';

/** Longest character-string of a TXT record (RFC 1035 3.3). */
const TXT_STRING_MAX = 255;

function zoneLine(name: string, value: string): string {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += TXT_STRING_MAX) parts.push(`"${value.slice(i, i + TXT_STRING_MAX)}"`);
  return `${name}. 3600 IN TXT ${parts.join(' ')}`;
}

/** The key material a journalist brings: what `dig` answered on the zone day, and the archive's answers. */
export function writeKeyFiles(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const keys = worldKeys();
  const zone = [
    `; TXT answers for the DKIM selectors seen in the dump, fetched with dig on ${ZONE_FETCHED}.`,
    '; TEST KEYS of the leaktriage generated leak: never trust them.',
  ];
  for (const spec of LEAK_KEYS) if (spec.inZone) zone.push(zoneLine(leakKeyName(spec), keys.get(leakKeyId(spec))!.txt));
  writeFileSync(join(dir, ZONE_FILE), `${zone.join('\n')}\n`);
  const archive = LEAK_KEYS.filter((k) => k.archive).map((k) => ({
    domain: k.domain,
    selector: k.selector,
    firstSeenAt: k.archive!.firstSeenAt,
    lastSeenAt: k.archive!.lastSeenAt,
    value: keys.get(leakKeyId(k))!.txt,
  }));
  writeFileSync(join(dir, ARCHIVE_FILE), `${JSON.stringify(archive, null, 2)}\n`);
}

/** The journalist's resolver: only keys in the zone file or the archive. */
export async function journalistResolver(name: string): Promise<string[][]> {
  const n = name.toLowerCase();
  const spec = LEAK_KEYS.find((k) => leakKeyName(k) === n && (k.inZone || k.archive));
  if (!spec) throw Object.assign(new Error(`no TXT for ${name}`), { code: 'ENOTFOUND' });
  return [[worldKeys().get(leakKeyId(spec))!.txt]];
}

/** The message's own time: its topmost Received hop, else its Date. */
export function messageTime(bytes: Buffer): Date {
  const head = bytes
    .toString('latin1')
    .split(/\r?\n\r?\n/)[0]!
    .replace(/\r?\n[ \t]+/g, ' ');
  const received = head.split(/\r?\n/).find((l) => /^received:/i.test(l));
  if (received) {
    const at = Date.parse(
      received
        .slice(received.lastIndexOf(';') + 1)
        .replace(/\([^)]*\)\s*$/, '')
        .trim(),
    );
    if (!Number.isNaN(at)) return new Date(at);
  }
  const date = head.split(/\r?\n/).find((l) => /^date:/i.test(l));
  const at = date
    ? Date.parse(
        date
          .slice(5)
          .replace(/\([^)]*\)\s*$/, '')
          .trim(),
      )
    : NaN;
  return new Date(Number.isNaN(at) ? 0 : at);
}

export async function isValidlySigned(bytes: Buffer): Promise<boolean> {
  if (!/^dkim-signature:/im.test(bytes.toString('latin1').split(/\r?\n\r?\n/)[0]!)) return false;
  const result = await dkimVerify(bytes, { resolver: journalistResolver, curTime: messageTime(bytes), minBitLength: 1024 });
  return result.results.some((r) => r.status.result === 'pass' && !!r.status.aligned && !((r.status.underSized ?? 0) > 0));
}

/** Days either side of a rotation in which a signature counts as "around the key rotation". */
const ROTATION_WINDOW_MS = 30 * 86_400_000;

/**
 * Tags that the signatures on the stored bytes explain: `key-rotation` for mail signed by a domain
 * within a month of its selector change (the archive saw the new key only days later), `key-unknown`
 * for mail signed with a key that is in neither key file, `key-replaced` for mail signed before its
 * selector's key was replaced under the same name (the key files hold only the new one).
 */
export function signatureTags(bytes: Buffer): string[] {
  const head = bytes
    .toString('latin1')
    .split(/\r?\n\r?\n/)[0]!
    .replace(/\r?\n[ \t]+/g, ' ');
  const tags = new Set<string>();
  for (const line of head.split(/\r?\n/)) {
    if (!/^dkim-signature:/i.test(line)) continue;
    const tag = (name: string): string | undefined => new RegExp(`[;:\\s]${name}=([^;\\s]+)`).exec(line)?.[1];
    const d = tag('d')?.toLowerCase();
    const sel = tag('s');
    const t = Number(tag('t')) * 1000;
    if (!d || !sel) continue;
    const rotation = d === 'aldermoor.example' ? ALDERMOOR_ROTATION : d === 'quillmail.example' ? QUILL_ROTATION : undefined;
    if (rotation !== undefined && Math.abs(t - rotation) < ROTATION_WINDOW_MS) tags.add('key-rotation');
    if (!LEAK_KEYS.some((k) => k.domain === d && k.selector === sel && (k.inZone || k.archive))) tags.add('key-unknown');
    // Signed before its selector's key was replaced under the same name: today's DNS gives the new key.
    if (LEAK_KEYS.some((k) => k.domain === d && k.selector === sel && k.replacedAt && t < Date.parse(k.replacedAt)))
      tags.add('key-replaced');
  }
  return [...tags];
}
