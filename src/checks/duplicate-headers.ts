// DKIM's h= binds header instances bottom-up: a name listed n times signs the n bottom-most copies.
// A forger adds a second Subject or From above the signed one; the signature still passes, and the
// reader's mail program may show the added copy. Signers defend by "over-signing" (listing a name
// once more than it occurs), which makes any added copy break the signature instead.
import type { CheckInput, Finding, MessageCheck, RawHeader, SignatureCheck } from '../model.ts';

const ID = 'duplicate-headers';

/** Headers RFC 5322 section 3.6 allows at most once per message. */
const SINGLETON_HEADERS = new Set([
  'from',
  'sender',
  'date',
  'subject',
  'message-id',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'in-reply-to',
  'references',
]);

/**
 * Headers each relay or receiver adds again on top (trace fields, RFC 5322 3.6.6-3.6.7; RFC 8601;
 * RFC 8617; DKIM itself): an unsigned upper copy of these is how mail travels, not an edit.
 */
const ADDED_IN_TRANSIT = new Set([
  'received',
  'x-received',
  'return-path',
  'delivered-to',
  'authentication-results',
  'received-spf',
  'arc-seal',
  'arc-message-signature',
  'arc-authentication-results',
  'dkim-signature',
]);

/** Longest header value quoted in a sentence. */
const QUOTE_LENGTH = 100;

function quote(value: string): string {
  return `"${value.length > QUOTE_LENGTH ? `${value.slice(0, QUOTE_LENGTH)}…` : value}"`;
}

/** Signatures whose h= means something: a signature that could not be parsed covers nothing. */
function coveringSignatures(signatures: SignatureCheck[]): SignatureCheck[] {
  return signatures.filter((s) => s.result !== 'permerror' && s.result !== 'none');
}

function groupByName(headers: RawHeader[]): Map<string, RawHeader[]> {
  const groups = new Map<string, RawHeader[]>();
  for (const h of [...headers].sort((a, b) => a.index - b.index)) {
    const group = groups.get(h.key);
    if (group) group.push(h);
    else groups.set(h.key, [h]);
  }
  return groups;
}

function unsignedCopy(copies: RawHeader[], cover: { sig: SignatureCheck; covers: number }[]): Finding | null {
  const best = Math.max(...cover.map((c) => c.covers));
  if (best >= copies.length) return null;
  const unsigned = copies.slice(0, copies.length - best); // the top-most copies
  const name = copies[0]!.name;
  const signer = cover.find((c) => c.covers === best)!.sig;
  const shown = unsigned.map((h) => quote(h.value)).join(', ');
  return {
    check: ID,
    code: `${ID}/unsigned-copy`,
    severity: 'strong',
    detail: `The message has ${copies.length} ${name} headers but the DKIM signature of ${signer.domain} signs only the bottom ${best}; the ${unsigned.length === 1 ? 'copy' : 'copies'} above (${shown}) ${unsigned.length === 1 ? 'was' : 'were'} added without a signature, and a mail program may show ${unsigned.length === 1 ? 'it' : 'them'} instead.`,
    evidence: {
      header: name,
      occurrences: copies.length,
      signedCopies: best,
      unsigned: unsigned.map((h) => ({ index: h.index, value: h.value })),
      signatures: cover.map((c) => ({ domain: c.sig.domain, selector: c.sig.selector, result: c.sig.result, covers: c.covers })),
    },
  };
}

function repeatedSingleton(copies: RawHeader[], signed: boolean): Finding {
  const name = copies[0]!.name;
  return {
    check: ID,
    code: `${ID}/repeated-singleton`,
    severity: 'weak',
    detail: `The message has ${copies.length} ${name} headers (${copies.map((h) => quote(h.value)).join(', ')}), which a message may carry only once, and ${signed ? 'no DKIM signature covers them' : 'the message is not signed'}.`,
    evidence: { header: name, occurrences: copies.length, copies: copies.map((h) => ({ index: h.index, value: h.value })) },
  };
}

export const check: MessageCheck = {
  id: ID,
  title: 'Duplicate headers outside the signature',
  codes: {
    [`${ID}/unsigned-copy`]: {
      severity: 'strong',
      meaning:
        'A header that a DKIM signature covers occurs more often than the signature signs, so a copy above the signed one was added after signing.',
    },
    [`${ID}/repeated-singleton`]: {
      severity: 'weak',
      meaning:
        'A header that may occur only once (From, Subject, Date, To, Message-ID and the like) occurs more than once and no DKIM signature covers it.',
    },
  },
  run({ parsed, verification }: CheckInput): Finding[] {
    const covering = coveringSignatures(verification.signatures);
    const findings: Finding[] = [];
    for (const [key, copies] of groupByName(parsed.headers)) {
      if (copies.length < 2 || ADDED_IN_TRANSIT.has(key) || key.startsWith('resent-')) continue;
      const cover = covering
        .map((sig) => ({ sig, covers: sig.signedHeaders.filter((h) => h.trim().toLowerCase() === key).length }))
        .filter((c) => c.covers > 0);
      const f =
        cover.length > 0
          ? unsignedCopy(copies, cover)
          : SINGLETON_HEADERS.has(key)
            ? repeatedSingleton(copies, verification.signatures.length > 0)
            : null;
      if (f) findings.push(f);
    }
    return findings;
  },
};
