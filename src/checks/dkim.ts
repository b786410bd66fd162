// DKIM outcome codes: one finding per signature (and per problem with it), from the verification
// record alone. Whether a passing signature counts as proof is decided here, by the strict rules of
// RFC 6376 and RFC 8301, so the verdict only has to look for `dkim/pass`.
import type { CheckInput, CodeDoc, Finding, MessageCheck, Severity, SignatureCheck } from '../model.ts';
import { formatTime } from '../common/time.ts';
import { capitalize } from '../common/text.ts';
import { domainsUpToOrganisation } from '../common/org-domain.ts';

/** RFC 8301 3.2: verifiers MUST NOT consider signatures using RSA keys of less than 1024 bits valid. */
export const MIN_RSA_BITS = 1024;

const codes: Record<string, CodeDoc> = {
  'dkim/pass': {
    severity: 'info',
    meaning:
      'A signature aligned with the From domain verifies over the whole message with a key of at least 1024 bits, valid at the message time: cryptographic proof.',
  },
  'dkim/unsigned': { severity: 'info', meaning: 'The message carries no DKIM signature.' },
  'dkim/body-hash-mismatch': {
    severity: 'strong',
    meaning:
      'The body no longer hashes to the value the signature recorded (bh=): the body changed after signing. Weak instead of strong when the key is not in the store or a mailing list explains it.',
  },
  'dkim/bad-signature': {
    severity: 'strong',
    meaning:
      "The body matches but the signature over the headers does not verify with the key. For an RSA key the signature value tells whether the key made it at all: made by it, the signed headers changed after signing; not made by it, another key made it (one the selector had before it was replaced, or one never the domain's), which archive-signing/replaced-key weighs against the time the archive shows the key in use. Weak instead of strong when a mailing list explains it.",
  },
  'dkim/key-unknown': {
    severity: 'info',
    meaning: 'The key named by the signature (selector._domainkey.domain) is not in the key store, so the signature cannot be checked.',
  },
  'dkim/key-revoked': {
    severity: 'info',
    meaning: 'The key record in the store has an empty p=: its owner revoked it, so nothing signed with it can be checked.',
  },
  'dkim/key-invalid': {
    severity: 'info',
    meaning: 'The key record in the store is unusable (bad encoding, unknown key type or version, not for e-mail, hash not allowed).',
  },
  'dkim/temperror': { severity: 'info', meaning: 'The key could not be had (a recorded DNS time-out or server failure).' },
  'dkim/weak-key': {
    severity: 'info',
    meaning: 'The signature verifies, but with an RSA key under 1024 bits, which RFC 8301 says must not count: such keys can be factored.',
  },
  'dkim/sha1': {
    severity: 'info',
    meaning: 'The signature uses rsa-sha1, which RFC 8301 forbids for verifying: it does not count as proof.',
  },
  'dkim/expired': {
    severity: 'weak',
    meaning: "The signature's x= expiry had passed when the message was received: it was already invalid in transit.",
  },
  'dkim/unsigned-content': {
    severity: 'strong',
    meaning:
      'The signature covers only the first l= bytes of the body and more content follows: text was appended after signing. Weak instead of strong on list mail, whose list may have added it.',
  },
  'dkim/unaligned': {
    severity: 'info',
    meaning: 'The signature verifies but its domain (d=) is not the From domain: it proves the signer, not the author.',
  },
  'dkim/from-not-signed': {
    severity: 'weak',
    meaning: 'The signature does not cover the From header, so the sender could have been replaced after signing.',
  },
  'dkim/malformed': {
    severity: 'info',
    meaning:
      'The signature header breaks RFC 6376 (missing or bad tags, pre-standard version, unknown algorithm or canonicalization) and is not evaluated.',
  },
  'dkim/not-evaluated': {
    severity: 'info',
    meaning: 'The signature was not evaluated by a resource limit (too many signatures on the message, or a huge h= list).',
  },
  'dkim/key-outside-seen-period': {
    severity: 'info',
    meaning:
      'The key record used comes from a key archive that saw it in DNS only well before or after the message time (more than 30 days): the key may not have been published when the message claims to have been sent. Archives began in 2023, so older genuine mail shows this too.',
  },
  'dkim/missing-signature': {
    severity: 'weak',
    meaning:
      'The From domain publishes DKIM keys (it is in the key store, from before the message time) but the message carries no signature of it, and no other signature on it verifies: an unsigned spoof of a signing domain.',
  },
};

