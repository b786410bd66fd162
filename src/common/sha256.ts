// The one SHA-256 helper: message ids, attachment and body hashes, migration checksums.
import { createHash } from 'node:crypto';

/** SHA-256 of bytes (or of a string's UTF-8 bytes) as 64 lower-case hex digits. */
export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 as raw bytes (fixed-length inputs for equal-time comparison). */
export function sha256Digest(data: Buffer | string): Buffer {
  return createHash('sha256').update(data).digest();
}
