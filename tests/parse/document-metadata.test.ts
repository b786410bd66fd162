// The document reader: what office documents and PDFs say about themselves, recognised by their
// bytes as well as by name and type, and hostile documents that must end as plain reasons, quickly,
// without the parsing thread's memory growing.
import { describe, expect, it } from 'vitest';
import { zipSync, strToU8 } from 'fflate';
import { spawnSync } from 'node:child_process';
import { MAX_DOCUMENT_BYTES, readDocumentMetadata, readDocumentTime } from '../../src/parse/document-metadata.ts';
import { MAX_XML_DEPTH } from '../../src/parse/xml-adapter.ts';
import { MAX_ZIP_ENTRIES, MAX_PART_BYTES } from '../../src/parse/zip-adapter.ts';
import { MESSAGE_PDF_MS, PDF_TIMEOUT_MS } from '../../src/parse/pdf-sandbox.ts';
import { parseMessage } from '../../src/parse/parse-message.ts';
import {
  BILLION_LAUGHS,
  buildDocx,
  buildDocxBomb,
  buildOdt,
  buildOverlappingDocx,
  buildPdf,
  buildPptx,
  buildXlsx,
  buildXrefStreamBomb,
  deeplyNested,
  xmpPacket,
  xrefOffset,
} from './document-fixtures.ts';

const OCTET = 'application/octet-stream';
const at = (iso: string): number => Date.parse(iso) / 1000;

describe('readDocumentMetadata: office documents', () => {
  it('reads a Word document: core and app properties, and the editing language of its styles', async () => {
    const docx = buildDocx(
      {
        title: 'Plan &amp; budget',
        creator: 'Jean Dupont',
        lastModifiedBy: 'Георгий Рошка',
        created: '2017-04-20T08:00:00Z',
        modified: '2017-04-28T10:00:00Z',
        revision: '7',
        application: 'Microsoft Office Word',
        appVersion: '16.0000',
        company: 'En Marche',
        template: 'Normal.dotm',
      },
      { stylesLang: 'ru-RU', themeLang: 'fr-FR' },
    );
    expect(await readDocumentMetadata(docx, 'plan.docx', OCTET)).toEqual({
      format: 'docx',
      title: 'Plan & budget',
      author: 'Jean Dupont',
      lastModifiedBy: 'Георгий Рошка',
      application: 'Microsoft Office Word 16.0000',
      producer: null,
      company: 'En Marche',
      language: 'ru-RU',
      created: at('2017-04-20T08:00:00Z'),
      modified: at('2017-04-28T10:00:00Z'),
      timesWithoutZone: false,
      revision: 7,
      template: 'Normal.dotm',
      problems: [],
    });
  });

  it("takes Word's theme language when the styles set none, and core dc:language before both", async () => {
    expect((await readDocumentMetadata(buildDocx({}, { themeLang: 'fr-FR' }), 'a.docx', OCTET))?.language).toBe('fr-FR');
    expect((await readDocumentMetadata(buildDocx({ language: 'de-DE' }, { stylesLang: 'ru-RU' }), 'a.docx', OCTET))?.language).toBe(
      'de-DE',
    );
    expect((await readDocumentMetadata(buildDocx({}), 'a.docx', OCTET))?.language).toBeNull();
  });

  it('recognises a package by its contents whatever its name and type', async () => {
    const docx = buildDocx({ creator: 'Ann' });
    expect((await readDocumentMetadata(docx, null, OCTET))?.format).toBe('docx');
    expect((await readDocumentMetadata(docx, 'photo.jpg', 'image/jpeg'))?.format).toBe('docx');
    const xlsx = await readDocumentMetadata(buildXlsx({ creator: 'Ann', modified: '2017-04-28T12:00:00+02:00' }), 'budget', OCTET);
    expect(xlsx).toMatchObject({ format: 'xlsx', author: 'Ann', modified: at('2017-04-28T10:00:00Z'), language: null });
    expect(await readDocumentMetadata(buildPptx({ creator: 'Bo' }, 'en-GB'), 'deck.bin', OCTET)).toMatchObject({
      format: 'pptx',
      author: 'Bo',
      language: 'en-GB',
    });
  });

  it('reads OpenDocument meta.xml, where dc:creator is the last saver and times have no zone', async () => {
    const odt = buildOdt(
      '<meta:generator>LibreOffice/7.3.7.2$Linux_X86_64</meta:generator><meta:initial-creator>Ann Lee</meta:initial-creator>' +
        '<dc:creator>Bob Ray</dc:creator><meta:creation-date>2017-04-20T10:00:00.123</meta:creation-date><dc:date>2017-04-21T10:00:00</dc:date>' +
        '<dc:language>de-DE</dc:language><meta:editing-cycles>3</meta:editing-cycles><meta:template xlink:title="Brief" xlink:href="brief.ott"/>',
    );
    expect(await readDocumentMetadata(odt, 'a.odt', OCTET)).toMatchObject({
      format: 'odt',
      author: 'Ann Lee',
      lastModifiedBy: 'Bob Ray',
      application: 'LibreOffice/7.3.7.2$Linux_X86_64',
      language: 'de-DE',
      created: at('2017-04-20T10:00:00Z'),
      modified: at('2017-04-21T10:00:00Z'),
      timesWithoutZone: true,
      revision: 3,
      template: 'Brief',
      problems: [],
    });
  });

  it('gives nothing for attachments that are not documents, and a reason for a declared one that is not', async () => {
    expect(await readDocumentMetadata(Buffer.from(zipSync({ 'a.txt': strToU8('hi') })), 'files.zip', 'application/zip')).toBeNull();
    expect(await readDocumentMetadata(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), 'photo.jpg', 'image/jpeg')).toBeNull();
    expect(await readDocumentMetadata(Buffer.from('hello'), 'notes.txt', 'text/plain')).toBeNull();
    const fake = await readDocumentMetadata(Buffer.from('hello'), 'report.docx', OCTET);
    expect(fake).toMatchObject({ format: 'docx', author: null, problems: [expect.stringContaining('not one (no zip signature)')] });
    const plainZip = await readDocumentMetadata(Buffer.from(zipSync({ 'a.txt': strToU8('hi') })), 'report.docx', OCTET);
    expect(plainZip?.problems).toEqual([expect.stringContaining('holds no Office or OpenDocument package')]);
    const ole = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(504)]);
    expect((await readDocumentMetadata(ole, 'secret.docx', OCTET))?.problems).toEqual([expect.stringContaining('password-protected')]);
    expect(await readDocumentMetadata(ole, 'old.doc', 'application/msword')).toBeNull();
  });
});

