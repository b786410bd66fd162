// Office documents and PDFs made from text for the document-metadata tests: docx/xlsx/pptx/odt
// packages zipped with fflate, PDFs written object by object (Info dictionary, catalog /Lang, XMP
// packet, encryption and cross-reference tables as each test needs), and hostile variants of both.
import { zipSync, strToU8 } from 'fflate';
import { deflateSync } from 'node:zlib';
import { writeZip } from '../../test-corpus/zip-writer.ts';

const CT = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

export interface OfficeProps {
  title?: string;
  creator?: string;
  lastModifiedBy?: string;
  created?: string;
  modified?: string;
  revision?: string;
  language?: string;
  application?: string;
  appVersion?: string;
  company?: string;
  template?: string;
}

function coreXml(p: OfficeProps): string {
  const el = (tag: string, v: string | undefined, attrs = ''): string => (v === undefined ? '' : `<${tag}${attrs}>${v}</${tag}>`);
  return (
    CT +
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    el('dc:title', p.title) +
    el('dc:creator', p.creator) +
    el('cp:lastModifiedBy', p.lastModifiedBy) +
    el('cp:revision', p.revision) +
    el('dc:language', p.language) +
    el('dcterms:created', p.created, ' xsi:type="dcterms:W3CDTF"') +
    el('dcterms:modified', p.modified, ' xsi:type="dcterms:W3CDTF"') +
    '</cp:coreProperties>'
  );
}

function appXml(p: OfficeProps): string {
  const el = (tag: string, v: string | undefined): string => (v === undefined ? '' : `<${tag}>${v}</${tag}>`);
  return (
    CT +
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">' +
    el('Template', p.template) +
    el('TotalTime', '12') +
    el('Application', p.application) +
    el('Company', p.company) +
    el('AppVersion', p.appVersion) +
    '</Properties>'
  );
}

function rels(main: string): string {
  return (
    CT +
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>' +
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>' +
    `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="${main}"/>` +
    '</Relationships>'
  );
}

const CONTENT_TYPES =
  CT +
  '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>';

export type Parts = Record<string, string | Uint8Array>;

function zipParts(parts: Parts): Buffer {
  return Buffer.from(zipSync(Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, typeof v === 'string' ? strToU8(v) : v]))));
}

/** The parts of a Word document; `extra` replaces or adds parts (hostile variants). */
export function docxParts(p: OfficeProps, opts: { stylesLang?: string; themeLang?: string } = {}): Parts {
  const w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
  return {
    '[Content_Types].xml': CONTENT_TYPES,
    '_rels/.rels': rels('word/document.xml'),
    'docProps/core.xml': coreXml(p),
    'docProps/app.xml': appXml(p),
    'word/document.xml': `${CT}<w:document ${w}><w:body><w:p><w:r><w:t>Texte</w:t></w:r></w:p></w:body></w:document>`,
    'word/styles.xml': `${CT}<w:styles ${w}><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:asciiTheme="minorHAnsi"/>${opts.stylesLang ? `<w:lang w:val="${opts.stylesLang}" w:eastAsia="en-US" w:bidi="ar-SA"/>` : ''}</w:rPr></w:rPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style></w:styles>`,
    'word/settings.xml': `${CT}<w:settings ${w}><w:zoom w:percent="100"/>${opts.themeLang ? `<w:themeFontLang w:val="${opts.themeLang}"/>` : ''}</w:settings>`,
  };
}

export function buildDocx(p: OfficeProps, opts: { stylesLang?: string; themeLang?: string } = {}, extra: Parts = {}): Buffer {
  return zipParts({ ...docxParts(p, opts), ...extra });
}

export function buildXlsx(p: OfficeProps): Buffer {
  return zipParts({
    '[Content_Types].xml': CONTENT_TYPES,
    '_rels/.rels': rels('xl/workbook.xml'),
    'docProps/core.xml': coreXml(p),
    'docProps/app.xml': appXml(p),
    'xl/workbook.xml': `${CT}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="Budget" sheetId="1"/></sheets></workbook>`,
  });
}

