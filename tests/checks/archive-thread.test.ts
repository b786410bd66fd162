import { describe, expect, it } from 'vitest';
import { archiveThread } from '../../src/checks/archive-thread.ts';
import { learnTimeFormats } from '../../src/checks/archive-timestamps.ts';
import { MAX_FACT_ENTRIES } from '../../src/checks/message-facts.ts';
import { record } from './archive-fixtures.ts';

const parentHeaders = (date: string) => [
  'From: ana@example.org',
  'To: bo@example.org',
  'Subject: Plan',
  `Date: ${date}`,
  'Message-ID: <plan-1@example.org>',
];
const replyHeaders = (date: string) => [
  'From: bo@example.org',
  'To: ana@example.org',
  'Subject: Re: Plan',
  `Date: ${date}`,
  'Message-ID: <plan-2@example.org>',
  'In-Reply-To: <plan-1@example.org>',
];

/** A message of another conversation from `from`, under the Message-ID the replies answer. */
const invoice = (from: string) =>
  record({
    sha256: 'p',
    headers: [
      `From: ${from}`,
      'To: dora@example.net',
      'Subject: Invoice 2291',
      'Date: Mon, 3 Mar 2025 08:00:00 +0000',
      'Message-ID: <plan-1@example.org>',
    ],
  });

describe('archive-thread', () => {
  it('flags a reply dated before its parent beyond clock skew, not within it', async () => {
    const parent = await record({ sha256: 'p', headers: parentHeaders('Tue, 4 Mar 2025 12:00:00 +0000') });
    const early = await record({ sha256: 'r', headers: replyHeaders('Tue, 4 Mar 2025 09:00:00 +0000') });
    const skew = await record({ sha256: 's', headers: replyHeaders('Tue, 4 Mar 2025 11:55:00 +0000') });
    const out = archiveThread.run({
      pairs: [
        { reply: early, parent },
        { reply: skew, parent },
      ],
      formats: new Map(),
    });
    expect(out.get('r')!.map((f) => f.code)).toEqual(['archive-thread/reply-before-parent']);
    expect(out.get('r')![0]!.detail).toContain('3 hours');
    expect(out.has('s')).toBe(false);
  });
});

describe('archive-thread: a parent copy whose Date was moved', () => {
  const T = Date.UTC(2024, 0, 16, 8, 36, 33) / 1000;
  const mailDate = (epoch: number): string => new Date(epoch * 1000).toUTCString().replace('GMT', '+0000');
  /** An Outlook message id: a counter, then the FILETIME of the moment it was written, as hex words. */
  const outlookId = (epoch: number, n: number): string => {
    const hex = ((BigInt(epoch) + 11_644_473_600n) * 10_000_000n).toString(16).padStart(16, '0');
    return `<${n.toString(16).padStart(4, '0')}${hex.slice(0, 8)}$${hex.slice(8)}$3c4bf7a8$@ministry.example>`;
  };
  const outlook = (sha256: string, dateEpoch: number, id: string, extra: string[] = []) =>
    record({
      sha256,
      headers: [
        'From: Tom <tom@ministry.example>',
        'To: ana@ministry.example',
        `Subject: ${sha256}`,
        `Date: ${mailDate(dateEpoch)}`,
        `Message-ID: ${id}`,
        'X-Mailer: Microsoft Outlook 16.0',
        ...extra,
      ],
    });

  it('takes the copy whose Date its program’s stamps bear out as the one a reply answers', async () => {
    const usual = await Promise.all(Array.from({ length: 22 }, (_, i) => outlook(`o${i}`, T + i * 86400, outlookId(T + i * 86400, i))));
    const sent = T + 30 * 86400;
    const id = outlookId(sent, 99);
    const original = await outlook('p1', sent, id);
    // Another copy of the parent, its Date moved twelve days back (archive-timestamps reports it).
    const moved = await outlook('p2', sent - 12 * 86400, id);
    const formats = learnTimeFormats([...usual, original, moved]);
    const reply = (sha256: string, date: number) =>
      record({
        sha256,
        headers: [
          'From: ana@ministry.example',
          'To: tom@ministry.example',
          `Subject: Re: p1`,
          `Date: ${mailDate(date)}`,
          `Message-ID: <${sha256}@ministry.example>`,
          `In-Reply-To: ${id}`,
        ],
      });
    const early = await reply('r', sent - 6 * 3600);
    const later = await reply('s', sent + 3600);
    const out = archiveThread.run({
      pairs: [original, moved].flatMap((parent) => [
        { reply: early, parent },
        { reply: later, parent },
      ]),
      formats,
    });
    expect(out.get('r')!.map((f) => [f.code, f.evidence.parent])).toEqual([['archive-thread/reply-before-parent', 'p1']]);
    expect(out.has('s')).toBe(false);
  });
});

