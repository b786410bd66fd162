// Attachments as offices make them: Word, Excel and PowerPoint files (OOXML zips with docProps
// core.xml/app.xml and the editing language in the content) and PDFs (Info dictionary and XMP),
// whose own metadata says who made them, with what, in which language and when. pdf-lib writes the
// PDFs; the repository's deterministic zip writer (UTC times, fixed deflate level) writes the OOXML
// packages, so a seed gives the same bytes on every machine.
import { PDFDict, PDFDocument, PDFName, PDFString, StandardFonts } from 'pdf-lib';
import { writeZip, type ZipEntry } from '../zip-writer.ts';
import { compactUtc, formatOffset, offsetMinutes, wallClock, type ZoneId } from './clock.ts';
import { escapeHtml } from './mime.ts';

export type DocKind = 'docx' | 'xlsx' | 'pptx' | 'pdf';

export interface DocMeta {
  title: string;
  creator: string;
  lastModifiedBy: string;
  created: number;
  modified: number;
  /** Where the editor's clock ran (PDF dates carry the local offset). */
  zone: ZoneId;
  /** BCP 47 editing language, e.g. en-GB, ru-RU. */
  language: string;
  company: string;
  /** The program: 'office' (Microsoft 365 apps), 'libreoffice', 'scanner'. */
  application: 'office' | 'libreoffice' | 'scanner';
  revision: number;
  /** Minutes of editing that Office counts. */
  totalTime: number;
  /** Stable id of the document across versions (PDF XMP DocumentID, OOXML nothing). */
  documentId: string;
}

export interface DocSpec {
  kind: DocKind;
  filename: string;
  meta: DocMeta;
  paragraphs: string[];
}

export const CONTENT_TYPES: Record<DocKind, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  pdf: 'application/pdf',
};

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n';
/** Office writes every part of a package with this DOS time (1980-01-01 00:00). */
const OFFICE_ZIP_TIME = new Date(Date.UTC(1980, 0, 1, 0, 0, 0));

const isoSeconds = (at: number): string => `${new Date(at).toISOString().slice(0, 19)}Z`;

function coreXml(meta: DocMeta, withLanguage: boolean): string {
  return (
    XML_HEAD +
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<dc:title>${escapeHtml(meta.title)}</dc:title>` +
    `<dc:creator>${escapeHtml(meta.creator)}</dc:creator>` +
    `<cp:lastModifiedBy>${escapeHtml(meta.lastModifiedBy)}</cp:lastModifiedBy>` +
    `<cp:revision>${meta.revision}</cp:revision>` +
    `<dcterms:created xsi:type="dcterms:W3CDTF">${isoSeconds(meta.created)}</dcterms:created>` +
    `<dcterms:modified xsi:type="dcterms:W3CDTF">${isoSeconds(meta.modified)}</dcterms:modified>` +
    (withLanguage ? `<dc:language>${meta.language}</dc:language>` : '') +
    '</cp:coreProperties>'
  );
}

const APP_NAMES: Record<Exclude<DocKind, 'pdf'>, string> = {
  docx: 'Microsoft Office Word',
  xlsx: 'Microsoft Excel',
  pptx: 'Microsoft Office PowerPoint',
};

function appXml(kind: Exclude<DocKind, 'pdf'>, meta: DocMeta, words: number): string {
  const libre = meta.application === 'libreoffice';
  const application = libre
    ? 'LibreOffice/7.6.4.1$Windows_X86_64 LibreOffice_project/e19e193f88cd6c0525a17fb7a176ed8e6a3e2aa1'
    : APP_NAMES[kind];
  const parts = [
    kind === 'docx' && !libre ? '<Template>Normal.dotm</Template>' : '',
    `<TotalTime>${meta.totalTime}</TotalTime>`,
    kind === 'docx'
      ? `<Pages>${Math.max(1, Math.ceil(words / 350))}</Pages><Words>${words}</Words><Characters>${words * 6}</Characters>`
      : '',
    kind === 'pptx' ? `<Words>${words}</Words><PresentationFormat>Widescreen</PresentationFormat><Slides>2</Slides>` : '',
    `<Application>${application}</Application>`,
    '<DocSecurity>0</DocSecurity>',
    kind === 'docx' ? `<Lines>${Math.ceil(words / 12)}</Lines><Paragraphs>${Math.ceil(words / 60)}</Paragraphs>` : '',
    '<ScaleCrop>false</ScaleCrop>',
    meta.company ? `<Company>${escapeHtml(meta.company)}</Company>` : '<Company></Company>',
    '<LinksUpToDate>false</LinksUpToDate>',
    '<SharedDoc>false</SharedDoc>',
    '<HyperlinksChanged>false</HyperlinksChanged>',
    libre ? '' : '<AppVersion>16.0000</AppVersion>',
  ];
  return (
    XML_HEAD +
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">' +
    parts.join('') +
    '</Properties>'
  );
}

const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';

function rootRels(main: string, mainType = `${REL}/officeDocument`): string {
  return (
    XML_HEAD +
    `<Relationships xmlns="${PKG_REL}">` +
    `<Relationship Id="rId3" Type="${REL}/extended-properties" Target="docProps/app.xml"/>` +
    `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
    `<Relationship Id="rId1" Type="${mainType}" Target="${main}"/>` +
    '</Relationships>'
  );
}

