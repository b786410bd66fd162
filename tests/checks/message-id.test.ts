import { describe, expect, it } from 'vitest';
import { check } from '../../src/checks/message-id.ts';
import { codesOf, received, runCheck } from './fixtures.ts';

const TOP = received('mx.newsroom.example', 'Tue, 1 Apr 2025 10:00:09 +0000', 'mail-wm1-f54.example.net');
const GMAIL_HOP = received('mx.newsroom.example', 'Tue, 1 Apr 2025 10:00:05 +0000', 'mail-sor-f41.google.com');
const GMAIL_WEB = ['From: Alice <alice@gmail.com>', 'Subject: Figures', 'X-Gm-Message-State: AOJu0Yx'];
const GMAIL_SIG = [{ domain: 'gmail.com', signedHeaders: ['from', 'subject', 'message-id'] }];
const APPLE_ID = '<3F2504E0-4F89-11D3-9A0C-0305E82C3301@example.com>';

describe('message-id', () => {
  it('accepts a Gmail web message with a Gmail Message-ID', async () => {
    const headers = [GMAIL_HOP, ...GMAIL_WEB, 'Message-ID: <CAHx4ZbN=abc123+Q@mail.gmail.com>'];
    expect(await runCheck(check, { headers, signatures: GMAIL_SIG })).toEqual([]);
  });

  it("reports a Gmail web message whose Message-ID has Apple Mail's shape", async () => {
    const headers = [GMAIL_HOP, ...GMAIL_WEB, `Message-ID: ${APPLE_ID}`];
    const findings = await runCheck(check, { headers, signatures: GMAIL_SIG });
    expect(codesOf(findings)).toEqual(['message-id/platform-mismatch']);
    expect(findings[0]!.severity).toBe('weak');
    expect(findings[0]!.detail).toContain('point to Gmail web or app (From alice@gmail.com, a DKIM signature of gmail.com, no X-Mailer)');
    expect(findings[0]!.detail).toContain('it has the shape Apple Mail writes');
  });

  it("accepts a mail program that submits through Gmail's servers with its own Message-ID", async () => {
    const headers = [
      GMAIL_HOP,
      'Received: from [192.168.1.20] (host.example [198.51.100.4]) by smtp.gmail.com with ESMTPSA id z1; Tue, 1 Apr 2025 10:00:02 +0000',
      ...GMAIL_WEB,
      `Message-ID: ${APPLE_ID}`,
    ];
    expect(await runCheck(check, { headers, signatures: GMAIL_SIG })).toEqual([]);
  });

  it('accepts a Gmail address used from a program that names itself', async () => {
    const headers = [
      GMAIL_HOP,
      ...GMAIL_WEB,
      'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.3.0',
      'Message-ID: <0f6c3d2e-8a1b-4c5d-9e7f-a1b2c3d4e5f6@gmail.com>',
    ];
    expect(await runCheck(check, { headers, signatures: GMAIL_SIG })).toEqual([]);
  });

  it('reports Outlook in X-Mailer with a Gmail Message-ID on a message that never touched Google', async () => {
    const headers = [TOP, 'From: ceo@example.com', 'X-Mailer: Microsoft Outlook 16.0', 'Message-ID: <CAHx4ZbN=abc123+Q@mail.gmail.com>'];
    const findings = await runCheck(check, { headers, signatures: [{ domain: 'example.com' }] });
    expect(codesOf(findings)).toEqual(['message-id/platform-mismatch']);
    expect(findings[0]!.detail).toContain('point to Outlook / Exchange (mailer "Microsoft Outlook 16.0")');
    expect(findings[0]!.detail).toContain(
      'its domain mail.gmail.com is one Gmail servers write, yet nothing shows the message passed through Gmail',
    );
    expect(findings[0]!.evidence).toMatchObject({ headersPoint: 'Outlook / Exchange', mailer: 'Microsoft Outlook 16.0' });
  });

  it('accepts Outlook with a Gmail Message-ID when the message went through Google (sync tools)', async () => {
    const headers = [TOP, 'From: ceo@example.com', 'X-Mailer: Microsoft Outlook 16.0', 'Message-ID: <CAHx4ZbN=abc123+Q@mail.gmail.com>'];
    expect(await runCheck(check, { headers, signatures: [{ domain: 'example-com.20230601.gappssmtp.com' }] })).toEqual([]);
  });

  it('reports Apple Mail with an Exchange Online Message-ID and no Microsoft server', async () => {
    const headers = [
      TOP,
      'From: alice@example.com',
      'X-Mailer: Apple Mail (2.3774.300.61.1.2)',
      'Message-ID: <AM6PR04MB1234AB@AM6PR04MB1234.eurprd04.prod.outlook.com>',
    ];
    const findings = await runCheck(check, { headers });
    expect(codesOf(findings)).toEqual(['message-id/platform-mismatch']);
    expect(findings[0]!.evidence).toMatchObject({ headersPoint: 'Apple Mail' });
  });

  it('accepts an Exchange Online Message-ID on a message with Exchange headers', async () => {
    const headers = [
      TOP,
      'From: alice@example.com',
      'X-Mailer: Microsoft Outlook 16.0',
      'X-MS-Exchange-Organization-SCL: 1',
      'Message-ID: <AM6PR04MB1234AB@AM6PR04MB1234.eurprd04.prod.outlook.com>',
    ];
    expect(await runCheck(check, { headers })).toEqual([]);
  });

  it("reports a Yahoo Message-ID on a message whose only traces are Exchange's", async () => {
    const headers = [
      TOP,
      'From: alice@example.com',
      'X-MS-Exchange-Organization-SCL: 1',
      'Message-ID: <1234567890.987654.1743501600123@mail.yahoo.com>',
    ];
    const findings = await runCheck(check, { headers });
    expect(codesOf(findings)).toEqual(['message-id/platform-mismatch']);
    expect(findings[0]!.detail).toContain('(the X-MS-Exchange-Organization-SCL header)');
  });

  it('says nothing when a web-mail Message-ID comes with no other clue (a bare Sent copy)', async () => {
    const headers = ['From: alice@example.com', 'Message-ID: <CAHx4ZbN=abc123+Q@mail.gmail.com>'];
    expect(await runCheck(check, { headers })).toEqual([]);
  });

  it('accepts ordinary Message-IDs from unknown platforms', async () => {
    const headers = [
      TOP,
      'From: alice@example.com',
      'X-Mailer: Microsoft Outlook 16.0',
      'Message-ID: <000001d7a2b3$4c5d6e70$e5184b50$@example.com>',
    ];
    expect(await runCheck(check, { headers })).toEqual([]);
  });

  it('notes a missing Message-ID', async () => {
    const findings = await runCheck(check, { headers: [TOP, 'From: alice@example.com'] });
    expect(codesOf(findings)).toEqual(['message-id/missing']);
    expect(findings[0]!.severity).toBe('info');
  });

  it('notes a Message-ID that is not <left@right>', async () => {
    for (const id of ['abc123@example.com', '<abc123>', '<a b@example.com>', '<a@b@example.com>']) {
      const findings = await runCheck(check, { headers: [TOP, `Message-ID: ${id}`] });
      expect(codesOf(findings)).toEqual(['message-id/malformed']);
    }
  });

  it('reads a Message-ID folded onto its own line', async () => {
    const headers = [GMAIL_HOP, ...GMAIL_WEB, 'Message-ID:\r\n <CAHx4ZbN=abc123+Q@mail.gmail.com>'];
    expect(await runCheck(check, { headers, signatures: GMAIL_SIG })).toEqual([]);
  });
});
