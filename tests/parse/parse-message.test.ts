import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { countBoundaries, MAX_MIME_BOUNDARIES, parseMessage } from '../../src/parse/parse-message.ts';
import { parseMailTime } from '../../src/parse/mail-time.ts';

const MSG = [
  'Received: from mx.example.net (mx.example.net [192.0.2.1])',
  '\tby mail.example.org with ESMTPS id 1; Tue, 1 Apr 2025 12:00:05 +0200 (CEST)',
  'Received: from [10.0.0.2] by mx.example.net; Tue, 1 Apr 2025 10:00:01 +0000',
  'From: "Ana Díaz" <ana@Example.NET>',
  'Sender: list-bounces@lists.example.net',
  'Reply-To: replies@example.net',
  'To: Bo <bo@example.org>, team: cy@example.org, di@example.org;',
  'Cc: ed@example.org',
  'Date: Tue, 1 Apr 2025 09:59:58 +0000',
  'Message-ID: <abc@example.net>',
  'In-Reply-To: <parent@example.org>',
  'References: <root@example.org> <parent@example.org>',
  'Subject: =?UTF-8?Q?Caf=C3=A9_plans?=',
  'List-Id: Team <team.lists.example.net>',
  'User-Agent: Mozilla Thunderbird',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="x"',
  '',
  '--x',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'See attached.',
  '--x',
  'Content-Type: application/pdf; name="plan.pdf"',
  'Content-Disposition: attachment; filename="plan.pdf"',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('%PDF-1.4 fake').toString('base64'),
  '--x--',
  '',
].join('\r\n');

