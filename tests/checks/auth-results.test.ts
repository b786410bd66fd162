import { describe, expect, it } from 'vitest';
import { check } from '../../src/checks/auth-results.ts';
import { codesOf, received, runCheck } from './fixtures.ts';
import { integersFrom } from '../helpers/seeded-random.ts';

const BODY_HEADERS = ['From: Alice <alice@example.com>', 'Subject: Figures', 'Date: Tue, 1 Apr 2025 10:00:00 +0000'];
const SIGNED = [{ domain: 'example.com' }];

describe('auth-results', () => {
  it("accepts the receiving site's own header, below its Received hop (Gmail style)", async () => {
    const headers = [
      received('mx.google.com', 'Tue, 1 Apr 2025 10:00:05 +0000', 'mail.example.com'),
      'Authentication-Results: mx.google.com;\r\n       dkim=pass header.i=@example.com header.s=s1;\r\n       spf=pass (google.com: domain of alice@example.com designates 192.0.2.1 as permitted sender) smtp.mailfrom=alice@example.com',
      ...BODY_HEADERS,
    ];
    expect(await runCheck(check, { headers, signatures: SIGNED })).toEqual([]);
  });

  it("accepts an ARC copy sitting above its site's hop, under an internal hop", async () => {
    const headers = [
      'Received: by 2002:a05:6a10:8a4b:b0:5b2:1c2d with SMTP id x11csp123; Tue, 1 Apr 2025 03:00:06 -0700',
      'ARC-Authentication-Results: i=1; mx.google.com; dkim=pass header.i=@example.com; dmarc=pass (p=REJECT) header.from=example.com',
      received('mx.google.com', 'Tue, 1 Apr 2025 10:00:05 +0000', 'mail.example.com'),
      ...BODY_HEADERS,
    ];
    expect(await runCheck(check, { headers, signatures: SIGNED })).toEqual([]);
  });

  it("accepts a header above the top hop when it names the top hop's site", async () => {
    const headers = [
      'Authentication-Results: mail.example.org; dkim=pass header.d=example.com',
      received('mx1.example.org', 'Tue, 1 Apr 2025 10:00:05 +0000'),
      ...BODY_HEADERS,
    ];
    expect(await runCheck(check, { headers, signatures: SIGNED })).toEqual([]);
  });

  it('matches sites under a two-label public suffix', async () => {
    const headers = [
      received('mx.newsroom.co.uk', 'Tue, 1 Apr 2025 10:00:05 +0000'),
      'Authentication-Results: auth.newsroom.co.uk; spf=pass smtp.mailfrom=example.com',
      ...BODY_HEADERS,
    ];
    expect(await runCheck(check, { headers, signatures: SIGNED })).toEqual([]);
    const other = headers.map((h) => h.replace('auth.newsroom.co.uk', 'auth.elsewhere.co.uk'));
    expect(codesOf(await runCheck(check, { headers: other, signatures: SIGNED }))).toEqual(['auth-results/unvouched-pass']);
  });

  it('reports a pass claim from a site that left no hop beside it', async () => {
    const headers = [
      received('mx.newsroom.example', 'Tue, 1 Apr 2025 10:00:05 +0000'),
      ...BODY_HEADERS,
      'Authentication-Results: mx.google.com; dkim=pass header.d=example.com; dmarc=pass header.from=example.com',
    ];
    const findings = await runCheck(check, { headers, signatures: SIGNED });
    expect(codesOf(findings)).toEqual(['auth-results/unvouched-pass']);
    expect(findings[0]!.detail).toContain('"mx.google.com"');
    expect(findings[0]!.detail).toContain('dkim=pass, dmarc=pass');
    expect(findings[0]!.evidence).toMatchObject({ authservId: 'mx.google.com', hopsChecked: [{ by: 'mx.newsroom.example' }] });
  });

  it('reports a pass claim on a message with no Received hops at all', async () => {
    const headers = ['Authentication-Results: mx.google.com; spf=pass smtp.mailfrom=example.com', ...BODY_HEADERS];
    expect(codesOf(await runCheck(check, { headers }))).toEqual(['auth-results/unvouched-pass']);
  });

  it('reports a matching hop that sits only further below (written before the claim)', async () => {
    const headers = [
      received('mx.newsroom.example', 'Tue, 1 Apr 2025 10:00:07 +0000'),
      'Authentication-Results: mx.example.org; dkim=pass header.d=example.com',
      received('relay.isp.example', 'Tue, 1 Apr 2025 10:00:06 +0000'),
      received('mx.example.org', 'Tue, 1 Apr 2025 10:00:05 +0000'),
      ...BODY_HEADERS,
    ];
    expect(codesOf(await runCheck(check, { headers, signatures: SIGNED }))).toEqual(['auth-results/unvouched-pass']);
  });

  it('ignores headers that claim no pass', async () => {
    const headers = [
      ...BODY_HEADERS,
      'Authentication-Results: mx.google.com; dkim=fail header.d=example.com; spf=softfail',
      'Authentication-Results: mx.google.com; none',
    ];
    expect(await runCheck(check, { headers })).toEqual([]);
  });

  it('does not read a pass inside a comment', async () => {
    const headers = [
      ...BODY_HEADERS,
      'Authentication-Results: mx.google.com; spf=neutral (would be spf=pass elsewhere) smtp.mailfrom=example.com',
    ];
    expect(await runCheck(check, { headers })).toEqual([]);
  });

  it('leaves a header without authserv-id to the archive: no vendor name vouches for it on its own', async () => {
    const headers = [
      received('AM6PR04MB1234.eurprd04.prod.outlook.com', 'Tue, 1 Apr 2025 10:00:06 +0000', 'AM6PR04CA0001.outlook.office365.com'),
      'Authentication-Results: spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.com; dkim=pass (signature was verified) header.d=example.com;dmarc=pass action=none header.from=example.com;compauth=pass reason=100',
      received('AM6PR04CA0001.outlook.office365.com', 'Tue, 1 Apr 2025 10:00:05 +0000', 'mail.example.com'),
      ...BODY_HEADERS,
    ];
    // archive-auth-results vouches for it when the mailbox's verified mail shows the same header beside the same hop.
    expect(codesOf(await runCheck(check, { headers, signatures: SIGNED }))).toEqual(['auth-results/unvouched-pass']);
  });

  it('reports a header without authserv-id far from any hop', async () => {
    const headers = [
      received('mx.newsroom.example', 'Tue, 1 Apr 2025 10:00:05 +0000'),
      ...BODY_HEADERS,
      'Authentication-Results: dkim=pass header.d=example.com',
    ];
    const findings = await runCheck(check, { headers, signatures: SIGNED });
    expect(codesOf(findings)).toEqual(['auth-results/unvouched-pass']);
    expect(findings[0]!.evidence).toMatchObject({ authservId: null });
  });

  it('reports a dkim=pass for a domain whose signature is not in the message', async () => {
    const headers = [
      received('mx.google.com', 'Tue, 1 Apr 2025 10:00:05 +0000'),
      'Authentication-Results: mx.google.com; dkim=pass header.d=bank.example',
      ...BODY_HEADERS,
    ];
    const findings = await runCheck(check, { headers, signatures: SIGNED });
    expect(codesOf(findings)).toEqual(['auth-results/contradicts-dkim']);
    expect(findings[0]!.detail).toContain('carries no DKIM signature of bank.example');
  });

  it('reports a dkim=pass (by header.i) for a signature that fails our verification', async () => {
    const headers = [
      received('mx.google.com', 'Tue, 1 Apr 2025 10:00:05 +0000'),
      'Authentication-Results: mx.google.com; dkim=pass header.i=@mail.example.com',
      ...BODY_HEADERS,
    ];
    const findings = await runCheck(check, { headers, signatures: [{ domain: 'example.com', result: 'fail', bodyHash: 'fail' }] });
    expect(codesOf(findings)).toEqual(['auth-results/contradicts-dkim']);
    expect(findings[0]!.evidence).toMatchObject({ signer: 'mail.example.com', ourResults: [{ result: 'fail' }] });
  });

  it('does not call a signature we could not check a contradiction', async () => {
    const headers = [
      received('mx.google.com', 'Tue, 1 Apr 2025 10:00:05 +0000'),
      'Authentication-Results: mx.google.com; dkim=pass header.d=example.com',
      ...BODY_HEADERS,
    ];
    expect(await runCheck(check, { headers, signatures: [{ domain: 'example.com', result: 'neutral', keyError: 'NXDOMAIN' }] })).toEqual(
      [],
    );
  });

  it('lets a passing ARC chain explain a signature that failed after a list changed the message', async () => {
    const headers = [
      received('mx.google.com', 'Tue, 1 Apr 2025 10:00:05 +0000'),
      'ARC-Authentication-Results: i=1; mx.google.com; dkim=pass header.d=example.com',
      ...BODY_HEADERS,
    ];
    expect(
      await runCheck(check, { headers, signatures: [{ domain: 'example.com', result: 'fail' }], arc: { result: 'pass', instances: 1 } }),
    ).toEqual([]);
  });

  it('reports both codes for one forged header', async () => {
    const headers = [...BODY_HEADERS, 'Authentication-Results: mx.google.com; dkim=pass header.d=bank.example'];
    expect(codesOf(await runCheck(check, { headers }))).toEqual(['auth-results/unvouched-pass', 'auth-results/contradicts-dkim']);
  });
});

