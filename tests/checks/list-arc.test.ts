import { describe, expect, it } from 'vitest';
import { check } from '../../src/checks/list-arc.ts';
import { codesOf, received, runCheck } from './fixtures.ts';

const HEADERS = [
  'From: Ana <ana@ministry.example>',
  'To: policy@lists.ministry.example',
  'Subject: [Policy] Draft',
  'Date: Tue, 4 Mar 2025 09:00:00 +0000',
];
const LIST = 'List-Id: Policy <policy.lists.ministry.example>';
const BROKEN = {
  domain: 'ministry.example',
  selector: 'mail',
  result: 'fail' as const,
  bodyHash: 'fail' as const,
  headerSignature: 'fail' as const,
};

describe('list-arc', () => {
  it("says the author's text verifies once the list's footer and tag are undone, and explains the broken signature", async () => {
    const f = await runCheck(check, {
      headers: [...HEADERS, LIST],
      signatures: [BROKEN],
      listUndo: [
        {
          signature: 0,
          kind: 'undone',
          undone: ['a footer of 3 lines at the end', 'the subject tag [Policy]'],
          removed: '--\r\nPolicy list\r\n',
          headerSignature: 'pass',
        },
      ],
    });
    expect(f.map((x) => [x.code, x.signature, x.explains])).toEqual([
      ['list-arc/author-text-verifies', 0, ['dkim/body-hash-mismatch', 'dkim/bad-signature']],
    ]);
    expect(f[0]!.detail).toMatch(/^Changed in transit by the mailing list Policy <policy\.lists\.ministry\.example>: with a footer/);
  });

  it('explains nothing when undoing did not make the headers verify, or there is no list', async () => {
    const half = [
      { signature: 0, kind: 'undone' as const, undone: ['a footer of 3 lines at the end'], removed: '', headerSignature: 'fail' as const },
    ];
    expect(await runCheck(check, { headers: [...HEADERS, LIST], signatures: [BROKEN], listUndo: half })).toEqual([]);
    expect(await runCheck(check, { headers: HEADERS, signatures: [BROKEN] })).toEqual([]);
  });

  it("explains text after l= when it is the list's own footer", async () => {
    const f = await runCheck(check, {
      headers: [...HEADERS, LIST],
      signatures: [{ domain: 'ministry.example', bodyLength: 200, unsignedBodyBytes: 90 }],
      listUndo: [
        {
          signature: 0,
          kind: 'footer-after-limit',
          undone: ['a footer'],
          removed: 'Policy mailing list https://lists.ministry.example/policy',
          headerSignature: 'pass',
        },
      ],
    });
    expect(f.map((x) => [x.code, x.signature, x.explains])).toEqual([['list-arc/list-footer-after-limit', 0, ['dkim/unsigned-content']]]);
  });

  it("takes the list's own signature as the list vouching for what it distributed", async () => {
    const forum = 'List-Id: Policy forum <policy.lists.forum.example>';
    const f = await runCheck(check, {
      headers: [...HEADERS, forum],
      signatures: [BROKEN, { domain: 'lists.forum.example', selector: 'l1' }],
    });
    expect(codesOf(f)).toEqual(['list-arc/list-signed']);
    expect(f[0]!.explains).toContain('dkim/missing-signature');
    // A signature of some other domain is not the list's.
    expect(await runCheck(check, { headers: [...HEADERS, forum], signatures: [BROKEN, { domain: 'elsewhere.example' }] })).toEqual([]);
  });

  it("takes a valid ARC chain's first record of the author's DKIM pass (or a logged-in submission) as explaining a missing signature", async () => {
    const arcHeaders = [
      received('smtp.subspace.kernel.org', 'Fri, 20 Sep 2024 08:53:31 +0000'),
      'ARC-Authentication-Results: i=1; webhostingserver.nl; auth=pass (PLAIN) smtp.auth=ferry@elsinga.info; dmarc=skipped header.from=gmail.com',
      'From: Ferry <fntoth@gmail.com>',
      'Subject: patch',
    ];
    const seals = [
      { instance: 1, domain: 'webhostingserver.nl', selector: 'whs1', result: 'none' },
      { instance: 2, domain: 'subspace.kernel.org', selector: 'arc', result: 'pass' },
    ];
    const f = await runCheck(check, { headers: arcHeaders, arc: { result: 'pass', instances: 2, seals } });
    expect(codesOf(f)).toEqual(['list-arc/arc-vouches-author']);
    // The newest seal is the receiving site's own (the top hop), so a broken author signature is explained too.
    expect(f[0]!.explains).toEqual([
      'dkim/missing-signature',
      'auth-results/contradicts-dkim',
      'dkim/body-hash-mismatch',
      'dkim/bad-signature',
    ]);
    const dkim = arcHeaders.map((h) => h.replace(/auth=pass.*smtp\.auth=\S+;/, 'dkim=pass header.i=@gmail.com;'));
    expect(codesOf(await runCheck(check, { headers: dkim, arc: { result: 'pass', instances: 2, seals } }))).toEqual([
      'list-arc/arc-vouches-author',
    ]);
    // A chain that fails, or a first set recording no pass for the author, explains nothing.
    expect(await runCheck(check, { headers: arcHeaders, arc: { result: 'fail', instances: 2, seals } })).toEqual([]);
    const other = arcHeaders.map((h) => h.replace(/auth=pass.*smtp\.auth=\S+;/, 'dkim=pass header.i=@other.example;'));
    expect(await runCheck(check, { headers: other, arc: { result: 'pass', instances: 2, seals } })).toEqual([]);
  });
});
