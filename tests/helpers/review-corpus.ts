// The review server's test archive: every verdict, several domains and mailboxes, signatures, findings,
// Received hops, an attachment, two copies of one Message-ID, an undated message, a hostile HTML message,
// a finished import with failures and a running one.
import type { Db } from '../../src/store/database.ts';
import { insertKeys } from '../../src/store/keys-repo.ts';
import { recordFailure, startRun, finishRun, setRunTotal, updateRunCounts } from '../../src/store/runs-repo.ts';
import { finding, insertFixture, type FixtureSpec } from './fixture-db.ts';

export const PDF_BYTES = Buffer.from('%PDF-1.4\n% leaktriage test attachment\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n', 'latin1');

/** The passing signature of example-news.org that the fixtures' signed messages carry. */
const SIGNATURE = { domain: 'example-news.org', keyName: 'sel2024._domainkey.example-news.org', keySource: 'corpus.zone' };

/** An import run as the fixtures record it: no DNS, a test version. */
function startTestRun(db: Db, inputs: string[]): number {
  return startRun(db, inputs, { dns: 'off' }, 'leaktriage 0.1.0-test');
}

/** Inserts the messages in the table's order; returns each one's SHA-256 under its name. */
function insertAll<K extends string>(db: Db, run: number, messages: Record<K, FixtureSpec>): Record<K, string> {
  const ids = {} as Record<K, string>;
  for (const name of Object.keys(messages) as K[]) ids[name] = insertFixture(db, run, messages[name]);
  return ids;
}

export interface SeededIds {
  verified: string;
  tampered: string;
  suspicious: string;
  unverifiable: string;
  attachment: string;
  copyA: string;
  copyB: string;
  undated: string;
  hostile: string;
  all: string[];
}

/** HTML that tries every way out: scripts, handlers, remote images and styles, a javascript: link. */
export function hostileHtml(beacon: string): string {
  return `<!doctype html><html><head>
<style>@import url(https://tracker.example/import.css); body { background: url(https://tracker.example/bg.png); }</style>
<link rel="stylesheet" href="https://tracker.example/style.css">
<link rel="dns-prefetch" href="https://prefetch.tracker.example">
<meta http-equiv="refresh" content="0;url=${beacon}?refresh">
</head><body>
<h1 id="hostile">Invoice</h1>
<script>document.title = 'pwned'; fetch('${beacon}?script'); parent.postMessage('script-ran', '*');</script>
<img src="https://tracker.example/p.gif" width="1" height="1" alt="">
<img src="x" onerror="parent.postMessage('onerror-ran', '*'); new Image().src = '${beacon}?onerror'">
<img src="${beacon}?img" alt="">
<a id="jslink" href="javascript:parent.postMessage('link-ran', '*')">click me</a>
<a id="remote" href="https://tracker.example/clicked" target="_self">read more</a>
<iframe src="${beacon}?iframe"></iframe>
<IFRAME SRC="https://tracker.example/frame"></IFRAME>
<object data="${beacon}?object"></object>
<form action="${beacon}?form" method="post"><input name="x"><button id="send">send</button></form>
</body></html>`;
}