/**
 * Key archives sample DNS every few days to weeks, so a key is in use a while before it is first
 * seen and after it is last seen. Outside the seen period by more than this is worth telling.
 */
export const KEY_SEEN_MARGIN_S = 30 * 86400;

function find(s: SignatureCheck, code: string, detail: string, severity?: Severity, extra: Record<string, unknown> = {}): Finding {
  return {
    check: 'dkim',
    code,
    severity: severity ?? codes[code]!.severity,
    detail,
    signature: s.index,
    evidence: {
      d: s.domain,
      s: s.selector,
      a: s.algorithm,
      result: s.result,
      problem: s.problem,
      comment: s.comment,
      key: s.keyName,
      keySource: s.keySource,
      ...extra,
    },
  };
}

function judgeSignature(s: SignatureCheck, input: CheckInput): Finding[] {
  const who = `the signature of ${s.domain || '(no domain)'} (selector ${s.selector || '?'})`;
  const out: Finding[] = [];
  if (s.result === 'pass') {
    if (s.algorithm.toLowerCase() === 'rsa-sha1')
      out.push(find(s, 'dkim/sha1', `${capitalize(who)} verifies but uses rsa-sha1, which RFC 8301 says must not be trusted.`));
    if (s.keyType === 'rsa' && s.keyBits !== null && s.keyBits < MIN_RSA_BITS) {
      out.push(
        find(
          s,
          'dkim/weak-key',
          `${capitalize(who)} verifies, but with a ${s.keyBits}-bit RSA key; keys under ${MIN_RSA_BITS} bits can be factored and do not count (RFC 8301).`,
          undefined,
          { keyBits: s.keyBits },
        ),
      );
    }
    if (s.unsignedBodyBytes > 0) {
      // Lists append their footer after l= (that is what l= is for): weak on list mail, never tampered.
      const list = input.parsed.listId !== null;
      out.push(
        find(
          s,
          'dkim/unsigned-content',
          `${capitalize(who)} covers only the first ${s.bodyLength} bytes of the body; ${s.unsignedBodyBytes} bytes after them were not signed and may have been added later${list ? ` (the message went through the mailing list ${input.parsed.listId}, which may have added them)` : ''}.`,
          list ? 'weak' : undefined,
          { l: s.bodyLength, unsignedBytes: s.unsignedBodyBytes },
        ),
      );
    }
    if (!s.aligned)
      out.push(
        find(
          s,
          'dkim/unaligned',
          `${capitalize(who)} verifies, but ${s.domain} is not the From domain (${input.parsed.from[0]?.domain || 'none'}): it proves who relayed or signed the message, not who wrote it.`,
        ),
      );
    if (out.length === 0) {
      const date = formatTime(input.verification.asOf, 'minute');
      out.push(
        find(
          s,
          'dkim/pass',
          `${capitalize(who)} (${s.algorithm}, ${s.keyBits ?? '?'}-bit ${s.keyType ?? ''} key from ${s.keySource ?? 'unknown source'}) verifies over the whole message as of ${date} UTC.`,
          undefined,
          { keyBits: s.keyBits, asOf: input.verification.asOf },
        ),
      );
    }
    return out;
  }
  if (s.problem === 'expired') {
    return [
      find(
        s,
        'dkim/expired',
        `${capitalize(who)} expired (x=${iso(s.expiresAt)}) before the message was received (${iso(input.verification.asOf)}).`,
        undefined,
        { x: s.expiresAt, asOf: input.verification.asOf },
      ),
    ];
  }
  if (s.result === 'fail' || (s.bodyHash === 'fail' && s.result !== 'permerror')) {
    const keyKnown = s.keySource !== null;
    const list = input.parsed.listId !== null;
    if (s.bodyHash === 'fail') {
      const sev: Severity = keyKnown && !list ? 'strong' : 'weak';
      const why = !keyKnown
        ? ' (the key is not in the store, so the signature header itself is unproven)'
        : list
          ? ` (the message went through the mailing list ${input.parsed.listId}, which may have changed it)`
          : '';
      const detail =
        s.headerSignature === 'pass'
          ? `The signed headers still verify with the key of ${s.domain}, but the body does not match what the signature recorded: the body was changed after signing${why}.`
          : s.headerSignature === 'fail' && s.keyMade === 'yes'
            ? `Neither the body nor the signed headers match ${who}, although the key of ${s.domain} made it: it was made for other headers and another body (copied from another message of ${s.domain}, or the message rewritten)${why}.`
            : s.headerSignature === 'fail' && s.keyMade === 'no'
              ? `Neither the body nor the signed headers match ${who}, and the key the store holds for ${s.keyName} did not make it: it was made with another key (one the selector had before, or one never the domain's), for another body${why}.`
              : s.headerSignature === 'fail'
                ? `Neither the body nor the signed headers match ${who}: it was not made for this message as it stands (copied from another message, or the message rewritten)${why}.`
                : `The body does not match what ${who} recorded: it was changed after signing${why}.`;
      out.push(find(s, 'dkim/body-hash-mismatch', detail, sev, { headerSignature: s.headerSignature, keyMade: s.keyMade }));
    } else {
      // A list rewrites headers it forwards (subject tag, From or Reply-To munging): weak, like a body it changed.
      const headers = `${s.signedHeaders.slice(0, 6).join(', ')}${s.signedHeaders.length > 6 ? ', …' : ''}`;
      const viaList = list ? ` (the message went through the mailing list ${input.parsed.listId}, which may have changed them)` : '';
      // Whether the key made the signature at all tells changed headers from a signature made with
      // another key: a key replaced since (archive-signing/replaced-key weighs that) or a forger's.
      const detail =
        s.keyMade === 'yes'
          ? `${capitalize(who)} was made with the key the store holds for ${s.keyName}, but over other values of the signed headers (${headers}): they were changed after signing${viaList}.`
          : s.keyMade === 'no'
            ? `${capitalize(who)} was not made with the key the store holds for ${s.keyName}, though the body matches what it recorded: it was made with another key, one the selector had before it was replaced (which the key store does not hold) or one that was never ${s.domain}'s.`
            : `${capitalize(who)} does not verify with its key: signed headers (${headers}) were changed after signing${viaList}.`;
      out.push(find(s, 'dkim/bad-signature', detail, list ? 'weak' : 'strong', { keyMade: s.keyMade }));
    }
    if (s.algorithm.toLowerCase() === 'rsa-sha1')
      out.push(find(s, 'dkim/sha1', `${capitalize(who)} uses rsa-sha1, which RFC 8301 says must not be trusted.`));
    return out;
  }
  if (s.result === 'policy') {
    if (s.problem === 'weak-algorithm' || s.algorithm.toLowerCase() === 'rsa-sha1')
      return [
        find(
          s,
          'dkim/sha1',
          `${capitalize(who)} uses rsa-sha1, which RFC 8301 says must not be used for verifying; it is not checked as proof.`,
        ),
      ];
    return [find(s, 'dkim/weak-key', `${capitalize(who)} uses a key under ${MIN_RSA_BITS} bits.`)];
  }
  if (s.result === 'temperror') return [find(s, 'dkim/temperror', `The key for ${who} could not be had (${s.keyError ?? s.comment}).`)];
  if (s.keyRevoked)
    return [find(s, 'dkim/key-revoked', `The key ${s.keyName} was revoked by its owner (empty p=), so ${who} cannot be checked.`)];
  if (s.problem === 'no-key')
    return [find(s, 'dkim/key-unknown', `The key ${s.keyName} is not in the key store, so ${who} cannot be checked.`)];
  if (s.problem === 'key-unusable')
    return [find(s, 'dkim/key-invalid', `The key record ${s.keyName} (${s.keySource ?? 'no source'}) is unusable: ${s.comment}.`)];
  if (s.problem === 'from-not-signed')
    return [
      find(
        s,
        'dkim/from-not-signed',
        `${capitalize(who)} does not cover the From header, so the sender could have been replaced after signing.`,
      ),
    ];
  if (s.problem === 'not-evaluated') return [find(s, 'dkim/not-evaluated', `${capitalize(who)} was ${s.comment}.`)];
  return [
    find(
      s,
      'dkim/malformed',
      `${capitalize(who)} is malformed and was not evaluated: ${s.comment || 'unreadable'}${s.version !== '1' ? ` (v=${s.version ?? 'missing'}: not a standard RFC 6376 signature)` : ''}.`,
    ),
  ];
}

