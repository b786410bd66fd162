// Our own DKIM verifier for the signatures nearly all mail carries: well-formed rsa-sha256 or
// ed25519-sha256 signatures, a plain key record, no ARC. It reads the header list the parser
// already made and hashes the body in place (body-hash.ts), where mailauth parses the message a
// second time and canonicalizes it in JavaScript streams. Anything it is not sure to read exactly
// as mailauth's strict mode does (RFC 6376, RFC 8301, RFC 8463) it declines, with the reason, and
// the caller hands the message to mailauth: the two never disagree on a message both would take
// (tests/verify/dkim-own.test.ts compares them on every message of both corpora and on fuzzed ones).
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { RawHeader } from '../model.ts';
import type { LineRun } from '../parse/header-section.ts';
import { readTagList } from './dkim-tags.ts';
import type { SignatureTags } from './dkim-tags.ts';
import { computeBodyHashes } from './body-hash.ts';
import type { BodyHashSpec } from './body-hash.ts';
import { verifyHeaderSignature } from './header-signature.ts';
import { ed25519PublicKey } from './key-index.ts';
import type { KeyAnswer, SignatureOutcome, VerifierOutcome } from './verifier-outcome.ts';
import { keyErrorComment, NO_ARC } from './verifier-outcome.ts';
import { remembered } from '../common/remembered.ts';

/** Above this size a message goes to mailauth, which streams it, instead of a CRLF copy here. */
export const MAX_OWN_VERIFY_BYTES = 64 * 1024 * 1024;

export interface OwnInput {
  bytes: Buffer;
  headers: RawHeader[];
  /** Bytes before the blank line, and the first body byte (parse/header-section.ts). */
  headerEnd: number;
  bodyStart: number;
  hasBody: boolean;
  strayLines: number;
  /** Runs of base64 lines in the body (parse/header-section.ts MessageLayout): the body hash need not search them for bare line feeds. */
  lineRuns?: readonly LineRun[];
  signatures: SignatureTags[];
  /** Only this many signatures are evaluated (verify-message.ts MAX_SIGNATURES). */
  maxSignatures: number;
  asOf: number;
}

export type OwnResult = VerifierOutcome | { declined: string };

