// The one adapter over the `diff` package (jsdiff): a line diff of two texts, cut into hunks with a
// little context, in our own types. Pure: the server uses it to show how two copies of a message differ.
import { diffLines } from 'diff';

export interface DiffLine {
  /** ' ' the same in both, '-' only in the first text, '+' only in the second. */
  op: ' ' | '-' | '+';
  text: string;
  /** Line numbers in the first and second text (1-based), null where the line is absent. */
  a: number | null;
  b: number | null;
}

/** A run of changed lines with up to `context` unchanged lines around it. */
export interface DiffHunk {
  lines: DiffLine[];
}

export type LineDiff =
  | { kind: 'same' }
  | { kind: 'different'; hunks: DiffHunk[]; added: number; removed: number }
  /** Too many edits to compute in the time allowed: the texts differ, but not shown line by line. */
  | { kind: 'too-different' };

/**
 * Hostile copies can be large and wholly rewritten; jsdiff's cost grows with the number of edits,
 * so it gives up past this many (the reader then compares the downloads) or after this long.
 */
const MAX_EDIT_LENGTH = 2000;
const TIMEOUT_MS = 250;

/** The line diff of `a` and `b` (CRLF and LF count as the same line end). */
export function diffTexts(a: string, b: string, context = 3): LineDiff {
  if (a === b) return { kind: 'same' };
  // A last line without its line end is still the same line.
  const ended = (t: string) => (t === '' || t.endsWith('\n') ? t : `${t}\n`);
  const changes = diffLines(ended(a), ended(b), { stripTrailingCr: true, maxEditLength: MAX_EDIT_LENGTH, timeout: TIMEOUT_MS });
  if (changes === undefined) return { kind: 'too-different' };
  const all: DiffLine[] = [];
  let na = 0;
  let nb = 0;
  for (const c of changes) {
    const lines = c.value.replace(/\n$/, '').split('\n');
    for (const text of lines) {
      if (c.added) all.push({ op: '+', text, a: null, b: ++nb });
      else if (c.removed) all.push({ op: '-', text, a: ++na, b: null });
      else all.push({ op: ' ', text, a: ++na, b: ++nb });
    }
  }
  const changed = all.map((l, i) => (l.op === ' ' ? -1 : i)).filter((i) => i >= 0);
  if (!changed.length) return { kind: 'same' };
  const hunks: DiffHunk[] = [];
  let start = Math.max(0, (changed[0] as number) - context);
  let end = Math.min(all.length, (changed[0] as number) + context + 1);
  for (const i of changed.slice(1)) {
    if (i - context <= end) end = Math.min(all.length, i + context + 1);
    else {
      hunks.push({ lines: all.slice(start, end) });
      start = i - context;
      end = Math.min(all.length, i + context + 1);
    }
  }
  hunks.push({ lines: all.slice(start, end) });
  return {
    kind: 'different',
    hunks,
    added: all.filter((l) => l.op === '+').length,
    removed: all.filter((l) => l.op === '-').length,
  };
}
