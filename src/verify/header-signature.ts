// Checks the signature over the headers (b=) on its own, written from RFC 6376 3.4 / 3.7 and
// RFC 8463. mailauth stops at a body-hash mismatch without looking at b=; but whether the headers
// still verify is the evidence a journalist needs: if they do, the signer's bh= is genuine and only
// the body changed; if they do not either, the signature was not made for this message at all.
import { constants, publicDecrypt, verify } from 'node:crypto';
import { sha256Digest } from '../common/sha256.ts';
import type { KeyObject } from 'node:crypto';
import type { RawHeader } from '../model.ts';
import { publicKeyOf } from './key-index.ts';

function crlf(s: string): string {
  return s.replace(/\r?\n/g, '\r\n');
}

/** RFC 6376 3.4.1 (simple) and 3.4.2 (relaxed), for one header field, without the final CRLF. */
function canonicalHeader(raw: string, relaxed: boolean): string {
  if (!relaxed) return crlf(raw);
  const colon = raw.indexOf(':');
  const name = raw.slice(0, colon).trim().toLowerCase();
  const value = raw
    .slice(colon + 1)
    .replace(/\r?\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
  return `${name}:${value}`;
}

/** The signature header with the value of its b= tag emptied (RFC 6376 3.7, step 2). */
function withoutSignatureValue(raw: string): string {
  const colon = raw.indexOf(':');
  const tags = raw.slice(colon + 1).split(';');
  const emptied = tags.map((t) => {
    const m = /^(\s*b\s*=)/.exec(t);
    return m ? m[1]! : t;
  });
  return raw.slice(0, colon + 1) + emptied.join(';');
}

/** The header fields h= names, bottom-most unused instance first for each repeated name (RFC 6376 5.4.2). */
function selectHeaders(headers: RawHeader[], names: string[], exclude: RawHeader): RawHeader[] {
  const used = new Set<number>();
  const out: RawHeader[] = [];
  for (const name of names) {
    for (let i = headers.length - 1; i >= 0; i--) {
      const h = headers[i]!;
      if (h.key === name && !used.has(h.index) && h !== exclude) {
        used.add(h.index);
        out.push(h);
        break;
      }
    }
  }
  return out;
}

/** The signature value, b= decoded (empty when there is none). */
function signatureValue(tags: Map<string, string>): Buffer {
  return Buffer.from((tags.get('b') ?? '').replace(/\s+/g, ''), 'base64');
}

/** The key of a key record, null when it cannot be read. */
function keyOf(value: string): KeyObject | null {
  try {
    return publicKeyOf(value);
  } catch {
    return null;
  }
}

/**
 * True when b= verifies over the signed headers with this key, false when it does not, null when it
 * cannot be told (unknown algorithm or canonicalization, unusable key).
 */
export function verifyHeaderSignature(
  headers: RawHeader[],
  signature: RawHeader,
  tags: Map<string, string>,
  keyValue: string | KeyObject,
): boolean | null {
  const algorithm = (tags.get('a') ?? '').toLowerCase();
  const headerCanon = (tags.get('c') ?? 'simple').split('/')[0]!.trim().toLowerCase();
  if (headerCanon !== 'simple' && headerCanon !== 'relaxed') return null;
  const relaxed = headerCanon === 'relaxed';
  const names = (tags.get('h') ?? '')
    .split(':')
    .map((n) => n.replace(/\s+/g, '').toLowerCase())
    .filter(Boolean);
  const b = signatureValue(tags);
  const key = typeof keyValue === 'string' ? keyOf(keyValue) : keyValue;
  if (!key || b.length === 0) return null;
  const data = Buffer.from(
    selectHeaders(headers, names, signature)
      .map((h) => `${canonicalHeader(h.raw, relaxed)}\r\n`)
      .join('') + canonicalHeader(withoutSignatureValue(signature.raw), relaxed),
    'latin1',
  );
  try {
    if (algorithm === 'rsa-sha256' || algorithm === 'rsa-sha1') {
      if (key.asymmetricKeyType !== 'rsa') return false;
      return verify(algorithm === 'rsa-sha1' ? 'sha1' : 'sha256', data, key, b);
    }
    if (algorithm === 'ed25519-sha256') {
      if (key.asymmetricKeyType !== 'ed25519') return false;
      // RFC 8463 3: Ed25519 signs the SHA-256 hash of the canonicalized data.
      return verify(null, sha256Digest(data), key, b);
    }
  } catch {
    return false;
  }
  return null;
}

/**
 * The DER prefixes of the DigestInfo an RSA signature holds (RFC 8017 9.2, note 1): SHA-256 and SHA-1,
 * each with the NULL parameters and without them (both are met; RFC 8017 asks verifiers to accept both).
 */
const DIGEST_INFO_PREFIXES = [
  { bytes: 32, prefix: Buffer.from('3031300d060960864801650304020105000420', 'hex') },
  { bytes: 32, prefix: Buffer.from('302f300b06096086480165030402010420', 'hex') },
  { bytes: 20, prefix: Buffer.from('3021300906052b0e03021a05000414', 'hex') },
  { bytes: 20, prefix: Buffer.from('301f300706052b0e03021a0414', 'hex') },
];

/**
 * Whether this RSA key made the signature value at all, whatever it was made over (RFC 8017 8.2.2,
 * steps 2 and 3): the value raised to the key's public exponent must give a block laid out as
 * EMSA-PKCS1-v1_5 writes it (00 01, at least eight FF, 00, a DigestInfo of the hash). Made by the
 * key, a signature that does not verify was made over other bytes than these headers (they changed);
 * made by another key, it could be a key the selector had before (replaced since: a rotation the key
 * store does not hold) or a key that was never the domain's. A wrong key gives a random block, which
 * has that layout with a chance under 2^-80. 'unknown' for anything but an RSA key, or a value the
 * key cannot be applied to.
 */
export function keyMadeSignature(tags: Map<string, string>, keyValue: string): 'yes' | 'no' | 'unknown' {
  const key = keyOf(keyValue);
  if (!key || key.asymmetricKeyType !== 'rsa') return 'unknown';
  const b = signatureValue(tags);
  const modulusBits = key.asymmetricKeyDetails?.modulusLength;
  if (!modulusBits || b.length === 0) return 'unknown';
  // A signature by this key is as long as its modulus (RFC 8017 8.2.2 step 1).
  if (b.length !== Math.ceil(modulusBits / 8)) return 'no';
  let block: Buffer;
  try {
    block = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, b);
  } catch {
    // The value is not below the modulus: this key cannot have made it.
    return 'no';
  }
  return isPkcs1Signature(block) ? 'yes' : 'no';
}

/** 00 01 FF…FF 00 DigestInfo, the padding at least eight bytes (RFC 8017 9.2 step 5). */
function isPkcs1Signature(block: Buffer): boolean {
  if (block[0] !== 0x00 || block[1] !== 0x01) return false;
  let i = 2;
  while (i < block.length && block[i] === 0xff) i++;
  if (i - 2 < 8 || block[i] !== 0x00) return false;
  const t = block.subarray(i + 1);
  return DIGEST_INFO_PREFIXES.some((d) => t.length === d.prefix.length + d.bytes && t.subarray(0, d.prefix.length).equals(d.prefix));
}
