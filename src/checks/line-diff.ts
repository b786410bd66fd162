// The only file that imports the `diff` package (jsdiff): a line diff of two texts mapped into our
// own small shape, for the evidence of copies that differ. Not a check.
import { diffLines } from 'diff';

/** One run of lines: kept in both texts (' '), only in the other copy ('-'), only in this one ('+'). */
export interface DiffRun {
  op: ' ' | '-' | '+';
  lines: string[];
}

/** Lines of unchanged context kept around each change; longer unchanged runs are cut to this. */
const CONTEXT_LINES = 2;
/** At most this many lines in a diff: a reviewer reads the start; the rest is counted. */
const MAX_LINES = 200;

/**
 * How `mine` differs from `other`, line by line (line ends normalised, trailing spaces ignored).
 * Unchanged runs are cut to a little context; `truncated` counts the lines left out after the cap.
 */
export function diffText(other: string, mine: string): { runs: DiffRun[]; truncated: number } {
  const norm = (s: string): string =>
    s
      .replace(/\r\n?/g, '\n')
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n');
  const parts = diffLines(norm(other), norm(mine));
  const runs: DiffRun[] = [];
  let shown = 0;
  let truncated = 0;
  parts.forEach((p, i) => {
    let lines = p.value.replace(/\n$/, '').split('\n');
    const op: DiffRun['op'] = p.added ? '+' : p.removed ? '-' : ' ';
    if (op === ' ') {
      const first = i === 0;
      const last = i === parts.length - 1;
      if (lines.length > CONTEXT_LINES * 2) {
        const head = first ? [] : lines.slice(0, CONTEXT_LINES);
        const tail = last ? [] : lines.slice(-CONTEXT_LINES);
        lines = [
          ...head,
          ...(head.length || tail.length ? [`… ${lines.length - head.length - tail.length} unchanged line(s) …`] : []),
          ...tail,
        ];
      }
    }
    const room = Math.max(0, MAX_LINES - shown);
    if (lines.length > room) {
      truncated += lines.length - room;
      lines = lines.slice(0, room);
    }
    shown += lines.length;
    if (lines.length > 0) runs.push({ op, lines });
  });
  return { runs, truncated };
}