/** The key's archive observations against the message time (context, never a verdict on its own). */
function seenPeriod(s: SignatureCheck, input: CheckInput): Finding[] {
  if (s.keySource === null || (s.keyFirstSeen === null && s.keyLastSeen === null)) return [];
  const asOf = input.verification.asOf;
  const before = s.keyFirstSeen !== null && asOf < s.keyFirstSeen - KEY_SEEN_MARGIN_S;
  const after = s.keyLastSeen !== null && asOf > s.keyLastSeen + KEY_SEEN_MARGIN_S;
  if (!before && !after) return [];
  const days = Math.round((before ? s.keyFirstSeen! - asOf : asOf - s.keyLastSeen!) / 86400);
  const when = before ? `first seen ${iso(s.keyFirstSeen)}, ${days} days after` : `last seen ${iso(s.keyLastSeen)}, ${days} days before`;
  return [
    find(
      s,
      'dkim/key-outside-seen-period',
      `The key ${s.keyName} (${s.keySource}) was ${when} the message time (${iso(asOf)}).`,
      undefined,
      { firstSeen: s.keyFirstSeen, lastSeen: s.keyLastSeen, asOf },
    ),
  ];
}

function run(input: CheckInput): Finding[] {
  const sigs = input.verification.signatures;
  if (sigs.length === 0) {
    const out: Finding[] = [
      { check: 'dkim', code: 'dkim/unsigned', severity: 'info', detail: 'The message carries no DKIM signature.', evidence: {} },
    ];
    return out.concat(missingSignature(input));
  }
  const out = sigs.flatMap((s) => [...judgeSignature(s, input), ...seenPeriod(s, input)]);
  if (!out.some((f) => f.code === 'dkim/pass')) out.push(...missingSignature(input));
  return out;
}

