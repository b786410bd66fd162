import { describe, expect, it } from 'vitest';
import { diffRuns, diffTexts, MAX_LINE_CHARS } from '../../src/common/line-diff.ts';

describe('diffTexts', () => {
  it('says two texts are the same, line ends aside', () => {
    expect(diffTexts('a\nb\n', 'a\nb\n')).toEqual({ kind: 'same' });
    expect(diffTexts('a\r\nb\r\n', 'a\nb\n')).toEqual({ kind: 'same' });
  });

  it('gives the changed lines with their numbers and a little context, in separate hunks', () => {
    const a = ['1', '2', '3', 'pay 100', '5', '6', '7', '8', '9', '10', '11', 'end'].join('\n');
    const b = ['1', '2', '3', 'pay 1,000,000', '5', '6', '7', '8', '9', '10', '11', 'end', 'P.S. wire today'].join('\n');
    const d = diffTexts(a, b, 1);
    expect(d.kind).toBe('different');
    if (d.kind !== 'different') return;
    expect(d).toMatchObject({ added: 2, removed: 1 });
    expect(d.hunks.map((h) => h.lines.map((l) => `${l.op}${l.text}`))).toEqual([
      [' 3', '-pay 100', '+pay 1,000,000', ' 5'],
      [' end', '+P.S. wire today'],
    ]);
    expect(d.hunks[0]!.lines[1]).toEqual({ op: '-', text: 'pay 100', a: 4, b: null });
    expect(d.hunks[0]!.lines[2]).toEqual({ op: '+', text: 'pay 1,000,000', a: null, b: 4 });
  });

  it('gives up on texts rewritten throughout rather than spend seconds', () => {
    const a = Array.from({ length: 6000 }, (_, i) => `line ${i}`).join('\n');
    const b = Array.from({ length: 6000 }, (_, i) => `other ${i}`).join('\n');
    expect(diffTexts(a, b)).toEqual({ kind: 'too-different' });
  });
});

describe('diffRuns (a finding evidence)', () => {
  it('keeps two lines of context around a change and counts the unchanged lines it cuts', () => {
    const other = ['Dear Anna,', 'a', 'b', 'c', 'd', 'e', 'The budget is EUR 12,000.', 'f', 'g', 'h', 'i', 'j', 'Best, Ben'].join('\r\n');
    const mine = other.replace('EUR 12,000', 'EUR 48,000');
    expect(diffRuns(other, mine)).toEqual({
      runs: [
        { op: ' ', lines: ['… 4 unchanged line(s) …', 'd', 'e'] },
        { op: '-', lines: ['The budget is EUR 12,000.'] },
        { op: '+', lines: ['The budget is EUR 48,000.'] },
        { op: ' ', lines: ['f', 'g', '… 4 unchanged line(s) …'] },
      ],
      truncated: 0,
    });
  });

  it('ignores trailing spaces and line ends; says "too different" past the edit limit, whatever the machine', () => {
    expect(diffRuns('a  \r\nb', 'a\nb')).toEqual({ runs: [{ op: ' ', lines: ['a', 'b'] }], truncated: 0 });
    const a = Array.from({ length: 6000 }, (_, i) => `line ${i}`).join('\n');
    const b = Array.from({ length: 6000 }, (_, i) => `other ${i}`).join('\n');
    expect(diffRuns(a, b)).toEqual({ runs: [], truncated: 0, tooDifferent: true });
  });

  it('shows a changed long line as a window around its first difference, in both copies, with what it leaves out counted', () => {
    const words = Array.from({ length: 200_000 }, (_, i) => `w${i}`).join(' ');
    const mine = words.replace('w150000 ', 'w150000 PAID ');
    const d = diffRuns(`Dear Anna,\n${words}\nBen`, `Dear Anna,\n${mine}\nBen`);
    expect(d.clipped).toBe(2);
    expect(d.runs.map((r) => r.op)).toEqual([' ', '-', '+', ' ']);
    const [removed, added] = [d.runs[1]!.lines[0]!, d.runs[2]!.lines[0]!];
    const at = words.indexOf('w150000 ') + 'w150000 '.length;
    expect(removed.startsWith(`… ${at - 200} characters … `)).toBe(true);
    expect(added.startsWith(`… ${at - 200} characters … `)).toBe(true);
    expect(added).toContain('w150000 PAID w150001');
    expect(removed).toContain('w150000 w150001');
    expect(removed.endsWith(` … ${words.length - (at - 200) - MAX_LINE_CHARS} characters …`)).toBe(true);
    // The evidence stays small, whatever the size of the texts.
    expect(JSON.stringify(d).length).toBeLessThan(3 * MAX_LINE_CHARS);
  });

  it('reads a last line without its line end as the same line', () => {
    expect(diffRuns('Hello\nBen', 'Hello\nBen\n--\nTeam list')).toEqual({
      runs: [
        { op: ' ', lines: ['Hello', 'Ben'] },
        { op: '+', lines: ['--', 'Team list'] },
      ],
      truncated: 0,
    });
  });

  it('cuts other long lines from their start, and leaves lines of MAX_LINE_CHARS whole', () => {
    const long = 'x'.repeat(MAX_LINE_CHARS + 1);
    const exact = 'y'.repeat(MAX_LINE_CHARS);
    const d = diffRuns(`a\n${exact}`, `a\n${exact}\n${long}`);
    expect(d).toEqual({
      runs: [
        { op: ' ', lines: ['a', exact] },
        { op: '+', lines: [`${'x'.repeat(MAX_LINE_CHARS)} … 1 characters …`] },
      ],
      truncated: 0,
      clipped: 1,
    });
  });
});