export function buildPptx(p: OfficeProps, lang: string): Buffer {
  return zipParts({
    '[Content_Types].xml': CONTENT_TYPES,
    '_rels/.rels': rels('ppt/presentation.xml'),
    'docProps/core.xml': coreXml(p),
    'docProps/app.xml': appXml(p),
    'ppt/presentation.xml': `${CT}<p:presentation xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><p:sldSz cx="12192000" cy="6858000"/><p:defaultTextStyle><a:defPPr><a:defRPr lang="${lang}"/></a:defPPr><a:lvl1pPr marL="0"><a:defRPr sz="1800"/></a:lvl1pPr></p:defaultTextStyle></p:presentation>`,
  });
}

export function buildOdt(meta: string): Buffer {
  // ODF wants `mimetype` first and stored; fflate stores it when told to (level 0).
  const files = {
    mimetype: [strToU8('application/vnd.oasis.opendocument.text'), { level: 0 as const }] as [Uint8Array, { level: 0 }],
    'META-INF/manifest.xml': strToU8(`${CT}<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>`),
    'meta.xml': strToU8(
      `${CT}<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.3"><office:meta>${meta}</office:meta></office:document-meta>`,
    ),
    'content.xml': strToU8(`${CT}<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>`),
  };
  return Buffer.from(zipSync(files));
}

// ---------------------------------------------------------------- hostile zips

/** A docx whose core.xml claims `declared` bytes but inflates to `actual` (a lying zip bomb). */
export function buildDocxBomb(declared: number, actual: number): Buffer {
  const parts = docxParts({ creator: 'x' });
  const entries = Object.entries(parts).map(([name, v]) => ({ name, data: Buffer.from(v as string) }));
  const bomb = Buffer.alloc(actual, 0x20);
  return writeZip(entries.map((e) => (e.name === 'docProps/core.xml' ? { name: e.name, data: bomb, declaredSize: declared } : e)));
}

/**
 * A docx whose central directory lists `copies` extra entries that all point at the local header of
 * its first (deflated) entry: the overlapping entries of the "better zip bomb".
 */
export function buildOverlappingDocx(copies: number): Buffer {
  const zip = buildDocx({ creator: 'Jean Dupont', modified: '2017-04-28T10:00:00Z' });
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const cdSize = zip.readUInt32LE(eocd + 12);
  const cdOffset = zip.readUInt32LE(eocd + 16);
  const count = zip.readUInt16LE(eocd + 10);
  const firstLen = 46 + zip.readUInt16LE(cdOffset + 28) + zip.readUInt16LE(cdOffset + 30) + zip.readUInt16LE(cdOffset + 32);
  const first = zip.subarray(cdOffset, cdOffset + firstLen);
  const extra: Buffer[] = [];
  for (let i = 0; i < copies; i++) {
    const name = Buffer.from(`bomb/${String(i).padStart(6, '0')}.xml`);
    const rec = Buffer.concat([first.subarray(0, 46), name]);
    rec.writeUInt16LE(name.length, 28);
    rec.writeUInt16LE(0, 30);
    rec.writeUInt16LE(0, 32);
    extra.push(rec);
  }
  const cd = Buffer.concat([zip.subarray(cdOffset, cdOffset + cdSize), ...extra]);
  const end = Buffer.from(zip.subarray(eocd, eocd + 22));
  end.writeUInt16LE(count + copies, 8);
  end.writeUInt16LE(count + copies, 10);
  end.writeUInt32LE(cd.length, 12);
  return Buffer.concat([zip.subarray(0, cdOffset), cd, end]);
}

export const BILLION_LAUGHS =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
  ']><cp:coreProperties xmlns:cp="c" xmlns:dc="d"><dc:creator>&lol9;</dc:creator><dc:title>A &amp; B &#1048;</dc:title></cp:coreProperties>';

