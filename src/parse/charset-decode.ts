// The only adapter over iconv-lite: text parts in a declared charset turned into JavaScript strings,
// the way mailparser does it (charset names normalised by libmime first).
import iconv from 'iconv-lite';

/** The text, or null when iconv-lite does not know the charset (the caller keeps the bytes as UTF-8). */
export function decodeCharset(bytes: Buffer, charset: string): string | null {
  if (!iconv.encodingExists(charset)) return null;
  return iconv.decode(bytes, charset);
}
