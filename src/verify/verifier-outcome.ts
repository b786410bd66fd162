// What one verification pass says about a message's signatures, whichever verifier made it: our own
// (dkim-own.ts, for the well-formed signatures that make up nearly all mail) or mailauth
// (mailauth-adapter.ts, for everything else and for ARC). The words are mailauth's strict-mode
// vocabulary, so that both passes feed one mapping into SignatureCheck (verify-message.ts).
import type { ArcCheck } from '../model.ts';

/** One DKIM-Signature header's outcome, in the order of the headers. */
export interface SignatureOutcome {
  /** pass | fail | neutral | policy | temperror | permerror. */
  result: string;
  /** Why, in the verifier's words ('' on a pass). */
  comment: string;
  /** The body hash computed (base64), when the verifier got that far. */
  bodyHash: string | null;
  /** bh= as written, whitespace removed. */
  bodyHashExpecting: string | null;
  /** RSA modulus length of the key used, when one was used. */
  modulusLength: number | null;
  /** Canonical body bytes after the l= limit, not covered by the signature. */
  unsignedBodyBytes: number;
}

/** Which verifier read a message: ours, mailauth (declined by ours), or neither (not evaluated). */
export type VerifierName = 'own' | 'mailauth' | 'skipped';

interface OutcomeOf<V extends VerifierName> {
  /** One entry per DKIM-Signature header, or fewer when the verifier stopped reading them. */
  signatures: (SignatureOutcome | undefined)[];
  arc: ArcCheck;
  verifier: V;
}

/** What a verifier found, or why none read the message's signatures: a reason comes with 'skipped', and only with it. */
export type VerifierOutcome =
  | OutcomeOf<'own' | 'mailauth'>
  | (OutcomeOf<'skipped'> & {
      /** Why no verifier read the message's signatures ("the header section has more than 5000 lines"). */
      skipped: string;
    });

/** The key store's answer to a selector name, as a DNS resolver would give it. */
export type KeyAnswer = { value: string } | { error: 'ENOTFOUND' | 'ETIMEOUT' | 'ESERVFAIL' };

export type KeyLookup = (name: string) => Promise<KeyAnswer>;

/** What mailauth reports when a key lookup fails this way (tools.js KEY_ERROR_COMMENTS and DNS failures). */
export function keyErrorComment(error: string): { result: string; comment: string } {
  if (error === 'ENOTFOUND' || error === 'ENODATA') return { result: 'neutral', comment: 'no key' };
  return { result: 'temperror', comment: `DNS failure: ${error}` };
}

export const NO_ARC: ArcCheck = { result: 'none', instances: 0, comment: 'no ARC headers', seals: [] };