export function deeplyNested(depth: number): string {
  return `<cp:coreProperties xmlns:cp="c">${'<x>'.repeat(depth)}${'</x>'.repeat(depth)}</cp:coreProperties>`;
}

// ---------------------------------------------------------------- PDFs

export interface PdfSpec {
  /** Info dictionary entries, written as PDF literal strings. */
  info?: Record<string, string>;
  lang?: string;
  /** An XMP packet for the catalog's /Metadata stream. */
  xmp?: string;
  /** Extra trailer entries (an /Encrypt dictionary, a /Prev loop). */
  trailer?: string;
  /** Extra objects, numbered after the four standard ones (catalog, pages, info, metadata). */
  objects?: string[];
}

function pdfString(s: string): string {
  if (/^[\x20-\x7e]*$/.test(s)) return `(${s.replace(/[\\()]/g, (c) => `\\${c}`)})`;
  // Anything else as UTF-16BE with a byte order mark, as PDF text strings allow.
  const b = Buffer.from(`\ufeff${s}`, 'utf16le').swap16();
  return `<${b.toString('hex')}>`;
}

/** A minimal PDF 1.7 with a classic cross-reference table; `startxref` may point anywhere (damage). */
export function buildPdf(spec: PdfSpec, opts: { startxref?: number } = {}): Buffer {
  const info = Object.entries(spec.info ?? {})
    .map(([k, v]) => `/${k} ${pdfString(v)}`)
    .join(' ');
  const xmp = spec.xmp === undefined ? null : Buffer.from(spec.xmp, 'utf8');
  const objects: Buffer[] = [
    Buffer.from(
      `<< /Type /Catalog /Pages 2 0 R${spec.lang ? ` /Lang ${pdfString(spec.lang)}` : ''}${xmp ? ' /Metadata 4 0 R' : ''} >>`,
      'latin1',
    ),
    Buffer.from('<< /Type /Pages /Kids [] /Count 0 >>', 'latin1'),
    Buffer.from(`<< ${info} >>`, 'latin1'),
    xmp
      ? Buffer.concat([
          Buffer.from(`<< /Type /Metadata /Subtype /XML /Length ${xmp.length} >>\nstream\n`, 'latin1'),
          xmp,
          Buffer.from('\nendstream'),
        ])
      : Buffer.from('null'),
    ...(spec.objects ?? []).map((o) => Buffer.from(o, 'latin1')),
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let length = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(length);
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), body, Buffer.from('\nendobj\n', 'latin1')]);
    parts.push(obj);
    length += obj.length;
  });
  const xref =
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
    offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('') +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 3 0 R ${spec.trailer ?? ''} >>\nstartxref\n${opts.startxref ?? length}\n%%EOF\n`;
  parts.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(parts);
}

/** Where the cross-reference table of a buildPdf() file starts (for a /Prev that points at itself). */
export function xrefOffset(pdf: Buffer): number {
  return pdf.lastIndexOf('xref\n');
}

/**
 * A PDF whose only cross-reference is a stream that inflates to `megabytes` MB of zeros and claims two
 * billion entries: PDF.js walks it entry by entry (30 s and 4 GB in-process for 256 MB).
 */
export function buildXrefStreamBomb(megabytes: number): Buffer {
  const raw = deflateSync(Buffer.alloc(megabytes * 1024 * 1024), { level: 9 });
  const head = Buffer.from(
    '%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n',
    'latin1',
  );
  const xref = head.length;
  return Buffer.concat([
    head,
    Buffer.from(
      `3 0 obj\n<< /Type /XRef /Size 2000000000 /W [1 4 2] /Index [0 2000000000] /Root 1 0 R /Filter /FlateDecode /Length ${raw.length} >>\nstream\n`,
      'latin1',
    ),
    raw,
    Buffer.from(`\nendstream\nendobj\nstartxref\n${xref}\n%%EOF\n`, 'latin1'),
  ]);
}

export function xmpPacket(props: string, attributes = ''): string {
  return (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>' +
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    `<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"${attributes}>${props}</rdf:Description>` +
    '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
  );
}
