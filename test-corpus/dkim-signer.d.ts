// dkim-signer 0.2.2 ships no types; only the function the corpus uses.
declare module 'dkim-signer' {
  export interface DKIMSignOptions {
    domainName: string;
    keySelector: string;
    privateKey: string | Buffer;
    /** Colon-separated header names; the library's default leaves out Date and Message-ID. */
    headerFieldNames?: string;
  }
  /** Returns the folded `DKIM-Signature: ...` header (no trailing CRLF), rsa-sha256 relaxed/relaxed. */
  export function DKIMSign(email: string | Buffer, options: DKIMSignOptions): string;
}
