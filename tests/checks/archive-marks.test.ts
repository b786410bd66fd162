import { describe, expect, it } from 'vitest';
import { archiveMarks, emptyMarkProfiles, learnMarks, MIN_MARK_SIGNERS, MIN_MARKED_MESSAGES } from '../../src/checks/archive-marks.ts';
import type { ArchiveRecord, Finding, MarkFact } from '../../src/model.ts';
import { place, record } from './archive-fixtures.ts';

const SIGNERS = ['news.example', 'ministry.example', 'partner.example'];
const INBOX = [place('tom/INBOX', 'inbox')];
const DAY = 86_400;
const START = Date.UTC(2025, 3, 1) / 1000;

/** What a gateway's marks look like in the facts: its tag, and a notice hashed as a reader sees it. */
const GATEWAY: Omit<MarkFact, 'signer'> = {
  tag: '[EXTERNAL]',
  text: 'a1b2c3d4e5f60718',
  html: '',
  textNotice: 'CAUTION: external mail',
  htmlNotice: '',
};

/** Message n from signer n % signers.length on day n: verified, or failing and carrying `marks`. */
async function message(n: number, marks: Omit<MarkFact, 'signer'> | null, signers = SIGNERS, coverAll = true): Promise<ArchiveRecord> {
  const domain = signers[n % signers.length]!;
  const r = await record({
    sha256: `${marks ? 'm' : 'v'}${n}`,
    headers: [`From: S <s${n}@${domain}>`, 'To: tom@org.example', `Subject: Report ${n}`, `Message-ID: <${n}@${domain}>`],
    places: INBOX,
    signatures: [marks ? { domain, result: 'fail', bodyHash: 'fail', headerSignature: 'fail' } : { domain }],
  });
  const facts = marks ? { ...r.facts, marks: [{ ...marks, signer: domain }], marksCoverAll: coverAll } : r.facts;
  return { ...r, asOf: START + n * DAY, facts };
}

function judge(records: ArchiveRecord[]): Map<string, Finding[]> {
  const profiles = emptyMarkProfiles();
  learnMarks(records, profiles);
  return archiveMarks.run({ records, profiles });
}

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe('archive-marks', () => {
  it("explains the failures of messages that carry a gateway's marks on most of the mail around them", async () => {
    const marked = await Promise.all(range(MIN_MARKED_MESSAGES + 2).map((n) => message(2 * n, GATEWAY)));
    const plain = await Promise.all(range(4).map((n) => message(2 * n + 1, null)));
    const out = judge([...marked, ...plain]);
    expect([...out.keys()].sort()).toEqual(marked.map((r) => r.sha256).sort());
    const f = out.get('m0')![0]!;
    expect(f.code).toBe('archive-marks/gateway-mark');
    expect(f.explains).toEqual(['dkim/body-hash-mismatch', 'dkim/bad-signature', 'arc/fail', 'auth-results/contradicts-dkim']);
    expect(f.detail).toContain(
      'the subject tag [EXTERNAL] (on 12 messages of 3 signing organisations: ministry.example, news.example, partner.example; 75 % of the signed mail of 1 mailbox in its period)',
    );
    expect(f.detail).toContain('the notice "CAUTION: external mail"');
  });

  it("does not take a forger's recurring edit for a gateway's mark: it sits on a few of the messages around it", async () => {
    const urgent = { ...GATEWAY, tag: 'URGENT:', text: '' };
    const forged = await Promise.all(range(MIN_MARKED_MESSAGES + 2).map((n) => message(10 * n, urgent)));
    const genuine = await Promise.all(
      range(100)
        .filter((n) => n % 10 !== 0)
        .map((n) => message(n, null)),
    );
    expect(judge([...forged, ...genuine]).size).toBe(0);
  });

  it('needs enough messages and signers, every failing signature undone, and every addition a habit', async () => {
    const few = await Promise.all(range(MIN_MARKED_MESSAGES - 1).map((n) => message(n, GATEWAY)));
    expect(judge(few).size).toBe(0);
    const twoSigners = SIGNERS.slice(0, MIN_MARK_SIGNERS - 1);
    expect(judge(await Promise.all(range(20).map((n) => message(n, GATEWAY, twoSigners)))).size).toBe(0);
    const partly = await Promise.all(range(20).map((n) => message(n, GATEWAY, SIGNERS, n !== 3)));
    const out = judge(partly);
    expect(out.size).toBe(19);
    expect(out.has('m3')).toBe(false);
    // One message whose HTML also carries lines nobody else's does: not explained.
    const odd = await message(40, { ...GATEWAY, html: 'ffffffffffffffff', htmlNotice: 'Approved, pay today' });
    const all = judge([...(await Promise.all(range(20).map((n) => message(n, GATEWAY)))), odd]);
    expect(all.size).toBe(20);
    expect(all.has('m40')).toBe(false);
  });
});