function missingSignature(input: CheckInput): Finding[] {
  const domain = input.parsed.from[0]?.domain;
  const known = input.context?.signingDomains;
  if (!domain || !known) return [];
  // The From domain or a parent of it within its organisation (news.example.org signed by example.org).
  const match = domainsUpToOrganisation(domain).find((d) => known.has(d)) ?? null;
  if (match === null) return [];
  const since = known.get(match) ?? null;
  const asOf = input.verification.asOf;
  // A domain that started signing after the message was written proves nothing about it.
  if (since !== null && since > asOf) return [];
  // A signature of the domain that fails is reported by its own finding; this is about its absence.
  // A third party's signature that verifies (a sending provider, a list) shows who sent it; whether
  // this domain's mail normally carries its own signature is for the archive's signing profile.
  if (input.verification.signatures.some((s) => s.aligned || s.result === 'pass')) return [];
  const what = 'this message carries no signature of it';
  return [
    {
      check: 'dkim',
      code: 'dkim/missing-signature',
      severity: 'weak',
      detail: `${match} publishes DKIM keys${since !== null ? ` (seen since ${iso(since)})` : ''}, but ${what}: mail really sent by ${domain} would normally be signed.`,
      evidence: { fromDomain: domain, keyDomain: match, keysSince: since, asOf },
    },
  ];
}

function iso(t: number | null): string {
  return formatTime(t, 'iso', 'unknown');
}

export const check: MessageCheck = { id: 'dkim', title: 'DKIM signatures', codes, run };