/** The review archive's messages, in the order they are imported. */
function reviewMessages(beacon: string): Record<Exclude<keyof SeededIds, 'all'>, FixtureSpec> {
  return {
    verified: {
      subject: 'Quarterly budget',
      date: 'Mon, 06 Mar 2023 10:00:00 +0000',
      messageId: '<budget@example-news.org>',
      text: 'The budget is attached in spirit.\r\n',
      signatures: [SIGNATURE],
      verdict: 'verified',
      summary: 'Signed by example-news.org and unchanged.',
      received: [
        { from: 'relay.example.org (relay [192.0.2.7])', by: 'mx.example.org', time: 'Mon, 06 Mar 2023 10:02:30 +0000' },
        { from: 'sender.example-news.org', by: 'relay.example.org', time: 'Mon, 06 Mar 2023 10:00:05 +0000' },
      ],
      source: { mailbox: 'archive.mbox', folder: null, path: 'archive.mbox#0', offset: 0 },
    },
    tampered: {
      from: { name: 'Mallory', address: 'ceo@campaign.example' },
      subject: 'Wire the funds today',
      date: 'Tue, 07 Mar 2023 09:00:00 +0100',
      text: 'Please wire 1,000,000 to the account below.\r\n',
      verdict: 'tampered',
      summary: 'The body changed after it was signed.',
      signatures: [
        {
          domain: 'campaign.example',
          selector: 'rot2023',
          keyName: 'rot2023._domainkey.campaign.example',
          keySource: 'corpus.zone',
          result: 'fail',
          bodyHash: 'fail',
          comment: 'body hash did not verify',
          bodyLength: 120,
          unsignedBodyBytes: 45,
        },
      ],
      findings: [finding('dkim/body-hash-mismatch', 'strong', 'The body hash in the signature does not match the body.')],
      source: { mailbox: 'archive.mbox', folder: null, path: 'archive.mbox#2048', offset: 2048 },
    },
    suspicious: {
      from: { name: 'Press Office', address: 'press@example-nevvs.org' },
      subject: 'Statement on the leak',
      date: 'Wed, 08 Mar 2023 12:00:00 +0000',
      verdict: 'suspicious',
      summary: 'The signing domain imitates another.',
      findings: [finding('domain/lookalike', 'weak', 'example-nevvs.org looks like example-news.org.')],
      received: [
        { from: 'b.example', by: 'c.example', time: 'Wed, 08 Mar 2023 11:00:00 +0000' },
        { from: 'a.example', by: 'b.example', time: 'Wed, 08 Mar 2023 12:05:00 +0000' },
      ],
    },
    unverifiable: {
      from: { name: 'Bob', address: 'bob@gmail.example' },
      subject: 'lunch?',
      date: 'Thu, 09 Mar 2023 12:30:00 +0000',
      verdict: 'unverifiable',
      summary: 'No signature: nothing can be said either way.',
      findings: [finding('dkim/none', 'info', 'No DKIM signature.')],
    },
    attachment: {
      subject: 'Contract draft',
      date: 'Fri, 10 Mar 2023 08:00:00 +0000',
      verdict: 'unverifiable',
      attachments: [{ filename: '../../etc/contract "final".pdf', contentType: 'application/pdf', content: PDF_BYTES }],
    },
    copyA: {
      subject: 'Meeting notes',
      date: 'Mon, 13 Mar 2023 10:00:00 +0000',
      messageId: '<notes@example-news.org>',
      text: 'We agreed on nothing.\r\n',
      signatures: [SIGNATURE],
      verdict: 'verified',
      source: { folder: 'dump/inbox' },
    },
    copyB: {
      subject: 'Meeting notes (fwd)',
      date: 'Mon, 13 Mar 2023 10:00:00 +0000',
      messageId: '<notes@example-news.org>',
      text: 'We agreed on everything.\r\n',
      signatures: [{ ...SIGNATURE, result: 'fail', bodyHash: 'fail' }],
      verdict: 'tampered',
      summary: 'A copy differs from a verified copy.',
      findings: [finding('archive/copy-differs', 'strong', 'Differs from a verified copy.')],
      source: { folder: 'dump/sent' },
    },
    undated: { subject: 'no date at all', date: null, verdict: 'unverifiable' },
    hostile: {
      from: { name: '"><img src=x onerror=alert(1)>', address: 'attacker@evil.example' },
      subject: '<script>alert("subject")</script> invoice',
      date: 'Tue, 14 Mar 2023 10:00:00 +0000',
      verdict: 'suspicious',
      text: '<script>alert("text")</script>\r\n',
      html: hostileHtml(beacon),
      findings: [finding('html/remote-content', 'weak', '<b>remote</b> content & "quotes"')],
    },
  };
}

