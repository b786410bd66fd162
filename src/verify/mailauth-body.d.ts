// Types of mailauth's body canonicalizer (lib/dkim/body), which mailauth ships without declarations.
declare module 'mailauth/lib/dkim/body/index.js' {
  interface BodyHasher {
    update(chunk: Buffer): void;
    digest(encoding: 'base64'): string;
  }
  /** RFC 6376 3.4.3 / 3.4.4 body canonicalization and hash; `canonicalization` may be "header/body". */
  export function dkimBody(canonicalization: string, algorithm?: string, maxBodyLength?: number): BodyHasher;
}
