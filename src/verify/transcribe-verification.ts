// The verification transcript of one stored message for its evidence bundle: the stored bytes
// verified again, offline, with exactly the key records the import used, as of the same time, so
// that the transcript shows the computed body hash beside bh= and names the key and the clock.
import type { KeyRecord } from '../model.ts';
import { formatTime } from '../common/time.ts';
import type { TranscriptKey, VerificationTranscript } from '../common/verification-transcript.ts';
import { parseMessage } from '../parse/parse-message.ts';
import { readSignatureTags } from './dkim-tags.ts';
import { describeKey, KeyIndex } from './key-index.ts';
import { verifyMessage } from './verify-message.ts';

export const TRANSCRIPT_VERIFIER = 'leaktriage verify (mailauth 7.1.0 dkimVerify, strict, curTime = as-of time)';

const iso = (t: number | null): string | null => (t === null ? null : formatTime(t, 'iso'));

/**
 * `keys`: the records the stored verification named (no others, so a key added to the store since
 * cannot change the answer). `fallbackTime`: the stored as-of time, used as "now" when the message
 * carries no time of its own (as the import used its own clock then).
 */
export async function transcribeVerification(
  sha256: string,
  bytes: Buffer,
  keys: KeyRecord[],
  fallbackTime: number,
): Promise<VerificationTranscript> {
  const parsed = await parseMessage(bytes);
  const index = new KeyIndex(keys);
  const v = await verifyMessage(bytes, parsed, { keys: index, now: fallbackTime });
  const tagged = readSignatureTags(parsed.headers);
  return {
    messageSha256: sha256,
    verifier: TRANSCRIPT_VERIFIER,
    asOf: iso(v.asOf)!,
    asOfUnix: v.asOf,
    asOfSource: v.asOfSource,
    signatures: v.signatures.map((s) => {
      const t = tagged[s.index];
      const [header = 'simple', body = 'simple'] = s.canonicalization.split('/');
      const record = index.candidates(s.keyName, v.asOf).find((k) => k.source === s.keySource && !k.dnsError && k.value) ?? null;
      return {
        index: s.index,
        header: t?.header.raw ?? '',
        tags: Object.fromEntries(t?.tags ?? []),
        canonicalization: { header, body },
        algorithm: s.algorithm,
        signedHeaders: s.signedHeaders,
        bodyLength: s.bodyLength,
        bodyHash: { computed: s.bodyHashComputed ?? null, expected: s.bodyHashExpected ?? null, result: s.bodyHash },
        headerSignature: s.headerSignature,
        keyMadeSignature: s.keyMade,
        result: s.result,
        comment: s.comment,
        problem: s.problem,
        key: record ? describeRecord(record) : null,
        keyError: s.keyError,
        aligned: s.aligned,
        unsignedBodyBytes: s.unsignedBodyBytes,
        signTime: iso(s.signTime),
        expiresAt: iso(s.expiresAt),
      };
    }),
    arc: v.arc,
  };
}

function describeRecord(k: KeyRecord): TranscriptKey {
  const d = describeKey(k.value);
  return {
    name: k.name,
    source: k.source,
    record: k.value,
    type: d.keyType,
    bits: d.keyBits,
    revoked: d.revoked,
    firstSeen: iso(k.firstSeen),
    lastSeen: iso(k.lastSeen),
    fetchedAt: iso(k.fetchedAt),
  };
}
