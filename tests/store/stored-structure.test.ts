// The stored parse leaves out the header list and the hops' text (the bytes beside it hold them);
// everything that reads a stored message must get back exactly what the analysis saw, from the bytes,
// and records stored before with the list in their JSON must still read as they are.
import { describe, expect, it } from 'vitest';
import type { AnalysedMessage, StoredStructure } from '../../src/model.ts';
import { analyseMessage } from '../../src/pipeline/analyse-message.ts';
import { collectMessageFacts } from '../../src/checks/message-facts.ts';
import { readStoredCheckParts } from '../../src/store/archive-repo.ts';
import { completeStructure, headersOf } from '../../src/parse/stored-headers.ts';
import { storedHtmlText } from '../../src/parse/parse-message.ts';
import { messageView } from '../../src/server/message-view.ts';
import { getMessageDetail } from '../../src/store/message-page-repo.ts';
import { addSource, encodeMessageRows, insertMessage } from '../../src/store/messages-repo.ts';
import { startRun } from '../../src/store/runs-repo.ts';
import { withTransaction } from '../../src/store/transaction.ts';
import { KeyIndex } from '../../src/verify/key-index.ts';
import { openFixtureDb } from '../helpers/fixture-db.ts';

// Folded Received headers, a repeated Received, a bare LF among CRLFs, a header with 8-bit bytes,
// a space before a colon and a stray line: the cases where a reading of the bytes could differ.
const TRICKY = Buffer.concat([
  Buffer.from(
    'Received: from relay.example.org (relay.example.org [192.0.2.7])\r\n' +
      '\tby mx.example.org with ESMTPS id 4Qx; Mon, 06 Mar 2023 10:02:30 +0000\r\n' +
      'Received: from laptop.example-news.org\n' +
      ' by relay.example.org; Mon, 06 Mar 2023 10:00:05 +0100\r\n' +
      'X-Note : spaced name\r\n' +
      'this line is not a header\r\n' +
      'From: Alice <alice@example-news.org>\r\n' +
      'To: bob@example.org\r\n' +
      'Subject: =?utf-8?q?Caf=C3=A9?= plans\r\n' +
      'X-Latin: ',
    'latin1',
  ),
  Buffer.from([0xe9, 0xe8, 0x0d, 0x0a]),
  Buffer.from(
    'Date: Mon, 06 Mar 2023 10:00:00 +0100\r\n' +
      'Message-ID: <tricky@example-news.org>\r\n' +
      'References: <a@example.org>\r\n   <b@example.org>\r\n' +
      '\r\n' +
      'Hello Bob,\r\nsee you at the cafe.\r\n',
    'latin1',
  ),
]);

async function analysed(bytes: Buffer): Promise<AnalysedMessage> {
  return analyseMessage(bytes, { keys: new KeyIndex(), now: Date.parse('2023-04-01T00:00:00Z') / 1000 });
}

function store(messages: AnalysedMessage[]) {
  const { db } = openFixtureDb();
  const runId = startRun(db, ['dump'], {}, 'test');
  withTransaction(db, () => {
    messages.forEach((a, i) => {
      insertMessage(db, runId, a);
      addSource(db, a.sha256, runId, {
        path: `dump/${i}.eml`,
        container: null,
        mailbox: null,
        folder: 'dump',
        offset: null,
        length: a.bytes.length,
      });
    });
  });
  return db;
}

function storedJson(db: ReturnType<typeof store>, sha256: string): Record<string, unknown> {
  const row = db.prepare('SELECT parsed FROM message_content WHERE sha256 = ?').get(sha256) as { parsed: string };
  return JSON.parse(row.parsed) as Record<string, unknown>;
}