describe('readDocumentMetadata: PDF', () => {
  it('reads the Info dictionary, the catalog language and the XMP packet', async () => {
    const pdf = buildPdf({
      info: {
        Title: 'Записка',
        Author: 'Ivan Petrov',
        Creator: 'Microsoft Word 2016',
        Producer: 'Microsoft: Print To PDF',
        CreationDate: "D:20170428100000+03'00'",
        ModDate: 'D:20170501120000Z',
      },
      lang: 'ru-RU',
      xmp: xmpPacket('<dc:language><rdf:Bag><rdf:li>ru-RU</rdf:li></rdf:Bag></dc:language>'),
    });
    expect(await readDocumentMetadata(pdf, 'note.pdf', 'application/pdf')).toEqual({
      format: 'pdf',
      title: 'Записка',
      author: 'Ivan Petrov',
      lastModifiedBy: null,
      application: 'Microsoft Word 2016',
      producer: 'Microsoft: Print To PDF',
      company: null,
      language: 'ru-RU',
      created: at('2017-04-28T07:00:00Z'),
      modified: at('2017-05-01T12:00:00Z'),
      timesWithoutZone: false,
      revision: null,
      template: null,
      problems: [],
    });
  });

  it('fills from XMP what the Info dictionary leaves out, in element and attribute form', async () => {
    const pdf = buildPdf({
      xmp: xmpPacket(
        '<dc:creator><rdf:Seq><rdf:li>Ivan Petrov</rdf:li></rdf:Seq></dc:creator><dc:title><rdf:Alt><rdf:li xml:lang="x-default">Note</rdf:li></rdf:Alt></dc:title>' +
          '<dc:language><rdf:Bag><rdf:li>ru-RU</rdf:li></rdf:Bag></dc:language><xmp:ModifyDate>2017-05-01T15:00:00+03:00</xmp:ModifyDate>',
        ' xmp:CreatorTool="Acrobat PDFMaker 17" xmp:CreateDate="2017-04-28T13:00:00" pdf:Producer="Adobe PDF Library 15.0"',
      ),
    });
    expect(await readDocumentMetadata(pdf, null, OCTET)).toMatchObject({
      format: 'pdf',
      title: 'Note',
      author: 'Ivan Petrov',
      application: 'Acrobat PDFMaker 17',
      producer: 'Adobe PDF Library 15.0',
      language: 'ru-RU',
      created: at('2017-04-28T13:00:00Z'),
      modified: at('2017-05-01T12:00:00Z'),
      timesWithoutZone: true,
      problems: [],
    });
  });

  it('finds the header after leading junk, as PDF readers do, and names a declared PDF that is not one', async () => {
    const pdf = Buffer.concat([Buffer.from('junk from a mail gateway\n'), buildPdf({ info: { Author: 'Ann' } })]);
    expect((await readDocumentMetadata(pdf, 'x.bin', OCTET))?.author).toBe('Ann');
    expect((await readDocumentMetadata(Buffer.from('<html>'), 'x.pdf', 'application/pdf'))?.problems).toEqual([
      expect.stringContaining('no %PDF header'),
    ]);
  });
});

