import { describe, expect, it } from 'vitest';
import { archiveExport, emptyExportProfiles, learnExports, MIN_REWRITTEN_SIGNERS } from '../../src/checks/archive-export.ts';
import { HABIT_MIN_MESSAGES } from '../../src/checks/archive-signing.ts';
import { decideVerdict } from '../../src/verdict/decide-verdict.ts';
import type { ArchiveRecord, CopyPlace, Finding } from '../../src/model.ts';
import { place, record } from './archive-fixtures.ts';

const SIGNERS = ['news.example', 'ministry.example', 'partner.example'];
const BROKEN: Finding = {
  check: 'dkim',
  code: 'dkim/body-hash-mismatch',
  severity: 'strong',
  detail: 'The body does not match what the signature recorded.',
  evidence: {},
  signature: 0,
};

function headers(n: number, domain: string): string[] {
  return [
    `From: Someone <s${n}@${domain}>`,
    'To: anna@org.example',
    `Subject: Report ${n}`,
    `Date: Tue, ${1 + (n % 28)} Apr 2025 09:00:00 +0000`,
    `Message-ID: <${n}@${domain}>`,
  ];
}

/** Message n from signer n % signers.length, in `where`: verified, or failing over changed bytes. */
function signed(n: number, where: CopyPlace[], ok: boolean, signers = SIGNERS): Promise<ArchiveRecord> {
  const domain = signers[n % signers.length]!;
  return record({
    sha256: `${ok ? 'v' : 'b'}${n}`,
    headers: headers(n, domain),
    places: where,
    signatures: [ok ? { domain } : { domain, result: 'fail', bodyHash: 'fail', headerSignature: 'fail' }],
    selfVerdict: ok ? 'verified' : 'tampered',
    selfFindings: ok ? [] : [BROKEN],
  });
}

const ANNA = [place('anna/INBOX', 'inbox')];
const TOM = [place('tom/INBOX', 'inbox')];

function judge(records: ArchiveRecord[]): Map<string, Finding[]> {
  const profiles = emptyExportProfiles();
  learnExports(records, profiles);
  return archiveExport.run({ records, profiles });
}

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe('archive-export', () => {
  it('explains the failures of a mailbox whose every signed message fails, from signers that verify elsewhere', async () => {
    const anna = await Promise.all(range(HABIT_MIN_MESSAGES + 4).map((n) => signed(n, ANNA, false)));
    const tom = await Promise.all(range(3, 100).map((n) => signed(n, TOM, true)));
    const out = judge([...anna, ...tom]);
    expect([...out.keys()].sort()).toEqual(anna.map((r) => r.sha256).sort());
    const f = out.get('b0')![0]!;
    expect(f.code).toBe('archive-export/rewritten-mailbox');
    expect(f.explains).toEqual(['dkim/body-hash-mismatch', 'dkim/bad-signature', 'arc/fail']);
    expect(f.detail).toContain(`${anna.length} of the ${anna.length} signed messages in /dump/anna/INBOX`);
    expect(f.evidence.mailboxes).toEqual([
      expect.objectContaining({ mailbox: '/dump/anna/INBOX', signed: anna.length, broken: anna.length, signersCount: 3 }),
    ]);
    // The verdict: the failure is set aside, said once, and nothing proves the message either.
    const v = decideVerdict([BROKEN, f]);
    expect(v.verdict).toBe('unverifiable');
    expect(v.summary.split(f.detail).length).toBe(2);
    // An ARC chain sealed over the same bytes fails with them, and is set aside too.
    const arcFail: Finding = { check: 'arc', code: 'arc/fail', severity: 'weak', detail: 'The ARC chain fails.', evidence: {} };
    expect(decideVerdict([BROKEN, arcFail, f]).verdict).toBe('unverifiable');
    // Another strong finding still counts: a copy that differs from a verified one was altered.
    const differs: Finding = {
      check: 'archive-copies',
      code: 'archive-copies/differs-from-verified',
      severity: 'strong',
      detail: 'Altered.',
      evidence: {},
    };
    expect(decideVerdict([BROKEN, f, differs]).verdict).toBe('tampered');
  });

  it('needs enough signed messages, nearly all failing, and several signers that verify elsewhere', async () => {
    const tom = await Promise.all(range(3, 100).map((n) => signed(n, TOM, true)));
    // Too few signed messages in the mailbox.
    const few = await Promise.all(range(HABIT_MIN_MESSAGES - 1).map((n) => signed(n, ANNA, false)));
    expect(judge([...few, ...tom]).size).toBe(0);
    // Not nearly all failing: 20 failing and 4 verified in the mailbox itself.
    const most = await Promise.all(range(HABIT_MIN_MESSAGES).map((n) => signed(n, ANNA, false)));
    const passing = await Promise.all(range(4, 200).map((n) => signed(n, ANNA, true)));
    expect(judge([...most, ...passing, ...tom]).size).toBe(0);
    // Signers that never verify anywhere: a key or a signer of their own could be the cause.
    const anna = await Promise.all(range(HABIT_MIN_MESSAGES + 4).map((n) => signed(n, ANNA, false)));
    expect(judge(anna).size).toBe(0);
    // Fewer signers than MIN_REWRITTEN_SIGNERS verify elsewhere.
    const two = SIGNERS.slice(0, MIN_REWRITTEN_SIGNERS - 1);
    const annaTwo = await Promise.all(range(HABIT_MIN_MESSAGES + 4).map((n) => signed(n, ANNA, false, two)));
    const tomTwo = await Promise.all(range(3, 100).map((n) => signed(n, TOM, true, two)));
    expect(judge([...annaTwo, ...tomTwo]).size).toBe(0);
  });

  it('leaves bytes that also sit in a mailbox whose signatures verify', async () => {
    const anna = await Promise.all(range(HABIT_MIN_MESSAGES + 4).map((n) => signed(n, ANNA, false)));
    const tom = await Promise.all(range(3, 100).map((n) => signed(n, TOM, true)));
    const both = await signed(500, [...ANNA, ...TOM], false);
    const out = judge([...anna, ...tom, both]);
    expect(out.has('b500')).toBe(false);
    expect(out.has('b0')).toBe(true);
  });
});
