// The verification transcript of an evidence bundle (issue 7): per signature, what it says, what
// was computed and with which key, as of which time. Made by src/verify/transcribe-verification.ts
// from the stored bytes, written by src/export/bundle.ts. Plain JSON values only: it is published.

export interface TranscriptKey {
  /** selector._domainkey.domain */
  name: string;
  /** Where the record came from: zone file, JSON file, key archive, or dns@time for a live lookup. */
  source: string;
  /** The TXT record text the signature was checked with. */
  record: string;
  type: string | null;
  bits: number | null;
  revoked: boolean;
  /** ISO times the record was observed (key-archive exports); null when the source does not say. */
  firstSeen: string | null;
  lastSeen: string | null;
  /** ISO time of a live DNS lookup; null for keys from files. */
  fetchedAt: string | null;
}

export interface TranscriptSignature {
  index: number;
  /** The DKIM-Signature header exactly as in the message (folding kept). */
  header: string;
  /** Every tag as written, in order (b= and bh= included). */
  tags: Record<string, string>;
  canonicalization: { header: string; body: string };
  algorithm: string;
  signedHeaders: string[];
  /** l=, the signed body length, or null for the whole body. */
  bodyLength: number | null;
  bodyHash: {
    /** base64 SHA of the canonical body as computed now; null when the verifier stopped earlier. */
    computed: string | null;
    /** bh= as recorded in the signature. */
    expected: string | null;
    result: 'pass' | 'fail' | 'unknown';
  };
  /** b= checked over the signed headers alone. */
  headerSignature: 'pass' | 'fail' | 'unknown';
  /**
   * When b= fails: whether the key made the signature all the same, over other header values (yes),
   * or did not make it at all (no: another key made it); unknown otherwise (RSA keys only).
   */
  keyMadeSignature: 'yes' | 'no' | 'unknown';
  result: string;
  /** The verifier's own words. */
  comment: string;
  problem: string | null;
  key: TranscriptKey | null;
  /** Why there is no usable key: not-in-store, NXDOMAIN, ... */
  keyError: string | null;
  /** d= aligned with the From domain (relaxed). */
  aligned: boolean;
  /** Canonical body bytes after l=, which the signature does not cover. */
  unsignedBodyBytes: number;
  signTime: string | null;
  expiresAt: string | null;
}

export interface VerificationTranscript {
  messageSha256: string;
  verifier: string;
  /** The time the signatures were verified as of, and where that time was read. */
  asOf: string;
  asOfUnix: number;
  asOfSource: string;
  signatures: TranscriptSignature[];
  arc: {
    result: string;
    instances: number;
    comment: string;
    seals: { instance: number; domain: string; selector: string; result: string }[];
  };
}
