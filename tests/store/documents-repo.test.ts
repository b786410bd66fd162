// Document metadata from import to page and export: a message carrying a docx and a PDF is imported
// through the worker pool (the PDF sandbox runs inside an analysis worker), stored beside its
// attachments, listed for the archive-wide checks, shown escaped on the message page and in the export.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/database.ts';
import { importPaths } from '../../src/pipeline/run-import.ts';
import { listArchivePeople, listDocumentFacts, listMessageDocuments } from '../../src/store/documents-repo.ts';
import { iterateExportRecords } from '../../src/store/export-repo.ts';
import { buildApp } from '../../src/server/app.ts';
import { archiveDocuments } from '../../src/checks/archive-documents.ts';
import { buildDocx, buildPdf } from '../parse/document-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'lt-documents-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function part(name: string, type: string, data: Buffer): string {
  const b64 = data.toString('base64').replace(/.{76}/g, '$&\r\n');
  return [
    `--b`,
    `Content-Type: ${type}; name="${name}"`,
    `Content-Disposition: attachment; filename="${name}"`,
    'Content-Transfer-Encoding: base64',
    '',
    b64,
    '',
  ].join('\r\n');
}

function messageWith(date: string, parts: string[]): string {
  return [
    'Received: from laptop.campaign.example by mx.campaign.example; ' + date,
    'From: Jean Dupont <jean@campaign.example>',
    'To: Ann Lee <ann@campaign.example>, bo@campaign.example',
    `Date: ${date}`,
    `Message-ID: <${date.replace(/\W/g, '')}@campaign.example>`,
    'Subject: Plans',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Attached.',
    ...parts,
    '--b--',
    '',
  ].join('\r\n');
}

describe('documents-repo', () => {
  it('stores, lists, shows and exports what attached documents say about themselves', async () => {
    const docx = buildDocx(
      {
        creator: '&lt;b&gt;Ann &amp; &quot;Bo&quot;&lt;/b&gt;',
        lastModifiedBy: 'Георгий Рошка',
        created: '2017-04-20T08:00:00Z',
        modified: '2017-05-03T09:30:00Z',
        application: 'Microsoft Office Word',
        appVersion: '16.0000',
      },
      { stylesLang: 'ru-RU' },
    );
    const pdf = buildPdf({ info: { Author: 'Jean Dupont', Creator: 'Word', CreationDate: 'D:20170427100000Z' }, lang: 'fr-FR' });
    const eml = join(dir, 'mail.eml');
    writeFileSync(
      eml,
      messageWith('Fri, 28 Apr 2017 12:00:00 +0000', [
        part('plan.docx', 'application/octet-stream', docx),
        part('memo.pdf', 'application/pdf', pdf),
        part('logo.png', 'image/png', Buffer.from('89504e47', 'hex')),
      ]),
    );
    const db = openDatabase(join(dir, 'docs.sqlite'));
    await importPaths(db, [eml], { workers: 1 });
    const sha = (db.prepare('SELECT sha256 FROM messages').pluck().get() as string) ?? '';

    const docs = listMessageDocuments(db, sha);
    expect(docs.map((d) => [d.idx, d.document.format, d.document.author, d.document.lastModifiedBy, d.document.language])).toEqual([
      [0, 'docx', '<b>Ann & "Bo"</b>', 'Георгий Рошка', 'ru-RU'],
      [1, 'pdf', 'Jean Dupont', null, 'fr-FR'],
    ]);
    expect(docs[0]!.document.application).toBe('Microsoft Office Word 16.0000');

    // The per-message check saw the metadata during the import.
    const codes = db.prepare('SELECT code FROM findings WHERE sha256 = ?').pluck().all(sha);
    expect(codes).toContain('attachment-times/modified-after-message');

    const facts = listDocumentFacts(db);
    expect(facts.map((f) => [f.messageSha256, f.attachmentIndex, f.filename, f.sender, f.senderDomain, f.messageDate])).toEqual([
      [sha, 0, 'plan.docx', 'jean@campaign.example', 'campaign.example', Date.UTC(2017, 3, 28, 12) / 1000],
      [sha, 1, 'memo.pdf', 'jean@campaign.example', 'campaign.example', Date.UTC(2017, 3, 28, 12) / 1000],
    ]);
    expect(listArchivePeople(db)).toEqual(
      expect.arrayContaining([
        { name: 'Jean Dupont', address: 'jean@campaign.example', messages: 1 },
        { name: null, address: 'ann@campaign.example', messages: 1 },
        { name: null, address: 'bo@campaign.example', messages: 1 },
      ]),
    );
    // The archive module takes the store's facts as they come (the archive pass joins the two).
    expect(archiveDocuments.run({ documents: facts, people: listArchivePeople(db) })).toBeInstanceOf(Map);

    const row = [...iterateExportRecords(db, {})][0]!;
    expect(row.documents).toBe(
      'plan.docx: <b>Ann & "Bo"</b> (last saved by Георгий Рошка) / Microsoft Office Word 16.0000 / ru-RU / 2017-04-20T08:00:00Z / 2017-05-03T09:30:00Z; ' +
        'memo.pdf: Jean Dupont / Word / fr-FR / 2017-04-27T10:00:00Z / -',
    );

    const app = await buildApp({ db, secret: Buffer.alloc(32, 7), checks: null, closeDb: true });
    const page = await app.inject({ method: 'GET', url: `/messages/${sha}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<strong>What the document says about itself</strong>');
    expect(page.body).toContain('&lt;b&gt;Ann &amp; &quot;Bo&quot;&lt;/b&gt;');
    expect(page.body).not.toContain('<b>Ann');
    expect(page.body).toContain('Георгий Рошка');
    const json = (await app.inject({ method: 'GET', url: `/messages/${sha}.json` })).json() as {
      documents: { idx: number; document: { author: string } }[];
    };
    expect(json.documents.map((d) => [d.idx, d.document.author])).toEqual([
      [0, '<b>Ann & "Bo"</b>'],
      [1, 'Jean Dupont'],
    ]);
    await app.close();
  });
});