describe('archive-thread: quotes and conversations', () => {
  const parentBody =
    'Hello Tom,\r\n\r\nThe board meets on Thursday at ten. The figures add up to EUR 117,433 so far, about 10% of what we planned.\r\n\r\nAnna\r\n';
  const quoteOf = (text: string) =>
    `Fine by me.\r\n\r\nOn Tue, 4 Mar 2025 at 12:00, Ana <ana@example.org> wrote:\r\n${text
      .split('\r\n')
      .map((l) => `> ${l}`)
      .join('\r\n')}\r\n`;
  const parent = () => record({ sha256: 'p', headers: parentHeaders('Tue, 4 Mar 2025 12:00:00 +0000'), body: parentBody });
  const reply = (body: string, flags: string[] = []) =>
    record({
      sha256: 'r',
      headers: replyHeaders('Tue, 4 Mar 2025 13:00:00 +0000'),
      body,
      selfFindings: flags.map((code) => ({ check: 'x', code, severity: 'weak' as const, detail: 'x', evidence: {} })),
    });

  it('finds nothing when the reply quotes its parent as it is (attribution lines and re-wrapping aside)', async () => {
    const honest = await reply(quoteOf(parentBody.replace('ten. The', 'ten.\r\nThe')));
    expect(archiveThread.run({ pairs: [{ reply: honest, parent: await parent() }], formats: new Map() }).has('r')).toBe(false);
  });

  it('reports a quote with a word changed, with a diff of the quote against the parent', async () => {
    const forged = await reply(quoteOf(parentBody.replace('Thursday', 'Tuesday')));
    const p = await parent();
    const out = archiveThread.run({
      pairs: [{ reply: forged, parent: p, replyText: forged.text, parentText: p.text }],
      formats: new Map(),
    });
    const f = out.get('r')!;
    expect(f.map((x) => x.code)).toEqual(['archive-thread/quote-differs']);
    expect(JSON.stringify(f[0]!.evidence.quoteDiff)).toContain('Tuesday');
    // When the parent has inconsistencies of its own (its body no longer matches its signature), it is the altered one.
    const edited = await record({
      sha256: 'p',
      headers: parentHeaders('Tue, 4 Mar 2025 12:00:00 +0000'),
      body: parentBody.replace('Thursday', 'Friday'),
      selfFindings: [{ check: 'dkim', code: 'dkim/body-hash-mismatch', severity: 'strong', detail: 'x', evidence: {} }],
    });
    const honest = await reply(quoteOf(parentBody));
    expect(archiveThread.run({ pairs: [{ reply: honest, parent: edited }], formats: new Map() }).has('r')).toBe(false);
  });

  it('reports a change right after the greeting, and a clause of several words rewritten', async () => {
    const p = await parent();
    const run = async (text: string) => {
      const forged = await reply(quoteOf(text));
      return archiveThread.run({ pairs: [{ reply: forged, parent: p }], formats: new Map() }).get('r') ?? [];
    };
    // "Hello Tom, the board meets": only the greeting's gram matches before the change.
    const early = await run(parentBody.replace('board meets', 'board gathers'));
    expect(early.map((x) => x.code)).toEqual(['archive-thread/quote-differs']);
    // Three words changed among six: more grams than a single word's four, still one passage.
    const clause = await run(parentBody.replace('The figures add up to EUR', 'The figures do not add up to more than EUR'));
    expect(clause.map((x) => x.code)).toEqual(['archive-thread/quote-differs']);
    expect(clause[0]!.evidence.unmatchedGrams).toBeGreaterThan(8);
    // A whole sentence replaced is no longer a change inside the quote.
    const rewritten = await run(
      parentBody.replace(
        'The figures add up to EUR 117,433 so far',
        'Nobody has sent me any figures yet and I doubt we will see them before the meeting starts',
      ),
    );
    expect(rewritten).toEqual([]);
  });

  it('does not excuse a changed quote when a copy of the parent is verified by its own signature', async () => {
    const forged = await reply(quoteOf(parentBody.replace('Thursday', 'Tuesday')));
    // The parent verifies, though a check found something else on it (an unvouched pass, say).
    const verified = await record({
      sha256: 'p',
      headers: parentHeaders('Tue, 4 Mar 2025 12:00:00 +0000'),
      body: parentBody,
      selfVerdict: 'verified',
      selfFindings: [{ check: 'auth-results', code: 'auth-results/unvouched-pass', severity: 'weak', detail: 'x', evidence: {} }],
    });
    const out = archiveThread.run({ pairs: [{ reply: forged, parent: verified }], formats: new Map() });
    expect(out.get('r')!.map((x) => x.code)).toEqual(['archive-thread/quote-differs']);
    // Unverified with the same finding, it may be the altered one: the reply is not reported.
    const doubted = { ...verified, facts: { ...verified.facts, selfVerdict: 'unverifiable' as const } };
    expect(archiveThread.run({ pairs: [{ reply: forged, parent: doubted }], formats: new Map() }).has('r')).toBe(false);
  });

  it('reports a reply hung on a message of another conversation, not a reply that changes the subject', async () => {
    const other = await invoice('carl@example.net');
    const r = await reply('Agreed.\r\n');
    expect(
      archiveThread
        .run({ pairs: [{ reply: r, parent: other }], formats: new Map() })
        .get('r')!
        .map((f) => f.code),
    ).toEqual(['archive-thread/other-conversation']);
    const sameFolks = await record({
      sha256: 'p',
      headers: [
        'From: ana@example.org',
        'To: bo@example.org',
        'Subject: Something else',
        'Date: Mon, 3 Mar 2025 08:00:00 +0000',
        'Message-ID: <plan-1@example.org>',
      ],
    });
    expect(archiveThread.run({ pairs: [{ reply: r, parent: sameFolks }], formats: new Map() }).has('r')).toBe(false);
  });

  it('does not report another conversation when the reply names more recipients than its facts keep', async () => {
    const other = await invoice('zed@example.net');
    // 600 recipients, sorted: zed@example.net comes after the 500 the facts keep.
    const many = Array.from({ length: 599 }, (_, i) => `user${String(i).padStart(3, '0')}@example.org`);
    const r = await record({
      sha256: 'r',
      headers: replyHeaders('Tue, 4 Mar 2025 12:00:00 +0000').map((h) =>
        h.startsWith('To:') ? `To: ${[...many, 'zed@example.net'].join(', ')}` : h,
      ),
      body: 'Agreed.\r\n',
    });
    expect(r.facts.recipients).toHaveLength(MAX_FACT_ENTRIES);
    expect(r.facts.recipientCount).toBe(600);
    expect(archiveThread.run({ pairs: [{ reply: r, parent: other }], formats: new Map() }).has('r')).toBe(false);
  });
});
