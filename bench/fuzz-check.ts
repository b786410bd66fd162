// What the fuzzer asserts after an import: every input it wrote left a record (a stored message
// or a failure with a code), and the hostile archives were refused for the right reason.
import type { Db } from '../src/store/database.ts';
import type { FuzzInput } from './fuzz-inputs.ts';

export interface AccountingProblem {
  path: string;
  mutation: string;
  problem: string;
}

export function checkAccounting(db: Db, inputs: FuzzInput[]): AccountingProblem[] {
  const sources = db.prepare('SELECT count(*) FROM sources WHERE path = ? OR path LIKE ? OR path LIKE ?').pluck();
  const failures = db.prepare('SELECT count(*) FROM failures WHERE path = ? OR path LIKE ? OR path LIKE ?').pluck();
  const exact = db.prepare('SELECT (SELECT count(*) FROM sources WHERE path = ?) + (SELECT count(*) FROM failures WHERE path = ?)').pluck();
  const readEntries = db.prepare('SELECT count(*) FROM sources WHERE path LIKE ?').pluck();
  const archiveFailed = db.prepare('SELECT count(*) FROM failures WHERE path = ?').pluck();
  const problems: AccountingProblem[] = [];
  for (const input of inputs) {
    const like = (sep: string): string => `${input.path.replace(/[%_]/g, (c) => `\\${c}`)}${sep}%`;
    const records =
      (sources.get(input.path, like('#'), like('!/')) as number) + (failures.get(input.path, like('#'), like('!/')) as number);
    if (records === 0) problems.push({ path: input.path, mutation: input.mutation, problem: 'no record at all' });
    // Of entries that share their bytes at most one is read; the rest are refused (as overlapping,
    // or as bombs when the shared entry itself is one).
    if (input.mutation === 'zip-overlapping-entries' && (readEntries.get(like('!/')) as number) > 1)
      problems.push({ path: input.path, mutation: input.mutation, problem: 'overlapping entries read more than once' });
    // An entry is accounted for by its own record, or by a failure of the archive it is in (the
    // input itself, or for a .tar.gz the tar inside, whose stream a bomb or damage ends).
    for (const entry of input.entries) {
      const cut = entry.lastIndexOf('!/');
      const containers = [input.path, ...(cut === -1 ? [] : [`${input.path}!/${entry.slice(0, cut)}`])];
      if (containers.some((c) => (archiveFailed.get(c) as number) > 0)) continue;
      if ((exact.get(`${input.path}!/${entry}`, `${input.path}!/${entry}`) as number) === 0)
        problems.push({ path: `${input.path}!/${entry}`, mutation: input.mutation, problem: 'entry without a record' });
    }
  }
  return problems;
}
