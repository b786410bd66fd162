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
 * At most this many characters of a line in a finding's evidence. A text without line breaks is
 * one line, and copies of a 2 MB text with one word changed stored 2 MB of evidence for it: 276 MB
 * over the 7,318 messages of the fuzzer's database (session of 2026-12-06).
 */
export const MAX_LINE_CHARS = 1000;
/** Characters kept before the first difference of a clipped changed line, so that the change is shown in its sentence. */
const LINE_CONTEXT_CHARS = 200;

/** What diffRuns says: `clipped` counts the lines shortened to MAX_LINE_CHARS (absent when none). */
export interface DiffRuns {
  runs: DiffRun[];
  truncated: number;
  tooDifferent?: true;
  clipped?: number;
}

/**
 * How `mine` differs from `other`, line by line (line ends normalised, trailing spaces ignored), as
 * a finding's evidence. Unchanged runs are cut to a little context; `truncated` counts the lines left
 * out after the cap. Texts that differ in more places than jsdiff is allowed to follow are
 * `tooDifferent`, with no runs (the same answer on every machine: the limit is edits, not time).
 * A line longer than MAX_LINE_CHARS is shown as a window of that many characters, the characters
 * left out on either side counted in the line ("… 1520 characters …"). A removed line and the added
 * line in its place (the n-th of a removed run and the n-th of the added run after it) are shown
 * from a little before the first character in which they differ; other lines from their start.
 */
export function diffRuns(other: string, mine: string): DiffRuns {
  const norm = (s: string): string =>
    s
      .replace(/\r\n?/g, '\n')
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n');
  // A last line without its line end is still the same line (as in diffTexts): a copy with a
  // footer after it showed its last line as removed and added again.
  const ended = (t: string): string => (t === '' || t.endsWith('\n') ? t : `${t}\n`);
  const parts = diffLines(ended(norm(other)), ended(norm(mine)), { maxEditLength: MAX_EDIT_LENGTH });
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
  const clipped = clipLongLines(runs);
  return clipped > 0 ? { runs, truncated, clipped } : { runs, truncated };
}

/** Shortens the lines of `runs` longer than MAX_LINE_CHARS in place (diffRuns); returns how many. */
function clipLongLines(runs: DiffRun[]): number {
  let clipped = 0;
  const clip = (run: DiffRun, n: number, from: number): void => {
    const line = run.lines[n]!;
    if (line.length <= MAX_LINE_CHARS) return;
    run.lines[n] = windowOf(line, from);
    clipped++;
  };
  for (let k = 0; k < runs.length; k++) {
    const run = runs[k]!;
    const partner = run.op === '-' && runs[k + 1]?.op === '+' ? runs[k + 1]! : null;
    if (partner === null) {
      run.lines.forEach((_, n) => clip(run, n, 0));
      continue;
    }
    // A pair is windowed from the same place in both lines, so that they show the same passage.
    const pairs = Math.min(run.lines.length, partner.lines.length);
    for (let n = 0; n < Math.max(run.lines.length, partner.lines.length); n++) {
      const from = n < pairs ? Math.max(0, commonPrefixLength(run.lines[n]!, partner.lines[n]!) - LINE_CONTEXT_CHARS) : 0;
      if (n < run.lines.length) clip(run, n, from);
      if (n < partner.lines.length) clip(partner, n, from);
    }
    k++;
  }
  return clipped;
}

/** MAX_LINE_CHARS characters of `line` from `from` (at most to its end), with what is left out on either side counted. */
function windowOf(line: string, from: number): string {
  const start = Math.min(from, Math.max(0, line.length - MAX_LINE_CHARS));
  const end = Math.min(line.length, start + MAX_LINE_CHARS);
  const before = start > 0 ? `… ${start} characters … ` : '';
  const after = end < line.length ? ` … ${line.length - end} characters …` : '';
  return `${before}${line.slice(start, end)}${after}`;
}

function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