describe('parseMessage', () => {
  it('extracts addresses, ids, dates, list, mailer, bodies and attachments', async () => {
    const p = await parseMessage(Buffer.from(MSG, 'utf8'));
    expect(p.from).toEqual([{ name: 'Ana Díaz', address: 'ana@Example.NET', domain: 'example.net' }]);
    expect(p.sender[0]!.address).toBe('list-bounces@lists.example.net');
    expect(p.replyTo[0]!.address).toBe('replies@example.net');
    expect(p.to.map((a) => a.address)).toEqual(['bo@example.org', 'cy@example.org', 'di@example.org']);
    expect(p.cc[0]!.address).toBe('ed@example.org');
    expect(p.dateEpoch).toBe(Date.UTC(2025, 3, 1, 9, 59, 58) / 1000);
    expect(p.messageId).toBe('<abc@example.net>');
    expect(p.inReplyTo).toBe('<parent@example.org>');
    expect(p.references).toEqual(['<root@example.org>', '<parent@example.org>']);
    expect(p.subject).toBe('Café plans');
    expect(p.listId).toBe('Team <team.lists.example.net>');
    expect(p.mailer).toBe('Mozilla Thunderbird');
    expect(p.text?.trim()).toBe('See attached.');
    expect(p.attachments).toEqual([
      {
        filename: 'plan.pdf',
        contentType: 'application/pdf',
        size: 13,
        sha256: createHash('sha256').update('%PDF-1.4 fake').digest('hex'),
        disposition: 'attachment',
        contentId: null,
        // Named and typed a PDF, so its metadata is read; the bytes are no real PDF, which is said.
        document: expect.objectContaining({ format: 'pdf', author: null, problems: [expect.stringContaining('not a readable PDF')] }),
      },
    ]);
  });

  it('reads a recurring address line once, and hands each message addresses of its own', async () => {
    // decodeAddressHeader remembers the lines it has read; a caller that changes what it was given
    // must not change what the next message with the same line gets.
    const first = await parseMessage(Buffer.from(MSG, 'utf8'));
    first.from[0]!.name = 'changed';
    first.to.length = 0;
    const again = await parseMessage(Buffer.from(MSG, 'utf8'));
    expect(again.from).toEqual([{ name: 'Ana Díaz', address: 'ana@Example.NET', domain: 'example.net' }]);
    expect(again.to.map((a) => a.address)).toEqual(['bo@example.org', 'cy@example.org', 'di@example.org']);
  });

  it('reads Received hops top first, with by, from, time and zone', async () => {
    const p = await parseMessage(Buffer.from(MSG, 'utf8'));
    expect(p.received.map((h) => [h.index, h.from, h.by, h.time, h.zone])).toEqual([
      [0, 'mx.example.net', 'mail.example.org', '2025-04-01T10:00:05.000Z', '+0200'],
      [1, '[10.0.0.2]', 'mx.example.net', '2025-04-01T10:00:01.000Z', '+0000'],
    ]);
  });

  it('reads obsolete date forms and refuses non-dates', () => {
    expect(parseMailTime('1 Apr 99 10:00:00 EST')).toBe(Date.UTC(1999, 3, 1, 15, 0, 0) / 1000);
    expect(parseMailTime('Tue, 1 Apr 2025 10:00 GMT')).toBe(Date.UTC(2025, 3, 1, 10, 0, 0) / 1000);
    expect(parseMailTime('yesterday')).toBeNull();
    expect(parseMailTime(null)).toBeNull();
  });

  it('parses a real signed corpus message with an attachment', async () => {
    const p = await parseMessage(
      readFileSync(new URL('../../test-corpus/generated/authentic-news-ed25519-attachment.eml', import.meta.url)),
    );
    expect(p.attachments).toHaveLength(1);
    expect(p.attachments[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(p.problems).toEqual([]);
  });
});

describe('countBoundaries', () => {
  /** The count as a plain search for the word gives it: the reference for the faster code. */
  function searched(bytes: Buffer): number {
    let n = 0;
    for (let at = bytes.indexOf('boundary='); at !== -1 && n <= MAX_MIME_BOUNDARIES; at = bytes.indexOf('boundary=', at + 9)) n++;
    return n;
  }

  it('counts as a search for the word does, on the edge cases', () => {
    const cases = [
      '',
      '=',
      'boundary=',
      'boundary',
      'xboundary=y',
      '=boundary==boundary=',
      'oundary=',
      'boundary=boundary=boundary=',
      'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: multipart/alternative; boundary=b2\r\n',
      'boundary='.repeat(MAX_MIME_BOUNDARIES + 50),
      // Dense with "=": past the jumps' limit, then occurrences on both sides of it.
      `${'=3D'.repeat(600)}boundary=${'=3D'.repeat(600)}boundary=${'=D0=9F'.repeat(400)}boundary=`,
      `${'='.repeat(1023)}boundary=${'='.repeat(5)}boundary=`,
      `${'='.repeat(1024)}oundary=boundary=`,
      // The word ends at the first "=" past the jumps' limit.
      `${'='.repeat(1024)}boundary=`,
      `${'boundary='.repeat(100)}${'='.repeat(3000)}${'boundary='.repeat(150)}`,
    ];
    for (const c of cases)
      expect(`${c.slice(0, 40)}: ${countBoundaries(Buffer.from(c))}`).toBe(`${c.slice(0, 40)}: ${searched(Buffer.from(c))}`);
  });

  it('counts as a search for the word does, on random text of the word, its pieces and "="', () => {
    const pieces = ['boundary=', 'boundary', 'undary=', '=', '==', 'b', 'y=', ' ', '\r\n', '=3D', 'x'];
    // Seeded, so a failure can be replayed (as tests/parse/quoted-printable.test.ts draws its bodies).
    for (let seed = 0; seed < 2000; seed++) {
      const rng = xoroshiro128plus(seed);
      const parts: string[] = [];
      const length = uniformInt(rng, 0, 2000);
      for (let j = 0; j < length; j++) parts.push(pieces[uniformInt(rng, 0, pieces.length - 1)]!);
      const bytes = Buffer.from(parts.join(''));
      expect(countBoundaries(bytes), `seed ${seed}`).toBe(searched(bytes));
    }
  });
});
