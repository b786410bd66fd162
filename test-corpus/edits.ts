// Byte-level edits a forger makes to a delivered message. Each edit must hit exactly once, so a
// change to a base message that breaks a forgery fails the generator instead of passing silently.
import type { VerdictName } from '../src/model.ts';
import { CRLF } from './message-text.ts';

/** One generated message and what the verifier must conclude about it. */
export interface CorpusCase {
  file: string;
  description: string;
  verdict: VerdictName;
  /** Codes that MUST be among the findings (others may appear too). */
  codes: readonly string[];
  /** The message, one char per byte (latin1). */
  text: string;
}

export function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`edit target must occur exactly once: ${from}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** Inserts a header line directly above the first header field that starts with `above`. */
export function insertHeaderAbove(text: string, above: string, line: string): string {
  // Searching CRLF + text makes the index point at the line start in `text` itself.
  const at = (CRLF + text).indexOf(CRLF + above);
  if (at < 0 || at > text.indexOf(CRLF + CRLF)) throw new Error(`no header ${above} in the header section`);
  return text.slice(0, at) + line + CRLF + text.slice(at);
}

/** Appends text to the body (after its last line). */
export function appendToBody(text: string, addition: string): string {
  if (!text.endsWith(CRLF)) throw new Error('message must end with a line break');
  return text + addition;
}
