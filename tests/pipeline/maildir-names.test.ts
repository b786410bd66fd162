// A Dovecot maildir whose delivered files carry their size in their names (S=, W=), imported for
// real: a file edited after delivery under its old name, a file edited and renamed to match, and a
// message whose sent copy (elsewhere) and edited inbox copy conflict.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openDatabase } from '../../src/store/database.ts';
import { importPaths } from '../../src/pipeline/run-import.ts';
import { buildTar } from '../../test-corpus/tar-writer.ts';
import { HABIT_MIN_MESSAGES } from '../../src/checks/archive-signing.ts';
import { type StoredVerdict, compose, deliver, tempDump } from '../helpers/mail-dump.ts';

const dump = tempDump('lt-maildir-');

const MAILDIR = 'anna/Maildir';
/** Delivered files whose bytes were edited later (a figure changed), the name kept. */
const STALE = 3;
/** Edited the same way, and renamed with the new size (a careful editor). */
const RENAMED = 5;
/** Tom's message whose sent copy is in his folder and whose inbox copy in Anna's maildir was edited under its old name. */
const CONFLICT = 7;

function letter(n: number, total: number): string {
  const at = new Date(Date.UTC(2024, 2, 1 + n, 9, 0, 0));
  return compose({
    from: 'Tom Hughes <tom@org.example>',
    to: ['anna@org.example'],
    subject: `Budget note ${n}`,
    date: at,
    messageId: `<note${n}@org.example>`,
    body: `Hi Anna,\r\n\r\nthe budget line ${n} stands at ${total} euros.\r\n\r\nTom\r\n`,
  });
}

/** The file a delivery agent writes: LF line ends, named with its size (S=) and its size with CRLF (W=). */
function delivered(n: number, message: string, namedAfter = message): [string, string] {
  const lf = (s: string) => s.replace(/\r\n/g, '\n');
  const name = `${1709283600 + n * 86400}.M${100 + n}P4632.mail.org.example,S=${Buffer.byteLength(lf(namedAfter), 'latin1')},W=${Buffer.byteLength(namedAfter, 'latin1')}:2,S`;
  return [`${MAILDIR}/cur/${name}`, lf(message)];
}

const files: Record<string, string> = {};
const paths = new Map<number, string>();

beforeAll(async () => {
  const count = HABIT_MIN_MESSAGES + 4;
  for (let n = 0; n < count; n++) {
    const at = new Date(Date.UTC(2024, 2, 1 + n, 9, 0, 5));
    const original = deliver(letter(n, 1000 + n), 'anna@org.example', 'mail.org.example', at, 'submit.org.example');
    const edited = original.replace(`${1000 + n} euros`, `${91000 + n} euros`);
    const [path, content] =
      n === STALE || n === CONFLICT ? delivered(n, edited, original) : n === RENAMED ? delivered(n, edited) : delivered(n, original);
    files[path] = content;
    paths.set(n, path);
  }
  files[`tom/Sent/note${CONFLICT}.eml`] = letter(CONFLICT, 1000 + CONFLICT);
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dump.root, MAILDIR, sub), { recursive: true });
  await dump.import(files, Date.UTC(2024, 5, 1) / 1000);
}, 60_000);

afterAll(() => dump.remove());

const verdictOf = (file: string): StoredVerdict => dump.verdictOf(file);

describe('maildir names that give a size', () => {
  it('make a file edited under its delivered name suspicious, and leave the others alone', () => {
    const stale = verdictOf(paths.get(STALE)!);
    expect(stale.verdict).toBe('suspicious');
    expect(stale.reasons[0]).toBe('archive-maildir/size-differs');
    expect(stale.summary).toMatch(/holds [\d,]+ bytes, but the name its mail server gave it when it delivered it says [\d,]+/);
    // A careful editor who renamed the file leaves no trace here (nothing else tells), and honest files none.
    for (const [n, path] of paths) {
      if (n === STALE || n === CONFLICT) continue;
      expect(verdictOf(path).reasons).not.toContain('archive-maildir/size-differs');
      expect(verdictOf(path).verdict).toBe('unverifiable');
    }
  });

  it('tells which of two conflicting copies was edited: the one whose file was written again after delivery', () => {
    const inbox = verdictOf(paths.get(CONFLICT)!);
    expect(inbox.verdict).toBe('suspicious');
    expect(inbox.reasons).toContain('archive-maildir/size-differs');
    const sent = verdictOf(`tom/Sent/note${CONFLICT}.eml`);
    expect(sent.verdict).toBe('unverifiable');
    expect(sent.reasons).not.toContain('archive-copies/conflicting-copies');
  });
});

describe('the same maildir packed as a .tar.gz', () => {
  it('gives every message the verdict and reasons it has on disk: the names are read inside the archive too', async () => {
    const tgz = join(dump.root, '..', 'dump.tar.gz');
    const entries = Object.entries(files).map(([name, data]) => ({ name, data: Buffer.from(data, 'latin1') }));
    writeFileSync(tgz, gzipSync(buildTar(entries)));
    const db = openDatabase(join(dump.root, '..', 'tgz.sqlite'));
    try {
      await importPaths(db, [tgz], { workers: 0, now: Date.UTC(2024, 5, 1) / 1000 });
      const stored = db.prepare('SELECT m.verdict, m.reasons FROM messages m JOIN sources s ON s.sha256 = m.sha256 WHERE s.path = ?');
      for (const file of Object.keys(files)) {
        const packed = stored.get(`${tgz}!/dump.tar!/${file}`) as { verdict: string; reasons: string };
        const onDisk = verdictOf(file);
        expect({ file, verdict: packed.verdict, reasons: packed.reasons.split(';') }).toEqual({
          file,
          verdict: onDisk.verdict,
          reasons: onDisk.reasons,
        });
      }
      expect(verdictOf(paths.get(STALE)!).reasons[0]).toBe('archive-maildir/size-differs');
    } finally {
      db.close();
    }
  });
});

describe('the same maildir with its files compressed by Dovecot (gzip, names kept)', () => {
  it('gives every message the verdict and reasons it has uncompressed: a name gives the size of what its file holds decompressed', async () => {
    const root = join(dump.root, '..', 'compressed');
    for (const [name, data] of Object.entries(files)) {
      const path = join(root, name);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, name.startsWith(MAILDIR) ? gzipSync(Buffer.from(data, 'latin1')) : Buffer.from(data, 'latin1'));
    }
    for (const sub of ['new', 'tmp']) mkdirSync(join(root, MAILDIR, sub), { recursive: true });
    const db = openDatabase(join(dump.root, '..', 'compressed.sqlite'));
    try {
      await importPaths(db, [root], { workers: 0, now: Date.UTC(2024, 5, 1) / 1000 });
      const stored = db.prepare('SELECT m.verdict, m.reasons FROM messages m JOIN sources s ON s.sha256 = m.sha256 WHERE s.path = ?');
      for (const file of Object.keys(files)) {
        const path = join(root, file);
        const inMaildir = file.startsWith(MAILDIR);
        const row = stored.get(inMaildir ? `${path}!/${file.split('/').pop()}` : path) as { verdict: string; reasons: string };
        const plain = verdictOf(file);
        expect({ file, verdict: row.verdict, reasons: row.reasons.split(';') }).toEqual({
          file,
          verdict: plain.verdict,
          reasons: plain.reasons,
        });
      }
    } finally {
      db.close();
    }
  });
});
