// The one adapter over the `diff` package (jsdiff): line diffs of two texts in our own types. Pure.
// Two shapes: numbered hunks for the review server's view of two copies (diffTexts), and compact runs
// of lines for the evidence of a finding, stored with it (diffRuns).
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
/** The server's view may also give up after this long; a finding's evidence may not (it must not depend on the machine's speed). */
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

/** One run of lines of a finding's evidence: kept in both texts (' '), only in the other copy ('-'), only in this one ('+'). */
export interface DiffRun {
  op: ' ' | '-' | '+';
  lines: string[];
}

/** Lines of unchanged context kept around each change in a finding's evidence; longer unchanged runs are cut to this. */
const RUN_CONTEXT_LINES = 2;
/** At most this many lines in a finding's evidence: a reviewer reads the start; the rest is counted. */
const MAX_RUN_LINES = 200;

/**
 * How `mine` differs from `other`, line by line (line ends normalised, trailing spaces ignored), as
 * a finding's evidence. Unchanged runs are cut to a little context; `truncated` counts the lines left
 * out after the cap. Texts that differ in more places than jsdiff is allowed to follow are
 * `tooDifferent`, with no runs (the same answer on every machine: the limit is edits, not time).
 */
export function diffRuns(other: string, mine: string): { runs: DiffRun[]; truncated: number; tooDifferent?: true } {
  const norm = (s: string): string =>
    s
      .replace(/\r\n?/g, '\n')
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n');
  const parts = diffLines(norm(other), norm(mine), { maxEditLength: MAX_EDIT_LENGTH });
  if (parts === undefined) return { runs: [], truncated: 0, tooDifferent: true };
  const runs: DiffRun[] = [];
  let shown = 0;
  let truncated = 0;
  parts.forEach((p, i) => {
    let lines = p.value.replace(/\n$/, '').split('\n');
    const op: DiffRun['op'] = p.added ? '+' : p.removed ? '-' : ' ';
    if (op === ' ' && lines.length > RUN_CONTEXT_LINES * 2) {
      const head = i === 0 ? [] : lines.slice(0, RUN_CONTEXT_LINES);
      const tail = i === parts.length - 1 ? [] : lines.slice(-RUN_CONTEXT_LINES);
      lines = [
        ...head,
        ...(head.length || tail.length ? [`… ${lines.length - head.length - tail.length} unchanged line(s) …`] : []),
        ...tail,
      ];
    }
    const room = Math.max(0, MAX_RUN_LINES - shown);
    if (lines.length > room) {
      truncated += lines.length - room;
      lines = lines.slice(0, room);
    }
    shown += lines.length;
    if (lines.length > 0) runs.push({ op, lines });
  });
  return { runs, truncated };
}
