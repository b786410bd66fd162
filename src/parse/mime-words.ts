// The only adapter over libmime (the MIME header codec mailparser is built on): RFC 2047 encoded
// words, RFC 2231 parameters, charset names and file-name types, read exactly as mailparser reads
// them, so that our own MIME walk (mime-walk.ts) gives the same decoded values.
import { createRequire } from 'node:module';

interface StructuredHeader {
  value: string;
  params: Record<string, string>;
}

interface Libmime {
  decodeWords(s: string): string;
  decodeHeader(line: string): { key: string; value: string };
  parseHeaderValue(s: string): StructuredHeader;
  normalizeCharset(s: string): string;
  detectMimeType(fileName: string): string;
  decodeFlowed(s: string, delSp?: boolean): string;
}

const libmime = createRequire(import.meta.url)('libmime') as Libmime;

/** RFC 2047 words decoded; the input as it was when a word cannot be decoded. */
export function decodeWords(s: string): string {
  try {
    return libmime.decodeWords(s);
  } catch {
    return s;
  }
}

/** A header line's value: unfolded and trimmed, not yet decoded. */
export function headerLineValue(line: string): string {
  return (libmime.decodeHeader(line).value || '').toString().trim();
}

/** `value; name=param` (RFC 2045, with RFC 2231 continuations and charsets). */
export function parseStructuredHeader(s: string): StructuredHeader {
  return libmime.parseHeaderValue(s);
}

export function normalizeCharset(s: string): string {
  return libmime.normalizeCharset(s);
}

/** The media type a file name suggests (application/octet-stream when none). */
export function mimeTypeOfFileName(fileName: string): string {
  return libmime.detectMimeType(fileName);
}

/** RFC 3676 format=flowed lines joined; latin1 string in, latin1 string out. */
export function decodeFlowed(s: string, delSp: boolean): string {
  return libmime.decodeFlowed(s, delSp);
}