describe('readDocumentTime', () => {
  it('reads W3CDTF and PDF dates with their zones, and notes a missing zone', () => {
    const r = { zoneless: false };
    expect(readDocumentTime('2017-04-28T10:00:00Z', r)).toBe(at('2017-04-28T10:00:00Z'));
    expect(readDocumentTime('2017-04-28T10:00:00.5-05:00', r)).toBe(at('2017-04-28T15:00:00Z'));
    expect(readDocumentTime("D:20170428100000+03'00'", r)).toBe(at('2017-04-28T07:00:00Z'));
    expect(readDocumentTime("D:20170428100000Z00'00'", r)).toBe(at('2017-04-28T10:00:00Z'));
    expect(readDocumentTime('D:2017', r)).toBe(at('2017-01-01T00:00:00Z'));
    expect(r.zoneless).toBe(true); // the last one
    const z = { zoneless: false };
    expect(readDocumentTime('2017-02-31T10:00:00Z', z)).toBeNull();
    expect(readDocumentTime('D:20171328', z)).toBeNull();
    expect(readDocumentTime('0017-01-01T00:00:00Z', z)).toBeNull();
    expect(readDocumentTime('yesterday', z)).toBeNull();
    expect(readDocumentTime("D:20170428100000+15'00'", z)).toBeNull();
    expect(z.zoneless).toBe(false);
  });
});

