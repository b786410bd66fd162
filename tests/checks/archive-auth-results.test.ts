import { describe, expect, it } from 'vitest';
import { archiveAuthResults, learnStyles } from '../../src/checks/archive-auth-results.ts';
import { place, record } from './archive-fixtures.ts';
import { received } from './fixtures.ts';

const BODY = ['From: news@shop.example', 'To: bo@ministry.example', 'Subject: Offers', 'Date: Tue, 4 Mar 2025 09:00:00 +0000'];
/** Exchange Online style: no authserv-id, beside the hops of its own servers. */
const exchange = (n: number) => [
  received('AM6PR04MB1234.eurprd04.prod.outlook.com', 'Tue, 4 Mar 2025 09:00:06 +0000', 'AM6PR04CA0001.outlook.office365.com'),
  'Authentication-Results: spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=shop.example; dkim=pass (signature was verified) header.d=shop.example',
  received('AM6PR04CA0001.outlook.office365.com', 'Tue, 4 Mar 2025 09:00:05 +0000', 'mail.shop.example'),
  ...BODY,
  `Message-ID: <${n}@shop.example>`,
];
const inbox = [place('bo/INBOX', 'inbox')];
const UNVOUCHED = { check: 'auth-results', code: 'auth-results/unvouched-pass', severity: 'weak' as const, detail: 'x', evidence: {} };

describe('archive-auth-results', () => {
  it("vouches for a header written the way the mailbox's receiving servers write theirs on verified mail", async () => {
    const verified = await Promise.all(
      [1, 2, 3].map((n) => record({ sha256: `v${n}`, headers: exchange(n), selfVerdict: 'verified', places: inbox })),
    );
    const styles = learnStyles(verified);
    const newsletter = await record({ sha256: 'n', headers: exchange(9), places: inbox, selfFindings: [UNVOUCHED] });
    const out = archiveAuthResults.run({ records: [newsletter], styles });
    expect(out.get('n')!.map((f) => [f.code, f.explains])).toEqual([['archive-auth-results/vouched', ['auth-results/unvouched-pass']]]);
    expect(out.get('n')![0]!.detail).toContain('3 verified message(s) of this mailbox');
  });

  it('does not vouch for a header in another style, nor learn from two messages', async () => {
    const verified = await Promise.all(
      [1, 2, 3].map((n) => record({ sha256: `v${n}`, headers: exchange(n), selfVerdict: 'verified', places: inbox })),
    );
    const forged = await record({
      sha256: 'f',
      headers: [
        received('mx.ministry.example', 'Tue, 4 Mar 2025 09:00:06 +0000'),
        ...BODY,
        'Authentication-Results: mx.google.com; dkim=pass header.d=shop.example',
      ],
      places: inbox,
      selfFindings: [UNVOUCHED],
    });
    expect(archiveAuthResults.run({ records: [forged], styles: learnStyles(verified) }).has('f')).toBe(false);
    const few = learnStyles(verified.slice(0, 2));
    const newsletter = await record({ sha256: 'n', headers: exchange(9), places: inbox, selfFindings: [UNVOUCHED] });
    expect(archiveAuthResults.run({ records: [newsletter], styles: few }).has('n')).toBe(false);
  });
});
