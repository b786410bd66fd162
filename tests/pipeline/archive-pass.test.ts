// The archive pass over a small realistic dump: two people's mailboxes with sent and inbox copies
// of the same messages, signed by their organisation's server, and two planted forgeries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../../src/store/database.ts';
import type { Db } from '../../src/store/database.ts';
import { insertKeys } from '../../src/store/keys-repo.ts';
import { readKeyFile } from '../../src/verify/key-files.ts';
import { importPaths } from '../../src/pipeline/run-import.ts';
import { ARCHIVE_CHECK_IDS, runArchiveChecks } from '../../src/pipeline/archive-pass.ts';
import { iterateExportRecords } from '../../src/store/export-repo.ts';
import { queryQueue } from '../../src/store/queue-repo.ts';
import { updateVerdict } from '../../src/store/messages-repo.ts';
import { compose, deliver, sign, writeDump } from '../helpers/mail-dump.ts';
import { expectCountsMatchRecount } from '../helpers/summary-state.ts';
import type { Letter } from '../helpers/mail-dump.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'lt-archive-'));
const dump = join(dir, 'dump');
let db: Db;

const at = (day: number, hour = 9): Date => new Date(Date.UTC(2025, 2, day, hour, 0, 0));
const letter = (n: number, from: string, to: string[], subject: string, body: string): Letter => ({
  from,
  to,
  subject,
  date: at(n),
  messageId: `<m${n}@ministry.example>`,
  body,
});

/** The sender's unsigned Sent copy and each internal recipient's signed, delivered inbox copy. */
async function sendAndDeliver(l: Letter, sender: string, recipients: string[]): Promise<Record<string, string>> {
  const plain = compose(l);
  const signed = await sign(plain, 'ministry.example', 'mail', l.date);
  const files: Record<string, string> = { [`${sender}/Sent/${l.messageId.slice(1, -1)}.eml`]: plain };
  for (const r of recipients) {
    files[`${r}/INBOX/${l.messageId.slice(1, -1)}.eml`] = deliver(
      signed,
      `${r}@ministry.example`,
      'mx.ministry.example',
      new Date(l.date.getTime() + 5000),
    );
  }
  return files;
}

function row(file: string): { verdict: string; reasons: string[]; role: string; mailbox: string } {
  const r = db
    .prepare(
      'SELECT m.verdict, m.reasons, s.role, s.mailbox_key AS mailbox FROM messages m JOIN sources s ON s.sha256 = m.sha256 WHERE s.path = ?',
    )
    .get(join(dump, file)) as { verdict: string; reasons: string; role: string; mailbox: string };
  return { ...r, reasons: r.reasons.split(';') };
}

beforeAll(async () => {
  const ana = 'Ana Ruiz <ana@ministry.example>';
  const bo = 'Bo Lind <bo@ministry.example>';
  const files: Record<string, string> = {
    ...(await sendAndDeliver(letter(1, ana, [bo], 'Budget', 'The budget is 12,400 euros.\n'), 'ana', ['bo'])),
    ...(await sendAndDeliver(letter(2, ana, [bo], 'Agenda', 'Agenda attached tomorrow.\n'), 'ana', ['bo'])),
    ...(await sendAndDeliver(letter(3, ana, [bo], 'Lunch', 'Lunch at noon?\n'), 'ana', ['bo'])),
    // To someone outside the dump: only the unsigned Sent copy exists.
    ...(await sendAndDeliver(letter(4, ana, ['carl@press.example'], 'Statement', 'Our statement follows.\n'), 'ana', [])),
  };
  // Bo's own reply kept in a folder whose name says nothing: no receiving hop, From is Bo.
  files['bo/Projects/reply.eml'] = compose({ ...letter(5, bo, [ana], 'Re: Budget', 'Fine.\n'), inReplyTo: '<m1@ministry.example>' });
  // Forgery 1: an unsigned message claiming to be Ana's, delivered to Bo.
  files['bo/INBOX/forged.eml'] = deliver(
    compose(letter(6, ana, [bo], 'Transfer', 'Please wire 50,000 euros today.\n')),
    'bo@ministry.example',
    'mx.ministry.example',
    at(6, 10),
  );
  // Forgery 2: Ana's Sent copy of message 2 edited; Bo's signed inbox copy shows the original.
  files['ana/Sent/m2@ministry.example.eml'] = files['ana/Sent/m2@ministry.example.eml']!.replace(
    'tomorrow',
    'on Friday, with the payments',
  );
  writeDump(dump, files);
  db = openDatabase(join(dir, 'archive.sqlite'));
  insertKeys(db, readKeyFile(readFileSync(join(ROOT, 'test-corpus/keys/corpus.zone'), 'utf8'), 'corpus.zone').records);
  await importPaths(db, [dump], { workers: 0 });
}, 60_000);

afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('archive pass: mailboxes, roles and copies', () => {
  it('places every copy in its mailbox with its role, by folder name or by content', () => {
    expect(row('ana/Sent/m1@ministry.example.eml')).toMatchObject({ role: 'sent', mailbox: join(dump, 'ana/Sent') });
    expect(row('bo/INBOX/m1@ministry.example.eml')).toMatchObject({ role: 'inbox', mailbox: join(dump, 'bo/INBOX') });
    expect(row('bo/Projects/reply.eml').role).toBe('sent');
    const owners = db.prepare('SELECT owners FROM mailboxes WHERE key = ?').pluck().get(join(dump, 'bo/INBOX')) as string;
    expect(JSON.parse(owners)).toEqual(['bo@ministry.example']);
  });

  it('verifies a sent copy through the signed inbox copy it equals', () => {
    expect(row('bo/INBOX/m1@ministry.example.eml').verdict).toBe('verified');
    const sent = row('ana/Sent/m1@ministry.example.eml');
    expect(sent.verdict).toBe('verified');
    expect(sent.reasons[0]).toBe('archive-copies/same-as-verified');
  });

  it('does not flag an unsigned sent copy with no other copy: its missing signature is expected', () => {
    const sent = row('ana/Sent/m4@ministry.example.eml');
    expect(sent.verdict).toBe('unverifiable');
    expect(sent.reasons).toContain('archive-mailbox/sent-copy');
    expect(row('bo/Projects/reply.eml').verdict).toBe('unverifiable');
  });

  it('still flags the planted forgeries', () => {
    expect(row('bo/INBOX/forged.eml')).toMatchObject({ verdict: 'suspicious', role: 'inbox' });
    expect(row('bo/INBOX/forged.eml').reasons[0]).toBe('dkim/missing-signature');
    const edited = row('ana/Sent/m2@ministry.example.eml');
    expect(edited.verdict).toBe('tampered');
    expect(edited.reasons[0]).toBe('archive-copies/differs-from-verified');
  });

  it('shows the mailbox and role in the export and filters the queue by role', () => {
    const rows = [...iterateExportRecords(db, {})];
    const sent = rows.find((r) => r.sourcePath === join(dump, 'ana/Sent/m4@ministry.example.eml'))!;
    expect(sent).toMatchObject({ mailbox: join(dump, 'ana/Sent'), role: 'sent' });
    const page = queryQueue(db, { role: 'sent' }, 'date', null, 50);
    expect(page.rows).toHaveLength(5);
    expect(queryQueue(db, { role: 'inbox' }, 'date', null, 50).rows).toHaveLength(4);
  });

  it('gives the same result when run again, rewriting nothing that did not change', () => {
    const before = db.prepare('SELECT count(*) FROM findings').pluck().get();
    const ids = db.prepare("SELECT id FROM findings WHERE check_id LIKE 'archive-%' ORDER BY id").pluck().all();
    expect(runArchiveChecks(db)).toBe(0);
    expect(db.prepare('SELECT count(*) FROM findings').pluck().get()).toBe(before);
    expect(db.prepare("SELECT id FROM findings WHERE check_id LIKE 'archive-%' ORDER BY id").pluck().all()).toEqual(ids);
    expect(row('ana/Sent/m1@ministry.example.eml').verdict).toBe('verified');
    // The pass tells this pass's archive findings from stored ones by this prefix (readFlags).
    expect(ARCHIVE_CHECK_IDS.every((id) => id.startsWith('archive-'))).toBe(true);
  });
});

describe('archive pass: summary counts', () => {
  // The pass counts its changes set-wise, with the summary triggers standing aside (migration 013).
  const countsMatch = (): void => expectCountsMatchRecount(db);

  it('keeps the counts and the triage order equal to a recount when a later pass changes earlier verdicts', async () => {
    countsMatch();
    const verdicts = () => new Map(db.prepare('SELECT sha256, verdict FROM messages').raw().all() as [string, string][]);
    const before = verdicts();
    // A signed, delivered copy of message 4, which the dump held only as Ana's unsigned Sent copy.
    const later = join(dir, 'later');
    const copies = await sendAndDeliver(
      letter(4, 'Ana Ruiz <ana@ministry.example>', ['carl@press.example'], 'Statement', 'Our statement follows.\n'),
      'ana',
      ['carl'],
    );
    writeDump(later, { 'carl/INBOX/m4.eml': copies['carl/INBOX/m4@ministry.example.eml']! });
    await importPaths(db, [later], { workers: 0 });
    const after = verdicts();
    expect([...before].filter(([sha, v]) => after.get(sha) !== v).length).toBeGreaterThan(0);
    countsMatch();
    // Outside a pass the triggers count again.
    const [sha] = [...after].find(([, v]) => v !== 'tampered')!;
    updateVerdict(db, sha, { verdict: 'tampered', summary: 'set by the test', reasons: ['x'] });
    countsMatch();
  });
});