describe('readDocumentMetadata: hostile documents end as reasons, quickly and within memory', () => {
  /** Runs a read, and says how long it took and how much the parsing thread's heap grew. */
  async function measured(bytes: Buffer, name: string, type = OCTET) {
    global.gc?.();
    const heap = process.memoryUsage().heapUsed;
    const t = performance.now();
    const meta = await readDocumentMetadata(bytes, name, type);
    return { meta, ms: performance.now() - t, heapMb: (process.memoryUsage().heapUsed - heap) / 1e6 };
  }

  it('refuses a zip bomb whose part lies about its size, and one that declares it', async () => {
    const lying = await measured(buildDocxBomb(100, 20 * 1024 * 1024), 'bomb.docx');
    expect(lying.meta?.problems).toEqual([
      expect.stringMatching(/^docProps\/core\.xml: declares 100 bytes but holds \d+ compressed bytes: its sizes lie$/),
    ]);
    expect(lying.ms).toBeLessThan(2000);
    const honest = await measured(buildDocxBomb(200 * 1024 * 1024, 1024), 'bomb.docx');
    expect(honest.meta?.problems).toEqual([`docProps/core.xml: declares ${200 * 1024 * 1024} bytes, more than the ${MAX_PART_BYTES} read`]);
    expect(honest.heapMb).toBeLessThan(50);
  });

  it('reports overlapping zip entries (the "better zip bomb") and reads the real parts only', async () => {
    const r = await measured(buildOverlappingDocx(5000), 'overlap.docx');
    expect(r.meta?.problems).toEqual([expect.stringContaining("the zip's entries overlap")]);
    expect(r.meta?.author).toBe('Jean Dupont');
    expect(r.ms).toBeLessThan(2000);
  });

  it('refuses a zip that lists more entries than any document has', async () => {
    const parts: Record<string, Uint8Array> = { '[Content_Types].xml': strToU8('<Types/>') };
    for (let i = 0; i <= MAX_ZIP_ENTRIES; i++) parts[`x/${i}`] = new Uint8Array(0);
    const r = await measured(Buffer.from(zipSync(parts, { level: 0 })), 'many.docx');
    expect(r.meta?.problems).toEqual([`the zip lists more than ${MAX_ZIP_ENTRIES} entries`]);
  });

  it('never expands entities (billion laughs) and refuses deep nesting', async () => {
    const laughs = await measured(buildDocx({}, {}, { 'docProps/core.xml': BILLION_LAUGHS }), 'laughs.docx');
    expect(laughs.meta?.author).toBe('&lol9;');
    expect(laughs.meta?.title).toBe('A & B И');
    expect(laughs.meta?.problems).toEqual([expect.stringContaining('declares a DOCTYPE')]);
    expect(laughs.ms).toBeLessThan(1000);
    const deep = await measured(buildDocx({}, {}, { 'docProps/core.xml': deeplyNested(200_000) }), 'deep.docx');
    expect(deep.meta?.problems).toEqual([`docProps/core.xml: nested more than ${MAX_XML_DEPTH} elements deep`]);
    expect(deep.ms).toBeLessThan(2000);
  });

  it('names truncated and damaged packages and PDFs', async () => {
    const docx = buildDocx({ creator: 'Ann' });
    expect((await readDocumentMetadata(docx.subarray(0, docx.length - 30), 'cut.docx', OCTET))?.problems).toEqual([
      expect.stringContaining('the zip directory cannot be read'),
    ]);
    const broken = buildDocx({ creator: 'Ann' }, {}, { 'docProps/core.xml': '<cp:coreProperties><dc:creator>Ann</cp:coreProperties>' });
    expect(await readDocumentMetadata(broken, 'broken.docx', OCTET)).toMatchObject({
      author: 'Ann',
      problems: [expect.stringContaining('docProps/core.xml: not well-formed XML, read as far as possible')],
    });
    const pdf = buildPdf({ info: { Author: 'Ann' } });
    expect((await readDocumentMetadata(pdf.subarray(0, 60), 'cut.pdf', 'application/pdf'))?.problems).toEqual([
      expect.stringContaining('not a readable PDF'),
    ]);
    // A wrong startxref is repaired by scanning the file, as every reader does.
    expect((await readDocumentMetadata(buildPdf({ info: { Author: 'Ann' } }, { startxref: 999_999 }), 'moved.pdf', OCTET))?.author).toBe(
      'Ann',
    );
  });

  it('says a password-protected PDF cannot be read, and survives an xref that points at itself', async () => {
    const encrypted = buildPdf({
      info: { Author: 'Ann' },
      objects: [`<< /Filter /Standard /V 1 /R 2 /O <${'ab'.repeat(32)}> /U <${'cd'.repeat(32)}> /P -4 >>`],
      trailer: '/Encrypt 5 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]',
    });
    expect((await readDocumentMetadata(encrypted, 'secret.pdf', 'application/pdf'))?.problems).toEqual([
      'the PDF is encrypted with a password: its metadata cannot be read without it',
    ]);
    const plain = buildPdf({ info: { Author: 'Loop' } });
    const loop = await measured(buildPdf({ info: { Author: 'Loop' }, trailer: `/Prev ${xrefOffset(plain)}` }), 'loop.pdf');
    expect(loop.meta).toMatchObject({ author: 'Loop', problems: [] });
    expect(loop.ms).toBeLessThan(2000);
  });

  it('stops a PDF whose cross-reference stream inflates to hundreds of megabytes, then reads the next PDF', async () => {
    const bomb = await measured(buildXrefStreamBomb(128), 'bomb.pdf', 'application/pdf');
    expect(bomb.meta?.problems).toEqual([
      expect.stringMatching(
        /^(reading the PDF took longer than 5 s; it was stopped|reading the PDF needed more than 256 MB of memory; it was stopped)$/,
      ),
    ]);
    expect(bomb.ms).toBeLessThan(PDF_TIMEOUT_MS + 3000);
    expect(bomb.heapMb).toBeLessThan(50); // the sandbox's memory is its own
    expect((await readDocumentMetadata(buildPdf({ info: { Author: 'Next' } }), 'next.pdf', 'application/pdf'))?.author).toBe('Next');
  });

  it("stops a PDF at the end of its message's time for PDFs, and does not open the ones after it", async () => {
    // Warm: the sandbox's start (PDF.js loading) is not what is measured.
    expect((await readDocumentMetadata(buildPdf({ info: { Author: 'Ann' } }), 'a.pdf', 'application/pdf'))?.author).toBe('Ann');
    // PDF.js reads 10 MB of backslashes in 2-3 s here (more than linear: 26 ms for a quarter).
    const slow = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(10_000_000, '\\')]);
    const until = performance.now() + 800;
    const t = performance.now();
    const cut = await readDocumentMetadata(slow, 'slow.pdf', 'application/pdf', until);
    expect(performance.now() - t).toBeLessThan(800 + 1500);
    expect(cut?.problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^reading the PDF took longer than what was left \\(0\\.\\d s\\) of the ${MESSAGE_PDF_MS / 1000} s allowed for one message's PDFs; it was stopped$`,
        ),
      ),
    ]);
    const next = await readDocumentMetadata(buildPdf({ info: { Author: 'Ben' } }), 'b.pdf', 'application/pdf', until);
    expect(next).toMatchObject({
      author: null,
      problems: [`not read: the PDFs before it in this message took the ${MESSAGE_PDF_MS / 1000} s allowed for one message's PDFs`],
    });
    // Without a deadline of its message, the next PDF is read as usual.
    expect((await readDocumentMetadata(buildPdf({ info: { Author: 'Cy' } }), 'c.pdf', 'application/pdf'))?.author).toBe('Cy');
  });

  it('does not open a document larger than the limit', async () => {
    const big = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(MAX_DOCUMENT_BYTES)]);
    expect((await readDocumentMetadata(big, 'big.pdf', 'application/pdf'))?.problems).toEqual([
      `${big.length} bytes, more than the ${MAX_DOCUMENT_BYTES} read: not read`,
    ]);
  });
});