describe('auth-results: a results header planted in the submitted message', () => {
  it('is not vouched for by a receiving hop two lines further up (regression: corpus suspicious-auth-results-below-hops)', async () => {
    const f = await runCheck(check, {
      headers: [
        received('imap.campaign.example', 'Thu, 14 Mar 2024 15:05:15 +0100', 'mx1.campaign.example'),
        received('mx1.campaign.example', 'Thu, 14 Mar 2024 15:05:14 +0100', 'smtp-out.freemail.example'),
        received('smtp-out.freemail.example', 'Thu, 14 Mar 2024 14:05:11 +0000', '[10.20.0.14]'),
        'From: Chris <chris@freemail.example>',
        'Authentication-Results: mx1.campaign.example; dkim=pass header.d=freemail.example; spf=pass smtp.mailfrom=freemail.example',
      ],
    });
    expect(codesOf(f)).toContain('auth-results/unvouched-pass');
  });
});

describe('auth-results vouched by an ARC seal', () => {
  const headers = [
    'Received: by 2002:adf:b343:0:0:0:0:0 with SMTP id k3csp2230702wrd; Mon, 7 Nov 2022 23:51:18 -0800',
    'ARC-Authentication-Results: i=1; mx.google.com; dkim=pass header.i=@ietf.org header.s=ietf1',
    'Authentication-Results: mx.google.com; dkim=pass header.i=@ietf.org header.s=ietf1',
    received('ietfa.amsl.com', 'Mon, 7 Nov 2022 23:51:12 -0800'),
    'From: a@ietf.org',
    'Subject: x',
  ];
  const seals = [{ instance: 1, domain: 'google.com', selector: 'arc-20160816', result: 'none' }];

  it('accepts results written under the name of a site whose seal on a valid chain verifies (real corpus: stalwart arc-001)', async () => {
    expect(await runCheck(check, { headers, signatures: [{ domain: 'ietf.org' }], arc: { result: 'pass', instances: 1, seals } })).toEqual(
      [],
    );
  });

  it('does not when the chain fails or the seal is another site', async () => {
    const sigs = [{ domain: 'ietf.org' }];
    expect(codesOf(await runCheck(check, { headers, signatures: sigs, arc: { result: 'fail', instances: 1, seals } }))).toContain(
      'auth-results/unvouched-pass',
    );
    const other = [{ ...seals[0]!, domain: 'sealer.example' }];
    expect(codesOf(await runCheck(check, { headers, signatures: sigs, arc: { result: 'pass', instances: 1, seals: other } }))).toContain(
      'auth-results/unvouched-pass',
    );
  });

  it('checks each header against the hops just above and below it, among many of both in any order', async () => {
    // Seeded interleavings of hops and results headers; each header names one of the sites at random.
    // The hops beside a header, worked out here the plain way: the nearest above and the nearest below.
    const sites = ['mx.a.example', 'mx.b.example', 'mx.c.example', 'mx.d.example'];
    for (let seed = 1; seed <= 20; seed++) {
      const rnd = integersFrom(seed);
      const lines: { hop: string | null; names: string }[] = Array.from({ length: 12 + rnd(40) }, () =>
        rnd(2) === 0 ? { hop: sites[rnd(sites.length)]!, names: '' } : { hop: null, names: sites[rnd(sites.length)]! },
      );
      const headers = lines.map((l) =>
        l.hop !== null
          ? received(l.hop, 'Tue, 1 Apr 2025 10:00:05 +0000')
          : `Authentication-Results: ${l.names}; spf=pass smtp.mailfrom=example.com`,
      );
      const expected = lines.flatMap((l, i) => {
        if (l.hop !== null) return [];
        const above = lines.slice(0, i).findLast((x) => x.hop !== null)?.hop;
        const below = lines.slice(i + 1).find((x) => x.hop !== null)?.hop;
        return above === l.names || below === l.names ? [] : [i];
      });
      const findings = await runCheck(check, { headers: [...headers, ...BODY_HEADERS], signatures: SIGNED });
      expect(findings.map((f) => f.evidence.index)).toEqual(expected);
    }
  });
});
