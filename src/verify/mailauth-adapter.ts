// The only place that imports mailauth. Runs its DKIM verifier (strict: RFC 6376, RFC 8301) and
// ARC validator over one message, as of a given time, with keys from a lookup function, and maps
// its result objects into our SignatureOutcome / ArcCheck field by field (never persisting them).
// Which key answers a name, and whether to try another, is the caller's policy (verify-message.ts).
import { Readable } from 'node:stream';
import type { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import type { arc as verifyArc } from 'mailauth/lib/arc/index.js';
import type { ArcCheck } from '../model.ts';
import type { KeyLookup, SignatureOutcome, VerifierOutcome } from './verifier-outcome.ts';
import { NO_ARC } from './verifier-outcome.ts';

/**
 * mailauth's header reader joins folded lines by repeated array concatenation: its time grows with
 * the square of a header's line count (a 200,000-line To: took 124 s, 50,000 lines 9 s, 5,000 lines
 * under 0.1 s). A header section with more lines than this is not handed to it; its signatures are
 * recorded as not evaluated instead. Real header sections have tens to a few hundred lines.
 */
export const MAX_MAILAUTH_HEADER_LINES = 5000;

/**
 * mailauth checks every DKIM-Signature and ARC header it finds, each by a search through the header
 * list that removes what it finds from a copy of it: its time grows with their number times the
 * header section's. 3,333 DKIM-Signature lines (240 KB) took 0.9 s, 833 took 0.07 s. A message with
 * more signature headers than this is not handed to it. RFC 8617 allows 50 ARC sets, each an
 * ARC-Seal and an ARC-Message-Signature; this leaves room for 50 DKIM signatures beside them (only
 * the first MAX_SIGNATURES are reported).
 */
export const MAX_MAILAUTH_SIGNATURE_HEADERS = 150;

const SIGNATURE_HEADERS = new Set(['dkim-signature', 'arc-seal', 'arc-message-signature']);

/** The DKIM-Signature, ARC-Seal and ARC-Message-Signature headers among these. */
export function countSignatureHeaders(headers: readonly { key: string }[]): number {
  let n = 0;
  for (const h of headers) if (SIGNATURE_HEADERS.has(h.key)) n++;
  return n;
}

/**
 * Bytes of one chunk handed to mailauth, about (mailauth's own reader writes 64 KiB at a time). Each
 * chunk ends at a line break; a line longer than this is a chunk of its own.
 */
export const MAILAUTH_CHUNK_BYTES = 64 * 1024;

/**
 * A message as mailauth is handed it: in chunks of about MAILAUTH_CHUNK_BYTES that each end just
 * after a line feed (the last one where the message ends). mailauth's relaxed body hash keeps the
 * unfinished line at the end of a chunk and joins it to the next chunk, copying it again with every
 * chunk: a body line of N bytes cut every 64 KiB cost a quadratic number of copies. Measured with a
 * signature it sends to mailauth: a line of 8 MB took 2.2 s, 16 MB 9.2 s, 32 MB 31.8 s (a 64 MB line
 * would have run past the analysis time limit), each copy a new buffer outside the thread's heap (the
 * fuzzer's analysis threads allocated 2.4 GB each that way). Cut at line breaks, no chunk leaves a
 * line unfinished. The bytes are views of the message, never copied or changed.
 */
export function* lineAlignedChunks(bytes: Buffer, size = MAILAUTH_CHUNK_BYTES): Generator<Buffer> {
  for (let at = 0; at < bytes.length;) {
    let end = at + size;
    if (end >= bytes.length) end = bytes.length;
    else {
      const before = bytes.lastIndexOf(0x0a, end - 1);
      const after = before >= at ? -1 : bytes.indexOf(0x0a, end);
      end = before >= at ? before + 1 : after === -1 ? bytes.length : after + 1;
    }
    yield bytes.subarray(at, end);
    at = end;
  }
}

interface MailauthStatus {
  result?: string;
  comment?: string;
  underSized?: number;
}

interface MailauthSignature {
  signingDomain?: string;
  bodyHash?: string;
  bodyHashExpecting?: string;
  status?: MailauthStatus;
  modulusLength?: number;
}

class DnsError extends Error {
  code: string;
  constructor(code: string, name: string) {
    super(`${code} ${name}`);
    this.code = code;
  }
}

/** Lines of a header section (`headerEnd` bytes): what mailauth's header reader is fed. */
export function countHeaderLines(bytes: Buffer, headerEnd: number): number {
  let n = 1;
  for (let p = bytes.indexOf(0x0a); p !== -1 && p < headerEnd; p = bytes.indexOf(0x0a, p + 1)) n++;
  return n;
}

/**
 * mailauth's verifier and ARC validator, loaded when a message first needs them: our own verifier
 * (dkim-own.ts) takes most signed mail, and loading them (with joi and the rest) cost each analysis
 * thread some 0.2 CPU-s at its start.
 */
type Mailauth = { dkimVerify: typeof dkimVerify; verifyArc: typeof verifyArc };
let mailauth: Promise<Mailauth> | null = null;
const loadMailauth = (): Promise<Mailauth> =>
  (mailauth ??= Promise.all([import('mailauth/lib/dkim/verify.js'), import('mailauth/lib/arc/index.js')]).then(([dkim, arc]) => ({
    dkimVerify: dkim.dkimVerify,
    verifyArc: arc.arc,
  })));

/** Verifies with mailauth. `asOf` is Unix seconds. */
export async function verifyWithMailauth(bytes: Buffer, asOf: number, lookup: KeyLookup): Promise<VerifierOutcome> {
  const { dkimVerify } = await loadMailauth();
  const resolver = async (name: string): Promise<string[][]> => {
    const answer = await lookup(name);
    if ('error' in answer) throw new DnsError(answer.error, name);
    return [[answer.value]];
  };
  // A stream of line-aligned chunks, which mailauth pipes into its verifier as they come.
  const result = await dkimVerify(Readable.from(lineAlignedChunks(bytes)), {
    resolver,
    curTime: new Date(asOf * 1000),
    strict: true,
    // Weak keys are still verified (so the record says whether the signature holds) and then
    // refused as proof by our own rule, which names the key size.
    minBitLength: 1,
  } as Parameters<typeof dkimVerify>[1]);
  const signatures = (result.results as MailauthSignature[])
    .filter((r) => r.signingDomain !== undefined)
    .map((m): SignatureOutcome => ({
      result: m.status?.result ?? 'none',
      comment: m.status?.comment ?? '',
      bodyHash: m.bodyHash ?? null,
      bodyHashExpecting: m.bodyHashExpecting ?? null,
      modulusLength: m.modulusLength ?? null,
      unsignedBodyBytes: m.status?.underSized ?? 0,
    }));
  return { signatures, arc: await mapArc(result, resolver), verifier: 'mailauth' };
}

async function mapArc(result: Awaited<ReturnType<typeof dkimVerify>>, resolver: (name: string) => Promise<string[][]>): Promise<ArcCheck> {
  const data = (result as unknown as { arc?: { chain?: unknown[] | false; error?: unknown } }).arc;
  if (!data || (!data.chain && !data.error)) return NO_ARC;
  const { verifyArc } = await loadMailauth();
  const out = (await verifyArc(
    data as Parameters<typeof verifyArc>[0],
    { resolver, minBitLength: 1024, strict: true } as Parameters<typeof verifyArc>[1],
  )) as unknown as {
    status?: { result?: string; comment?: string };
    i?: number | false;
  };
  const chain = (data.chain || []) as { i?: number; 'arc-seal'?: { parsed?: Record<string, { value?: unknown }> } }[];
  const r = out.status?.result;
  return {
    result: r === 'pass' ? 'pass' : r === 'fail' ? 'fail' : 'none',
    instances: chain.length,
    comment: out.status?.comment ?? (r === 'pass' ? `chain of ${chain.length} valid` : ''),
    seals: chain.map((c, i) => ({
      instance: Number(c.i ?? i + 1),
      domain: String(c['arc-seal']?.parsed?.d?.value ?? ''),
      selector: String(c['arc-seal']?.parsed?.s?.value ?? ''),
      result: String(c['arc-seal']?.parsed?.cv?.value ?? ''),
    })),
  };
}