describe('the PDF sandbox', () => {
  it('lets the process exit when idle and keeps PDF.js off stdout (regression: a piped worker stdout held the process open)', () => {
    const reader = new URL('../../src/parse/document-metadata.ts', import.meta.url).href;
    const script = `import { readDocumentMetadata } from '${reader}';
      const m = await readDocumentMetadata(Buffer.from(process.env.PDF, 'base64'), 'a.pdf', 'application/pdf');
      process.stdout.write(m.author + '|' + m.problems.length);`;
    // A wrong startxref makes PDF.js rebuild the table, with warnings that must not reach stdout.
    const pdf = buildPdf({ info: { Author: 'Ann' } }, { startxref: 999_999 });
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, PDF: pdf.toString('base64') },
      timeout: 30_000,
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('Ann|0');
  });
});

describe('parseMessage reads the documents a message carries', () => {
  it('puts each attachment’s metadata beside it, and leaves other attachments without', async () => {
    const docx = buildDocx(
      { creator: 'Jean Dupont', lastModifiedBy: 'Jean Dupont', modified: '2017-04-27T16:00:00Z', application: 'Microsoft Office Word' },
      { stylesLang: 'fr-FR' },
    );
    const pdf = buildPdf({ info: { Author: 'Ivan Petrov', CreationDate: 'D:20170428100000Z' }, lang: 'ru-RU' });
    const part = (name: string, type: string, data: Buffer): string =>
      [
        `--b`,
        `Content-Type: ${type}; name="${name}"`,
        `Content-Disposition: attachment; filename="${name}"`,
        'Content-Transfer-Encoding: base64',
        '',
        data.toString('base64').replace(/.{76}/g, '$&\r\n'),
        '',
      ].join('\r\n');
    const msg = [
      'From: Jean Dupont <jean@campaign.example>',
      'To: ann@campaign.example',
      'Date: Fri, 28 Apr 2017 12:00:00 +0200',
      'Message-ID: <m1@campaign.example>',
      'Subject: Notes',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Attached.',
      part('notes.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', docx),
      part('memo.pdf', OCTET, pdf),
      part('logo.png', 'image/png', Buffer.from('89504e470d0a1a0a0000', 'hex')),
      '--b--',
      '',
    ].join('\r\n');
    const p = await parseMessage(Buffer.from(msg));
    expect(
      p.attachments.map((a) => [a.filename, a.document?.format ?? null, a.document?.author ?? null, a.document?.language ?? null]),
    ).toEqual([
      ['notes.docx', 'docx', 'Jean Dupont', 'fr-FR'],
      ['memo.pdf', 'pdf', 'Ivan Petrov', 'ru-RU'],
      ['logo.png', null, null, null],
    ]);
    expect(p.attachments[0]!.document?.modified).toBe(at('2017-04-27T16:00:00Z'));
    expect(p.attachments[1]!.document?.created).toBe(at('2017-04-28T10:00:00Z'));
  });
});