describe('the stored parse', () => {
  it('leaves out the header list and the hops’ text, and keeps the rest', async () => {
    const a = await analysed(TRICKY);
    expect(a.parsed.headers.length).toBeGreaterThan(8);
    const db = store([a]);
    const json = storedJson(db, a.sha256);
    expect(json).not.toHaveProperty('headers');
    expect(json).not.toHaveProperty('text');
    const hops = json.received as Record<string, unknown>[];
    expect(hops).toHaveLength(2);
    for (const hop of hops) expect(hop).not.toHaveProperty('raw');
    const { headers: _headers, received, text: _text, html: _html, ...rest } = a.parsed;
    expect(json).toEqual({ ...JSON.parse(JSON.stringify(rest)), received: received.map(({ raw: _raw, ...hop }) => hop) });
  });

  it('gives the message page what the analysis saw, header for header, read again from the bytes', async () => {
    const a = await analysed(TRICKY);
    const copy = await analysed(Buffer.concat([TRICKY, Buffer.from('-- \r\nsent from a phone\r\n')]));
    const db = store([a, copy]);
    const detail = getMessageDetail(db, a.sha256)!;
    expect(detail.parsed.headers).toBeUndefined();
    const { text: _text, html: _html, ...structure } = a.parsed;
    const complete = completeStructure(detail.parsed, detail.raw);
    expect(complete).toEqual(structure);
    expect(complete.headers.find((h) => h.key === 'x-latin')!.raw).toBe('X-Latin: \u00e9\u00e8');
    expect(complete.received[1]!.raw).toBe(
      'Received: from laptop.example-news.org\n by relay.example.org; Mon, 06 Mar 2023 10:00:05 +0100',
    );
    // What the page shows: every header, the hops with their text, and the other copy of the same
    // Message-ID compared header for header (its list read from its own bytes: nothing differs).
    const view = messageView(detail, { prev: null, next: null });
    expect(view.headers).toEqual(a.parsed.headers);
    expect(view.received.hops.map(({ delay: _delay, ...hop }) => hop)).toEqual([...a.parsed.received].reverse());
    expect(detail.copies).toHaveLength(1);
    expect(detail.copies[0]!.headers).toBeNull();
    expect(headersOf(detail.copies[0]!.raw)).toEqual(copy.parsed.headers);
    expect(view.copies[0]!.headersOnlyHere).toEqual([]);
    expect(view.copies[0]!.headersOnlyThere).toEqual([]);
    expect(view.copies[0]!.bodyDiffers).toBe(true);
  });

  it('gives the archive pass the analysis’s input, so facts computed from the store equal those from the analysis', async () => {
    const a = await analysed(TRICKY);
    const db = store([a]);
    const stored = readStoredCheckParts(db, a.sha256)!;
    const parsed = { ...completeStructure(stored.structure, stored.raw), text: stored.text, html: storedHtmlText(stored.html) };
    expect(parsed).toEqual(a.parsed);
    const own = { verdict: a.verdict.verdict, findings: a.findings };
    expect(collectMessageFacts({ parsed, verification: stored.verification }, { ...own, findings: stored.findings })).toEqual(
      collectMessageFacts(a, own),
    );
  });

  it('reads a record stored with the header list in its JSON as it was stored', async () => {
    const a = await analysed(TRICKY);
    const db = store([a]);
    // Such a record's list is what it was at import: it is read from the JSON, not from the bytes.
    const { text: _text, html: _html, ...structure } = a.parsed;
    const older = { ...structure, headers: structure.headers.map((h) => ({ ...h, value: `${h.value} (as stored)` })) };
    db.prepare('UPDATE message_content SET parsed = ? WHERE sha256 = ?').run(JSON.stringify(older), a.sha256);
    const detail = getMessageDetail(db, a.sha256)!;
    expect(completeStructure(detail.parsed, detail.raw)).toEqual(older);
    const stored = readStoredCheckParts(db, a.sha256)!;
    expect(completeStructure(stored.structure, stored.raw).headers).toEqual(older.headers);
  });

  it('is what an analysis worker hands over: no header list, no hop text', async () => {
    const a = await analysed(TRICKY);
    const [structure, text] = encodeMessageRows(a, a.bytes.length).content;
    const handed = JSON.parse(structure) as StoredStructure;
    expect(handed).not.toHaveProperty('headers');
    expect(handed.received.length).toBeGreaterThan(0);
    for (const hop of handed.received) expect(hop).not.toHaveProperty('raw');
    expect(text).toBe(a.parsed.text);
  });
});