const KNOWN_SIGNATURE_TAGS = new Set(['v', 'a', 'b', 'bh', 'c', 'd', 'h', 'i', 'l', 'q', 's', 't', 'x']);
const REQUIRED_TAGS = ['v', 'a', 'b', 'bh', 'd', 'h', 's'];
const CANONICALIZATIONS = new Set(['simple', 'relaxed', 'simple/simple', 'simple/relaxed', 'relaxed/simple', 'relaxed/relaxed']);
// RFC 6376 3.5 sub-domain / domain-name / selector (the grammar mailauth's strict mode applies).
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const DOMAIN_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})+$`);
const SELECTOR = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const DIGITS = /^[0-9]{1,12}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** An i= we read the same way mailauth does: a plain local part (or none) and a domain. */
const SIMPLE_IDENTITY = /^[A-Za-z0-9._+-]*@([A-Za-z0-9.-]+)$/;

interface ParsedKey {
  key: KeyObject;
  type: 'rsa' | 'ed25519';
  modulusLength: number | null;
}

/** Keys parsed once per value (a dump uses few keys many times); null: a record we leave to mailauth. */
const parseKeyRecord: (value: string) => ParsedKey | 'revoked' | null = remembered(10_000, (value) => readKeyRecord(value));

/** The tags a key record may carry (RFC 6376 3.6.1). */
const KEY_RECORD_TAGS = new Set(['v', 'k', 'p', 'h', 's', 't', 'n']);

/** RFC 6376 3.6.1 key record, when it is plainly valid; 'revoked' for an empty p=; null otherwise. */
function readKeyRecord(value: string): ParsedKey | 'revoked' | null {
  const { tags, problem } = readTagList(value, 'remove');
  if (problem !== null) return null;
  const names = [...tags.keys()];
  if (names.some((name) => !/^[a-z]+$/.test(name) || !KEY_RECORD_TAGS.has(name))) return null;
  if (tags.has('v') && (names[0] !== 'v' || tags.get('v') !== 'DKIM1')) return null;
  const p = tags.get('p');
  if (p === undefined) return null;
  if (p === '') return 'revoked';
  if (!BASE64.test(p)) return null;
  const s = tags.get('s');
  if (s !== undefined && !s.split(':').some((x) => x === 'email' || x === '*')) return null;
  const h = tags.get('h');
  if (h !== undefined && !h.split(':').includes('sha256')) return null;
  const t = tags.get('t');
  if (t !== undefined && t.split(':').some((x) => x !== 'y' && x !== '')) return null;
  const declared = tags.get('k');
  const raw = Buffer.from(p, 'base64');
  try {
    if (declared === 'ed25519') {
      if (raw.length !== 32) return null;
      const key = ed25519PublicKey(raw);
      return { key, type: 'ed25519', modulusLength: null };
    }
    if (declared !== undefined && declared !== 'rsa') return null;
    if (raw.length === 32) return null;
    // A bare RSAPublicKey starts SEQUENCE, INTEGER; a SubjectPublicKeyInfo SEQUENCE, SEQUENCE.
    const headerLength = raw[1]! < 0x80 ? 2 : 2 + (raw[1]! & 0x7f);
    const type = raw[0] === 0x30 && raw[headerLength] === 0x02 ? 'pkcs1' : 'spki';
    const key = createPublicKey({ key: raw, format: 'der', type });
    if (key.asymmetricKeyType !== 'rsa') return null;
    return { key, type: 'rsa', modulusLength: key.asymmetricKeyDetails?.modulusLength ?? null };
  } catch {
    return null;
  }
}

interface Checked {
  tags: Map<string, string>;
  header: RawHeader;
  algorithm: 'rsa-sha256' | 'ed25519-sha256';
  spec: BodyHashSpec;
  name: string;
}

/** A signature we read exactly as mailauth's strict mode would, or the reason we do not take it. */
function checkSignature(s: SignatureTags): Checked | string {
  const { problem } = readTagList(s.header.value);
  if (problem !== null) return problem;
  for (const name of s.tags.keys()) if (!KNOWN_SIGNATURE_TAGS.has(name)) return `tag ${name}`;
  const t = s.tags;
  for (const r of REQUIRED_TAGS) if (!t.has(r)) return `missing ${r}=`;
  if (t.get('v') !== '1') return 'version';
  const a = t.get('a');
  if (a !== 'rsa-sha256' && a !== 'ed25519-sha256') return `algorithm ${a}`;
  const c = t.get('c') ?? 'simple/simple';
  if (!CANONICALIZATIONS.has(c)) return 'canonicalization';
  const d = t.get('d')!;
  const sel = t.get('s')!;
  if (!DOMAIN_NAME.test(d) || !SELECTOR.test(sel)) return 'd= or s= syntax';
  for (const n of ['t', 'x', 'l']) if (t.has(n) && !DIGITS.test(t.get(n)!)) return `${n}= syntax`;
  if (t.has('t') && t.has('x') && Number(t.get('x')) <= Number(t.get('t'))) return 'x= not after t=';
  if (t.has('q') && t.get('q') !== 'dns/txt') return 'q=';
  const i = t.get('i');
  if (i !== undefined) {
    const m = SIMPLE_IDENTITY.exec(i);
    const id = m?.[1]?.toLowerCase();
    const dl = d.toLowerCase();
    if (!id || !DOMAIN_NAME.test(id) || (id !== dl && !id.endsWith(`.${dl}`))) return 'i= syntax';
  }
  const names = t
    .get('h')!
    .split(':')
    .map((x) => x.replace(/\s+/g, '').toLowerCase());
  if (names.some((x) => x === '') || !names.includes('from')) return 'h= list';
  if (names.some((x) => x === 'dkim-signature' || x.startsWith('arc-'))) return 'h= signs signature headers';
  if (names.length > 1000) return 'h= too long';
  if (!BASE64.test(t.get('bh')!.replace(/\s+/g, '')) || !BASE64.test(t.get('b')!.replace(/\s+/g, ''))) return 'b= or bh= syntax';
  const bodyCanon = (c.split('/')[1] ?? 'simple') as 'simple' | 'relaxed';
  const limit = t.has('l') ? Number(t.get('l')) : null;
  return {
    tags: t,
    header: s.header,
    algorithm: a,
    spec: { canonicalization: bodyCanon, hash: 'sha256', limit },
    name: `${sel.toLowerCase()}._domainkey.${d.toLowerCase()}`,
  };
}

/** Whether the header section reads the same to mailauth: one kind of line break, no stray lines. */
function headersAreClean(input: OwnInput): string | null {
  if (!input.hasBody) return 'no blank line after the headers';
  if (input.strayLines > 0) return 'stray header lines';
  const head = input.bytes.subarray(0, input.bodyStart);
  const hasCr = head.indexOf(0x0d) !== -1;
  for (let p = head.indexOf(0x0a); p !== -1; p = head.indexOf(0x0a, p + 1)) {
    if (hasCr !== (p > 0 && head[p - 1] === 0x0d)) return 'mixed line breaks in the headers';
  }
  if (hasCr)
    for (let p = head.indexOf(0x0d); p !== -1; p = head.indexOf(0x0d, p + 1)) if (head[p + 1] !== 0x0a) return 'bare CR in the headers';
  return null;
}

/**
 * Verifies the message's DKIM signatures, or declines. `lookup` answers key names from the key
 * store ('decline' when only live DNS could answer: mailauth then asks it). The outcomes are mailauth's, word for word: the same result and comment for each case.
 */
export async function verifyOwn(input: OwnInput, lookup: (name: string) => Promise<KeyAnswer | 'decline'>): Promise<OwnResult> {
  if (input.bytes.length > MAX_OWN_VERIFY_BYTES) return { declined: 'large message' };
  if (input.headers.some((h) => h.key.startsWith('arc-'))) return { declined: 'ARC headers' };
  if (input.signatures.length === 0) return { signatures: [], arc: NO_ARC, verifier: 'own' };
  const unclean = headersAreClean(input);
  if (unclean) return { declined: unclean };
  const evaluated = input.signatures.slice(0, input.maxSignatures);
  const checked: Checked[] = [];
  for (const s of evaluated) {
    const c = checkSignature(s);
    if (typeof c === 'string') return { declined: `signature: ${c}` };
    checked.push(c);
  }
  const specs: BodyHashSpec[] = [];
  const specIndex = checked.map((c) => {
    const k = specs.findIndex((s) => s.canonicalization === c.spec.canonicalization && s.limit === c.spec.limit);
    if (k !== -1) return k;
    specs.push(c.spec);
    return specs.length - 1;
  });
  const hashes = computeBodyHashes(input.bytes.subarray(input.bodyStart), specs, input.lineRuns);

  // Like mailauth, a key is looked up only for a signature whose body hash matched.
  const signatures: SignatureOutcome[] = [];
  for (const [n, c] of checked.entries()) {
    const h = hashes[specIndex[n]!]!;
    const expecting = c.tags.get('bh')!.replace(/\s+/g, '');
    const unsigned = c.spec.limit !== null && h.canonicalLength > h.hashedLength ? h.canonicalLength - h.hashedLength : 0;
    const base = { bodyHash: h.hash, bodyHashExpecting: expecting, modulusLength: null, unsignedBodyBytes: unsigned };
    if (h.hash !== expecting) {
      signatures.push({ ...base, result: 'fail', comment: 'body hash did not verify' });
      continue;
    }
    const answer = await lookup(c.name);
    if (answer === 'decline') return { declined: 'key not in the store (live DNS asked for)' };
    if ('error' in answer) {
      signatures.push({ ...base, ...keyErrorComment(answer.error) });
      continue;
    }
    const key = parseKeyRecord(answer.value);
    if (key === null) return { declined: 'key record' };
    if (key === 'revoked') {
      signatures.push({ ...base, result: 'neutral', comment: 'invalid public key' });
      continue;
    }
    if (key.type !== (c.algorithm === 'ed25519-sha256' ? 'ed25519' : 'rsa')) {
      signatures.push({ ...base, result: 'neutral', comment: 'inappropriate key algorithm' });
      continue;
    }
    const withKey = { ...base, modulusLength: key.modulusLength };
    if (verifyHeaderSignature(input.headers, c.header, c.tags, key.key) !== true) {
      signatures.push({ ...withKey, result: 'fail', comment: 'bad signature' });
      continue;
    }
    const x = c.tags.has('x') ? Number(c.tags.get('x')) : null;
    if (x !== null && x < input.asOf) signatures.push({ ...withKey, result: 'neutral', comment: 'expired' });
    else signatures.push({ ...withKey, result: 'pass', comment: '' });
  }
  return { signatures, arc: NO_ARC, verifier: 'own' };
}
