import { describe, expect, it } from 'vitest';
import { check, DOCUMENT_TIME_TOLERANCE_SECONDS } from '../../src/checks/attachment-times.ts';
import { runChecks } from '../../src/checks/index.ts';
import type { AttachmentInfo, CheckInput, DocumentMetadata } from '../../src/model.ts';
import { codesOf, message, received } from './fixtures.ts';
import { emptyMetadata } from '../../src/parse/document-metadata.ts';

const at = (iso: string): number => Date.parse(iso) / 1000;

function doc(fields: Partial<DocumentMetadata>): DocumentMetadata {
  return {
    ...emptyMetadata('docx'),
    author: 'Jean Dupont',
    lastModifiedBy: 'Jean Dupont',
    application: 'Microsoft Office Word',
    language: 'fr-FR',
    ...fields,
  };
}

function attachment(filename: string, document: DocumentMetadata | null): AttachmentInfo {
  return {
    filename,
    contentType: 'application/octet-stream',
    size: 1000,
    sha256: 'c'.repeat(64),
    disposition: 'attachment',
    contentId: null,
    document,
  };
}

/** A message dated 28 April 2017 12:00 UTC, received by the first server five seconds later. */
async function carrying(attachments: AttachmentInfo[], headers: string[] = []): Promise<CheckInput> {
  const input = await message({
    headers: headers.length
      ? headers
      : [
          received('mx.campaign.example', 'Fri, 28 Apr 2017 12:00:05 +0000', 'laptop.campaign.example'),
          'From: jean@campaign.example',
          'Date: Fri, 28 Apr 2017 14:00:00 +0200',
        ],
  });
  input.parsed.attachments = attachments;
  return input;
}

describe('attachment-times', () => {
  it('accepts documents saved before the message, and attachments that are no documents', async () => {
    const input = await carrying([
      attachment('notes.docx', doc({ created: at('2017-04-20T08:00:00Z'), modified: at('2017-04-28T11:55:00Z') })),
      attachment('logo.png', null),
      attachment('blank.pdf', doc({ format: 'pdf' })),
    ]);
    expect(check.run(input)).toEqual([]);
  });

  it('reports a document modified after the message was sent, naming the times compared', async () => {
    const findings = check.run(
      await carrying([attachment('plan.docx', doc({ created: at('2017-04-20T08:00:00Z'), modified: at('2017-05-03T09:30:00Z') }))]),
    );
    expect(codesOf(findings)).toEqual(['attachment-times/modified-after-message']);
    expect(findings[0]!.detail).toBe(
      'The attached "plan.docx" says it was last modified at 2017-05-03T09:30:00Z, 4 days 21 hours after this message was sent (its Date says 2017-04-28T12:00:00Z; the first server, mx.campaign.example, received it at 2017-04-28T12:00:05Z).',
    );
    expect(findings[0]!.evidence).toMatchObject({
      attachment: 0,
      filename: 'plan.docx',
      secondsAfter: at('2017-05-03T09:30:00Z') - at('2017-04-28T12:00:05Z'),
    });
  });

  it('says created when the document did not even exist yet', async () => {
    const findings = check.run(
      await carrying([attachment('plan.docx', doc({ created: at('2017-05-02T08:00:00Z'), modified: at('2017-05-03T09:30:00Z') }))]),
    );
    expect(codesOf(findings)).toEqual(['attachment-times/created-after-message']);
  });

  it('forgives a zone written wrong (up to 14 hours) and clock skew, not more', async () => {
    const sent = at('2017-04-28T12:00:05Z');
    expect(
      check.run(await carrying([attachment('a.pdf', doc({ modified: sent + DOCUMENT_TIME_TOLERANCE_SECONDS, timesWithoutZone: true }))])),
    ).toEqual([]);
    expect(
      codesOf(check.run(await carrying([attachment('a.pdf', doc({ modified: sent + DOCUMENT_TIME_TOLERANCE_SECONDS + 60 }))]))),
    ).toEqual(['attachment-times/modified-after-message']);
  });

  it('compares with the later of Date and the first Received stamp, so a wrong Date alone flags nothing', async () => {
    // The sender's clock was a week slow; the server stamp says when the message existed.
    const headers = [
      received('mx.campaign.example', 'Fri, 28 Apr 2017 12:00:05 +0000'),
      'From: jean@campaign.example',
      'Date: Fri, 21 Apr 2017 12:00:00 +0000',
    ];
    expect(check.run(await carrying([attachment('a.docx', doc({ modified: at('2017-04-25T10:00:00Z') }))], headers))).toEqual([]);
    // A sent copy has no Received hop: its Date is all there is.
    const sentCopy = ['From: jean@campaign.example', 'Date: Fri, 28 Apr 2017 12:00:00 +0000'];
    expect(codesOf(check.run(await carrying([attachment('a.docx', doc({ modified: at('2017-04-30T10:00:00Z') }))], sentCopy)))).toEqual([
      'attachment-times/modified-after-message',
    ]);
    expect(
      check.run(await carrying([attachment('a.docx', doc({ modified: at('2030-01-01T00:00:00Z') }))], ['From: jean@campaign.example'])),
    ).toEqual([]);
  });

  it('accepts a document edited later and sent again in a later message', async () => {
    const later = ['From: jean@campaign.example', 'Date: Mon, 15 May 2017 09:00:00 +0000'];
    expect(
      check.run(
        await carrying(
          [attachment('plan-v2.docx', doc({ created: at('2017-04-20T08:00:00Z'), modified: at('2017-05-03T09:30:00Z') }))],
          later,
        ),
      ),
    ).toEqual([]);
  });

  it('runs in the registry with the other per-message checks', async () => {
    const codes = codesOf(runChecks(await carrying([attachment('plan.docx', doc({ modified: at('2017-06-01T00:00:00Z') }))])));
    expect(codes).toContain('attachment-times/modified-after-message');
  });
});
