// The one SHA-256 helper: message ids, attachment and body hashes, migration checksums. One-shot
// `crypto.hash`: the same digest as a Hash object's, without making one (about 1 µs less a call;
// a message takes several).
import { hash } from 'node:crypto';

/** SHA-256 of bytes (or of a string's UTF-8 bytes) as 64 lower-case hex digits. */
export function sha256Hex(data: Buffer | string): string {
  return hash('sha256', data, 'hex');
}

/** SHA-256 as raw bytes (fixed-length inputs for equal-time comparison). */
export function sha256Digest(data: Buffer | string): Buffer {
  return hash('sha256', data, 'buffer');
}