export function seedReviewDb(db: Db, opts: { beacon?: string } = {}): SeededIds {
  const beacon = opts.beacon ?? 'http://127.0.0.1:9/beacon';
  const run = startTestRun(db, ['dump/', 'archive.mbox']);
  insertKeys(db, [
    {
      name: 'sel2024._domainkey.example-news.org',
      domain: 'example-news.org',
      selector: 'sel2024',
      value: 'v=DKIM1; k=rsa; p=MIIBIjANBg',
      sourceKind: 'zone',
      source: 'corpus.zone',
      firstSeen: 1_672_531_200,
      lastSeen: null,
      fetchedAt: null,
      dnsError: null,
    },
  ]);
  const ids = insertAll(db, run, reviewMessages(beacon));
  recordFailure(db, run, 'failure', { path: 'dump/broken.eml', offset: null, code: 'input/empty', reason: 'the file is empty' });
  recordFailure(db, run, 'skipped', {
    path: 'dump/notes.txt',
    offset: null,
    code: 'input/not-mail',
    reason: 'no mail headers <b>here</b>',
  });
  updateRunCounts(db, run, { bytesRead: 9000, messagesSeen: 9, messagesNew: 9, sourcesNew: 9, failures: 1, skipped: 1 });
  finishRun(db, run, 'completed');
  const running = startTestRun(db, ['more/']);
  setRunTotal(db, running, 1_000_000);
  updateRunCounts(db, running, { bytesRead: 250_000, messagesSeen: 42, messagesNew: 0, sourcesNew: 0, failures: 0, skipped: 0 });
  return { ...ids, all: Object.values(ids) };
}

export interface ThreadIds {
  root: string;
  reply: string;
  forged: string;
  orphan: string;
  copy: string;
}

/**
 * A conversation for the thread view: a verified root, a reply, a forged reply dated before the
 * message it answers, a reply to a message the dump lacks, and a second copy of the reply.
 */
export function seedThread(db: Db): ThreadIds {
  const run = startTestRun(db, ['thread/']);
  const ids = insertAll(db, run, THREAD_MESSAGES);
  finishRun(db, run, 'completed');
  return ids;
}

/** Bob's reply to the root, of which the dump holds two copies that differ. */
const BOB_REPLY = {
  from: { name: 'Bob', address: 'bob@gmail.example' },
  subject: 'Re: Board meeting moved',
  date: 'Mon, 20 Mar 2023 10:00:00 +0000',
  messageId: '<board-2@gmail.example>',
  inReplyTo: '<board-1@example-news.org>',
  references: ['<board-1@example-news.org>'],
} satisfies FixtureSpec;

/** The conversation's messages, in the order they are imported. */
const THREAD_MESSAGES: Record<keyof ThreadIds, FixtureSpec> = {
  root: {
    subject: 'Board meeting moved',
    date: 'Mon, 20 Mar 2023 09:00:00 +0000',
    messageId: '<board-1@example-news.org>',
    text: 'The board meets on Friday instead.\r\n',
    signatures: [SIGNATURE],
    verdict: 'verified',
    summary: 'Signed by example-news.org and unchanged.',
  },
  reply: {
    ...BOB_REPLY,
    text: 'Fine by me, I will bring the minutes.\r\n\r\nOn Mon, Alice wrote:\r\n> The board meets on Friday instead.\r\n',
    verdict: 'unverifiable',
    summary: 'No signature: nothing can be said either way.',
  },
  forged: {
    subject: 'Re: Re: Board meeting moved',
    date: 'Mon, 20 Mar 2023 08:30:00 +0000',
    messageId: '<board-3@example-news.org>',
    inReplyTo: '<board-2@gmail.example>',
    references: ['<board-1@example-news.org>', '<board-2@gmail.example>'],
    text: 'Also wire the deposit today.\r\n',
    verdict: 'suspicious',
    summary: 'The reply is dated before the message it answers.',
    findings: [finding('archive-thread/reply-before-parent', 'weak', 'Dated 1 hour 30 minutes before the message it answers.')],
  },
  orphan: {
    from: { name: 'Carol', address: 'carol@example.org' },
    subject: 'Re: agenda',
    date: 'Tue, 21 Mar 2023 09:00:00 +0000',
    messageId: '<board-9@example.org>',
    inReplyTo: '<lost@example.org>',
    references: ['<board-1@example-news.org>', '<lost@example.org>'],
    verdict: 'unverifiable',
  },
  copy: {
    ...BOB_REPLY,
    text: 'Fine by me, I will bring the minutes and the cheque book.\r\n',
    verdict: 'tampered',
    summary: 'A copy differs from another copy.',
    source: { folder: 'thread/sent' },
  },
};
