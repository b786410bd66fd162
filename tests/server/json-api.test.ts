// The .json twins are the model's types as the store hands them out, not table rows: what the
// analysis produced comes back field for field, and no column name (snake_case) reaches the API, so
// renaming a column changes no page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysedMessage, SourceRef } from '../../src/model.ts';
import { addSource, insertMessage } from '../../src/store/messages-repo.ts';
import { startRun } from '../../src/store/runs-repo.ts';
import { withTransaction } from '../../src/store/transaction.ts';
import { analyse, finding } from '../helpers/fixture-db.ts';
import { PDF_BYTES } from '../helpers/review-corpus.ts';
import { seededApp, type TestApp } from './app-helpers.ts';

let t: TestApp;
let a: AnalysedMessage;
let runId: number;
const source: SourceRef = {
  path: 'dump.zip!/inbox.mbox#512',
  container: 'dump.zip',
  mailbox: 'inbox.mbox',
  folder: null,
  offset: 512,
  length: 0,
};

beforeAll(async () => {
  t = await seededApp();
  a = analyse({
    subject: 'Round trip',
    messageId: '<round-trip@example-news.org>',
    received: [
      { from: 'relay.example.org', by: 'mx.example.org', time: 'Mon, 06 Mar 2023 10:02:30 +0000' },
      { from: 'sender.example-news.org', by: 'relay.example.org', time: 'Mon, 06 Mar 2023 10:00:05 +0100' },
    ],
    attachments: [{ filename: 'plan.pdf', contentType: 'application/pdf', content: PDF_BYTES }],
    signatures: [{ problem: null }, { index: 1, result: 'neutral', problem: 'no-key', keySource: null, keyBits: null, aligned: false }],
    findings: [finding('dkim/pass', 'info'), finding('dkim/key-unknown', 'weak')],
    verdict: 'verified',
  });
  runId = startRun(t.db, ['dump.zip'], {}, 'test');
  withTransaction(t.db, () => {
    insertMessage(t.db, runId, a);
    addSource(t.db, a.sha256, runId, { ...source, length: a.bytes.length });
  });
});
afterAll(() => t.app.close());

describe('the message .json', () => {
  it('gives back what the analysis produced, field for field', async () => {
    const v = (await t.app.inject(`/messages/${a.sha256}.json`)).json();
    expect(v.signatures).toEqual(a.verification.signatures);
    expect(v.findings).toEqual(a.findings);
    expect(v.arc).toEqual(a.verification.arc);
    expect(v.headers).toEqual(a.parsed.headers);
    expect(v.to).toEqual(a.parsed.to);
    expect(v.attachments).toEqual(a.parsed.attachments.map(({ document: _document, ...x }, index) => ({ ...x, index })));
    // Mailbox and role are the archive pass's, which this fixture did not run.
    expect(v.sources).toEqual([{ ...source, length: a.bytes.length, runId, mailboxKey: null, role: null }]);
    expect(v.received.hops.map(({ delay: _delay, ...hop }: { delay: number }) => hop)).toEqual([...a.parsed.received].reverse());
    expect(v.message).toMatchObject({
      sha256: a.sha256,
      messageId: a.parsed.messageId,
      dateEpoch: a.parsed.dateEpoch,
      asOf: a.verification.asOf,
      asOfSource: a.verification.asOfSource,
      verdict: a.verdict.verdict,
      summary: a.verdict.summary,
      reasons: a.verdict.reasons,
      hasHtml: false,
    });
  });
});

/** Keys that are data (verdicts, results, query parameters, a check's own evidence), not field names. */
const DATA_MAPS = new Set(['evidence', 'filters', 'options', 'usage', 'machine', 'final', 'verdicts']);

function snakeKeys(v: unknown, path: string, out: string[]): string[] {
  if (Array.isArray(v)) v.forEach((x, i) => snakeKeys(x, `${path}[${i}]`, out));
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (!/^[a-z][a-zA-Z0-9]*$/.test(k)) out.push(`${path}.${k}`);
      if (!DATA_MAPS.has(k)) snakeKeys(x, `${path}.${k}`, out);
    }
  }
  return out;
}

describe('every .json page', () => {
  it('names its fields in camelCase: no column name leaks into the API', async () => {
    const pages = [
      '/.json',
      '/messages.json',
      '/messages.json?reviewed=no&_size=2',
      `/messages/${t.ids.verified}.json`,
      `/messages/${t.ids.copyA}.json`,
      `/messages/${a.sha256}.json`,
      `/messages/${t.ids.copyA}/thread.json`,
      '/-/keys.json',
      '/-/imports.json',
      '/-/checks.json',
    ];
    for (const url of pages) {
      const res = await t.app.inject(url);
      expect(res.statusCode, url).toBe(200);
      expect(snakeKeys(res.json(), url, []), url).toEqual([]);
    }
  });
});