function contentTypes(overrides: [string, string][]): string {
  return (
    XML_HEAD +
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    overrides.map(([part, type]) => `<Override PartName="${part}" ContentType="${type}"/>`).join('') +
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>' +
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>' +
    '</Types>'
  );
}

function pack(files: [string, string][]): Buffer {
  const entries: ZipEntry[] = files.map(([name, text]) => ({ name, data: Buffer.from(text, 'utf8'), modifiedAt: OFFICE_ZIP_TIME }));
  return writeZip(entries);
}

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';

function buildDocx(spec: DocSpec): Buffer {
  const lang = spec.meta.language;
  const run = (text: string, bold = false): string =>
    `<w:r><w:rPr>${bold ? '<w:b/>' : ''}<w:lang w:val="${lang}"/></w:rPr><w:t xml:space="preserve">${escapeHtml(text)}</w:t></w:r>`;
  const body =
    `<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr>${run(spec.meta.title, true)}</w:p>` +
    spec.paragraphs.map((p) => `<w:p>${run(p)}</w:p>`).join('') +
    '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr>';
  const words = spec.paragraphs.join(' ').split(/\s+/).length;
  return pack([
    [
      '[Content_Types].xml',
      contentTypes([
        ['/word/document.xml', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml'],
        ['/word/styles.xml', 'application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml'],
      ]),
    ],
    ['_rels/.rels', rootRels('word/document.xml')],
    ['word/document.xml', `${XML_HEAD}<w:document xmlns:w="${W}" xmlns:r="${REL}"><w:body>${body}</w:body></w:document>`],
    [
      'word/_rels/document.xml.rels',
      `${XML_HEAD}<Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/styles" Target="styles.xml"/></Relationships>`,
    ],
    [
      'word/styles.xml',
      `${XML_HEAD}<w:styles xmlns:w="${W}"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:asciiTheme="minorHAnsi" w:hAnsiTheme="minorHAnsi"/><w:sz w:val="22"/><w:lang w:val="${lang}" w:eastAsia="en-US" w:bidi="ar-SA"/></w:rPr></w:rPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/></w:style></w:styles>`,
    ],
    ['docProps/core.xml', coreXml(spec.meta, spec.meta.application === 'libreoffice')],
    ['docProps/app.xml', appXml('docx', spec.meta, words)],
  ]);
}

function buildXlsx(spec: DocSpec): Buffer {
  const S = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
  const rows = spec.paragraphs
    .map((p, i) => {
      const amount = 1000 + ((p.length * 7919) % 90000);
      return `<row r="${i + 2}"><c r="A${i + 2}" t="inlineStr"><is><t>${escapeHtml(p.slice(0, 60))}</t></is></c><c r="B${i + 2}"><v>${amount}</v></c></row>`;
    })
    .join('');
  const sheet = `${XML_HEAD}<worksheet xmlns="${S}" xmlns:r="${REL}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>${escapeHtml(spec.meta.title)}</t></is></c></row>${rows}</sheetData></worksheet>`;
  return pack([
    [
      '[Content_Types].xml',
      contentTypes([
        ['/xl/workbook.xml', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml'],
        ['/xl/worksheets/sheet1.xml', 'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml'],
      ]),
    ],
    ['_rels/.rels', rootRels('xl/workbook.xml')],
    [
      'xl/workbook.xml',
      `${XML_HEAD}<workbook xmlns="${S}" xmlns:r="${REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ],
    [
      'xl/_rels/workbook.xml.rels',
      `${XML_HEAD}<Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    ],
    ['xl/worksheets/sheet1.xml', sheet],
    ['docProps/core.xml', coreXml(spec.meta, spec.meta.application === 'libreoffice')],
    ['docProps/app.xml', appXml('xlsx', spec.meta, 0)],
  ]);
}

function buildPptx(spec: DocSpec): Buffer {
  const P = 'http://schemas.openxmlformats.org/presentationml/2006/main';
  const A = 'http://schemas.openxmlformats.org/drawingml/2006/main';
  const lang = spec.meta.language;
  const shape = (id: number, text: string): string =>
    `<p:sp><p:nvSpPr><p:cNvPr id="${id}" name="Text ${id}"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:p><a:r><a:rPr lang="${lang}" dirty="0"/><a:t>${escapeHtml(text)}</a:t></a:r></a:p></p:txBody></p:sp>`;
  const slide = (texts: string[]): string =>
    `${XML_HEAD}<p:sld xmlns:a="${A}" xmlns:r="${REL}" xmlns:p="${P}"><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>${texts.map((x, i) => shape(i + 2, x)).join('')}</p:spTree></p:cSld></p:sld>`;
  const slideRels = `${XML_HEAD}<Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/slideLayout" Target="../slideLayouts/slideLayout1.xml"/></Relationships>`;
  const words = spec.paragraphs.join(' ').split(/\s+/).length;
  return pack([
    [
      '[Content_Types].xml',
      contentTypes([
        ['/ppt/presentation.xml', 'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml'],
        ['/ppt/slides/slide1.xml', 'application/vnd.openxmlformats-officedocument.presentationml.slide+xml'],
        ['/ppt/slides/slide2.xml', 'application/vnd.openxmlformats-officedocument.presentationml.slide+xml'],
        ['/ppt/slideLayouts/slideLayout1.xml', 'application/vnd.openxmlformats-officedocument.presentationml.slideLayout+xml'],
        ['/ppt/slideMasters/slideMaster1.xml', 'application/vnd.openxmlformats-officedocument.presentationml.slideMaster+xml'],
        ['/ppt/theme/theme1.xml', 'application/vnd.openxmlformats-officedocument.theme+xml'],
      ]),
    ],
    ['_rels/.rels', rootRels('ppt/presentation.xml')],
    [
      'ppt/presentation.xml',
      `${XML_HEAD}<p:presentation xmlns:a="${A}" xmlns:r="${REL}" xmlns:p="${P}"><p:sldMasterIdLst><p:sldMasterId id="2147483648" r:id="rId1"/></p:sldMasterIdLst><p:sldIdLst><p:sldId id="256" r:id="rId2"/><p:sldId id="257" r:id="rId3"/></p:sldIdLst><p:sldSz cx="12192000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/><p:defaultTextStyle><a:lvl1pPr><a:defRPr lang="${lang}"/></a:lvl1pPr></p:defaultTextStyle></p:presentation>`,
    ],
    [
      'ppt/_rels/presentation.xml.rels',
      `${XML_HEAD}<Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/slideMaster" Target="slideMasters/slideMaster1.xml"/><Relationship Id="rId2" Type="${REL}/slide" Target="slides/slide1.xml"/><Relationship Id="rId3" Type="${REL}/slide" Target="slides/slide2.xml"/><Relationship Id="rId4" Type="${REL}/theme" Target="theme/theme1.xml"/></Relationships>`,
    ],
    ['ppt/slides/slide1.xml', slide([spec.meta.title, spec.paragraphs[0] ?? ''])],
    ['ppt/slides/_rels/slide1.xml.rels', slideRels],
    ['ppt/slides/slide2.xml', slide(spec.paragraphs.slice(1, 4))],
    ['ppt/slides/_rels/slide2.xml.rels', slideRels],
    [
      'ppt/slideLayouts/slideLayout1.xml',
      `${XML_HEAD}<p:sldLayout xmlns:a="${A}" xmlns:r="${REL}" xmlns:p="${P}" type="title"><p:cSld name="Title Slide"><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/></p:spTree></p:cSld></p:sldLayout>`,
    ],
    [
      'ppt/slideLayouts/_rels/slideLayout1.xml.rels',
      `${XML_HEAD}<Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/slideMaster" Target="../slideMasters/slideMaster1.xml"/></Relationships>`,
    ],
    [
      'ppt/slideMasters/slideMaster1.xml',
      `${XML_HEAD}<p:sldMaster xmlns:a="${A}" xmlns:r="${REL}" xmlns:p="${P}"><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/></p:spTree></p:cSld><p:sldLayoutIdLst><p:sldLayoutId id="2147483649" r:id="rId1"/></p:sldLayoutIdLst></p:sldMaster>`,
    ],
    [
      'ppt/slideMasters/_rels/slideMaster1.xml.rels',
      `${XML_HEAD}<Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/slideLayout" Target="../slideLayouts/slideLayout1.xml"/><Relationship Id="rId2" Type="${REL}/theme" Target="../theme/theme1.xml"/></Relationships>`,
    ],
    [
      'ppt/theme/theme1.xml',
      `${XML_HEAD}<a:theme xmlns:a="${A}" name="Office Theme"><a:themeElements><a:clrScheme name="Office"><a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1><a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1></a:clrScheme><a:fontScheme name="Office"><a:majorFont><a:latin typeface="Calibri Light"/></a:majorFont><a:minorFont><a:latin typeface="Calibri"/></a:minorFont></a:fontScheme></a:themeElements></a:theme>`,
    ],
    ['docProps/core.xml', coreXml(spec.meta, spec.meta.application === 'libreoffice')],
    ['docProps/app.xml', appXml('pptx', spec.meta, words)],
  ]);
}

/** `D:20240102110000+01'00'`, the PDF date form with the writer's local offset. */
function pdfDate(at: number, zone: ZoneId): string {
  const offset = formatOffset(offsetMinutes(zone, at));
  return `D:${compactUtc(wallClock(at, zone).getTime())}${offset.slice(0, 3)}'${offset.slice(3)}'`;
}

function xmpIso(at: number, zone: ZoneId): string {
  const w = wallClock(at, zone);
  return `${w.toISOString().slice(0, 19)}${formatOffset(offsetMinutes(zone, at), true)}`;
}

const PDF_TOOLS: Record<DocMeta['application'], { creator: string; producer: string }> = {
  office: { creator: 'Microsoft® Word for Microsoft 365', producer: 'Microsoft® Word for Microsoft 365' },
  libreoffice: { creator: 'Writer', producer: 'LibreOffice 7.6' },
  scanner: { creator: 'MFP-C3530 Scan', producer: 'MFP-C3530 PDF Converter 2.4' },
};

/** Text pdf-lib's standard fonts can draw (WinAnsi): anything else becomes '?'. */
function winAnsi(text: string): string {
  return text.replace(/[^\x20-\x7e\u00a0-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u20ac\u0152\u0153]/g, '?');
}

async function buildPdf(spec: DocSpec): Promise<Buffer> {
  const { meta } = spec;
  const doc = await PDFDocument.create({ updateMetadata: false });
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595.28, 841.89]);
  let y = 780;
  page.drawText(winAnsi(meta.title), { x: 56, y, size: 16, font });
  for (const paragraph of spec.paragraphs) {
    y -= 28;
    page.drawText(winAnsi(paragraph.slice(0, 95)), { x: 56, y, size: 10, font });
  }
  const tool = PDF_TOOLS[meta.application];
  if (meta.application !== 'scanner') {
    doc.setTitle(meta.title);
    doc.setAuthor(meta.creator);
  }
  doc.setCreator(tool.creator);
  doc.setProducer(tool.producer);
  doc.setLanguage(meta.language);
  const info = doc.context.lookup(doc.context.trailerInfo.Info, PDFDict);
  info.set(PDFName.of('CreationDate'), PDFString.of(pdfDate(meta.created, meta.zone)));
  info.set(PDFName.of('ModDate'), PDFString.of(pdfDate(meta.modified, meta.zone)));
  const xmp = [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">',
    `<pdf:Producer>${escapeHtml(tool.producer)}</pdf:Producer>`,
    `<xmp:CreatorTool>${escapeHtml(tool.creator)}</xmp:CreatorTool>`,
    `<xmp:CreateDate>${xmpIso(meta.created, meta.zone)}</xmp:CreateDate>`,
    `<xmp:ModifyDate>${xmpIso(meta.modified, meta.zone)}</xmp:ModifyDate>`,
    meta.application === 'scanner' ? '' : `<dc:creator><rdf:Seq><rdf:li>${escapeHtml(meta.creator)}</rdf:li></rdf:Seq></dc:creator>`,
    meta.application === 'scanner'
      ? ''
      : `<dc:title><rdf:Alt><rdf:li xml:lang="x-default">${escapeHtml(meta.title)}</rdf:li></rdf:Alt></dc:title>`,
    `<dc:language><rdf:Bag><rdf:li>${meta.language}</rdf:li></rdf:Bag></dc:language>`,
    `<xmpMM:DocumentID>uuid:${meta.documentId}</xmpMM:DocumentID>`,
    '</rdf:Description></rdf:RDF></x:xmpmeta>',
    '<?xpacket end="w"?>',
  ].join('\n');
  const stream = doc.context.stream(Buffer.from(xmp, 'utf8'), { Type: 'Metadata', Subtype: 'XML' });
  doc.catalog.set(PDFName.of('Metadata'), doc.context.register(stream));
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

export async function buildDocument(spec: DocSpec): Promise<Buffer> {
  switch (spec.kind) {
    case 'docx':
      return buildDocx(spec);
    case 'xlsx':
      return buildXlsx(spec);
    case 'pptx':
      return buildPptx(spec);
    case 'pdf':
      return buildPdf(spec);
  }
}
