// What an attached document says about itself: who wrote it, with which program, in which language,
// and when. Planted documents give themselves away here (MacronLeaks, 2017: the forged files carried
// their Russian-language editor's name and settings). Office Open XML (docx/xlsx/pptx) and
// OpenDocument are zip packages with small metadata parts; PDFs keep an Info dictionary and an XMP
// packet. Everything is read from the decoded attachment in memory, never from disk, within limits;
// what cannot be read is a plain reason in `problems`, never a throw.
import type { DocumentMetadata } from '../model.ts';
import { listZipEntries, newReadBudget, readZipParts, type ReadBudget, type ZipEntry } from './zip-adapter.ts';
import { parseXml, type XmlElement } from './xml-adapter.ts';
import { readPdfInSandbox, type PdfFields } from './pdf-sandbox.ts';

/**
 * Largest attachment read. Mainstream providers cap a message at 20-25 MB (Gmail 25, Outlook.com 20),
 * which after base64 leaves under 19 MB of document; a larger one did not come through such a
 * service, and reading it would only buy a hostile sender more of our time and memory.
 */
export const MAX_DOCUMENT_BYTES = 25 * 1024 * 1024;

/** Longest text field kept (a title, an author). Real ones are a line; a megabyte "author" is junk. */
export const MAX_FIELD_CHARS = 500;

type Format = DocumentMetadata['format'];

const BY_EXTENSION: Record<string, Format> = {
  pdf: 'pdf',
  docx: 'docx',
  docm: 'docx',
  dotx: 'docx',
  dotm: 'docx',
  xlsx: 'xlsx',
  xlsm: 'xlsx',
  xltx: 'xlsx',
  xltm: 'xlsx',
  pptx: 'pptx',
  pptm: 'pptx',
  potx: 'pptx',
  ppsx: 'pptx',
  odt: 'odt',
  ott: 'odt',
  ods: 'ods',
  ots: 'ods',
  odp: 'odp',
  otp: 'odp',
};

const BY_TYPE: [RegExp, Format][] = [
  [/^application\/(x-)?pdf$/, 'pdf'],
  [/^application\/vnd\.openxmlformats-officedocument\.wordprocessingml\./, 'docx'],
  [/^application\/vnd\.openxmlformats-officedocument\.spreadsheetml\./, 'xlsx'],
  [/^application\/vnd\.openxmlformats-officedocument\.presentationml\./, 'pptx'],
  [/^application\/vnd\.ms-word\.(document|template)\.macroenabled/, 'docx'],
  [/^application\/vnd\.ms-excel\.(sheet|template)\.macroenabled/, 'xlsx'],
  [/^application\/vnd\.ms-powerpoint\.(presentation|slideshow|template)\.macroenabled/, 'pptx'],
  [/^application\/vnd\.oasis\.opendocument\.text/, 'odt'],
  [/^application\/vnd\.oasis\.opendocument\.spreadsheet/, 'ods'],
  [/^application\/vnd\.oasis\.opendocument\.presentation/, 'odp'],
];

const ODF_TYPES: Record<string, Format> = {
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.text-template': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/vnd.oasis.opendocument.spreadsheet-template': 'ods',
  'application/vnd.oasis.opendocument.presentation': 'odp',
  'application/vnd.oasis.opendocument.presentation-template': 'odp',
};

/** The format the attachment's name or declared type claims, if any. */
function declaredFormat(filename: string | null, contentType: string): Format | null {
  const ext = /\.([a-z0-9]{2,5})$/i.exec(filename ?? '')?.[1]?.toLowerCase();
  const byName = ext ? BY_EXTENSION[ext] : undefined;
  if (byName) return byName;
  const type = contentType.toLowerCase().trim();
  return BY_TYPE.find(([re]) => re.test(type))?.[1] ?? null;
}

/** PDF readers accept the header anywhere in the first kilobyte (junk before it is common). */
function looksLikePdf(b: Buffer): boolean {
  return b.subarray(0, 1024).includes('%PDF-');
}

function looksLikeZip(b: Buffer): boolean {
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && ((b[2] === 3 && b[3] === 4) || (b[2] === 5 && b[3] === 6));
}

/** OLE2 compound file: legacy .doc/.xls/.ppt, and the wrapper Office puts around a password-protected docx. */
function looksLikeOle(b: Buffer): boolean {
  return b.length >= 8 && b.readUInt32BE(0) === 0xd0cf11e0 && b.readUInt32BE(4) === 0xa1b11ae1;
}

/** A document of this format that says nothing about itself (every field null), with these problems. */
export function emptyMetadata(format: Format, problems: string[] = []): DocumentMetadata {
  return {
    format,
    title: null,
    author: null,
    lastModifiedBy: null,
    application: null,
    producer: null,
    company: null,
    language: null,
    created: null,
    modified: null,
    timesWithoutZone: false,
    revision: null,
    template: null,
    problems,
  };
}

/** How much of an attachment's decoded start `mayBeDocument` looks at: PDF readers accept the header anywhere in it. */
export const DOCUMENT_SNIFF_BYTES = 1024;

/**
 * Whether readDocumentMetadata may find a document in an attachment whose decoded content starts
 * with `head` (at least DOCUMENT_SNIFF_BYTES of it, or all): the parser decodes an attachment whole
 * only then. An ordinary zip counts (its package tells), an image or a text file does not.
 */
export function mayBeDocument(head: Buffer, filename: string | null, contentType: string): boolean {
  return declaredFormat(filename, contentType) !== null || looksLikePdf(head) || looksLikeZip(head);
}

/**
 * The record of a document too large to read (MAX_DOCUMENT_BYTES), from its size and first bytes
 * alone, so that the parser need not decode it; null when it would not be read as a document anyway.
 */
export function describeUnreadDocument(size: number, head: Buffer, filename: string | null, contentType: string): DocumentMetadata | null {
  const format = looksLikePdf(head) ? 'pdf' : declaredFormat(filename, contentType);
  if (format === null) return null; // a large zip of unknown kind is not worth opening to find out
  return emptyMetadata(format, [`${size} bytes, more than the ${MAX_DOCUMENT_BYTES} read: not read`]);
}

/**
 * The document's own metadata, or null when the attachment is not an office document or PDF (by its
 * bytes, its name and its declared type). A document that is declared but cannot be read still
 * gets a record, with the reason in `problems`.
 */
export async function readDocumentMetadata(
  content: Buffer,
  filename: string | null,
  contentType: string,
  /** For a PDF: when its message's time for PDFs ends (performance.now() time; readPdfInSandbox). */
  pdfUntil = Infinity,
): Promise<DocumentMetadata | null> {
  const declared = declaredFormat(filename, contentType);
  const isPdf = looksLikePdf(content);
  const isZip = !isPdf && looksLikeZip(content);
  if (!isPdf && !isZip) {
    if (declared === null) return null;
    if (looksLikeOle(content) && declared !== 'pdf') {
      // Legacy binary formats are not read; an OOXML name on an OLE file is Office's encryption wrapper.
      return declared === 'odt' || declared === 'ods' || declared === 'odp'
        ? emptyMetadata(declared, ['an OLE compound file, not an OpenDocument package: its metadata was not read'])
        : emptyMetadata(declared, ['an encrypted (password-protected) Office document: its metadata cannot be read without the password']);
    }
    return emptyMetadata(declared, [
      `named or typed as ${declared} but its bytes are not one (no ${declared === 'pdf' ? '%PDF header' : 'zip signature'})`,
    ]);
  }
  const format = isPdf ? 'pdf' : declared;
  if (content.length > MAX_DOCUMENT_BYTES) return describeUnreadDocument(content.length, content, filename, contentType);
  try {
    return isPdf ? await readPdfMetadata(content, pdfUntil) : readPackageMetadata(content, declared);
  } catch (err) {
    // Only a programming error gets here; the document still gets a record rather than sinking the message.
    return format === null ? null : emptyMetadata(format, [`reading failed: ${(err as Error).message}`]);
  }
}

// ---------------------------------------------------------------- zip packages (OOXML, ODF)

const REL_CORE = /\/metadata\/core-properties$/;
const REL_APP = /\/extended-properties$/;
const REL_MAIN = /\/officeDocument$/;

function readPackageMetadata(content: Buffer, declared: Format | null): DocumentMetadata | null {
  const listing = listZipEntries(content);
  if ('problem' in listing) return declared === null ? null : emptyMetadata(declared, [listing.problem]);
  const has = (name: string): ZipEntry | undefined => listing.entries.find((e) => e.name === name);
  const budget = newReadBudget();
  const first = readZipParts(content, listing, ['mimetype', '_rels/.rels'], budget);
  const problems = [...listing.problems, ...first.problems];

  const mimetype = first.parts.get('mimetype');
  const odf = mimetype ? ODF_TYPES[new TextDecoder().decode(mimetype).trim()] : undefined;
  if (odf) return readOdf(content, listing, odf, problems, budget);

  if (!has('[Content_Types].xml')) {
    if (declared === null || declared === 'pdf') return null; // an ordinary zip archive
    return emptyMetadata(declared, [...problems, `named or typed as ${declared} but the zip holds no Office or OpenDocument package`]);
  }
  const rels = relationships(first.parts.get('_rels/.rels'), problems);
  const main =
    rels.find((r) => REL_MAIN.test(r.type))?.target ?? ['word/document.xml', 'xl/workbook.xml', 'ppt/presentation.xml'].find(has);
  const format: Format | null = main?.startsWith('word/')
    ? 'docx'
    : main?.startsWith('xl/')
      ? 'xlsx'
      : main?.startsWith('ppt/')
        ? 'pptx'
        : null;
  if (format === null) {
    if (declared === null || declared === 'pdf') return null; // another OPC package (XPS, Visio, …)
    return emptyMetadata(declared, [
      ...problems,
      `named or typed as ${declared} but the package holds no Word, Excel or PowerPoint document`,
    ]);
  }
  const corePath = rels.find((r) => REL_CORE.test(r.type))?.target ?? 'docProps/core.xml';
  const appPath = rels.find((r) => REL_APP.test(r.type))?.target ?? 'docProps/app.xml';
  const dir = main!.slice(0, main!.lastIndexOf('/') + 1);
  const languageParts = format === 'docx' ? [`${dir}styles.xml`, `${dir}settings.xml`] : format === 'pptx' ? [main!] : [];
  const read = readZipParts(content, listing, [corePath, appPath, ...languageParts], budget);
  problems.push(...read.problems);
  const xml = (path: string): XmlElement | null => readXmlPart(read.parts.get(path), path, problems);

  const meta = emptyMetadata(format, problems);
  const times: TimeReading = { zoneless: false };
  const core = xml(corePath);
  if (core) {
    meta.title = field(childText(core, 'title'));
    meta.author = field(childText(core, 'creator'));
    meta.lastModifiedBy = field(childText(core, 'lastModifiedBy'));
    meta.language = field(childText(core, 'language'));
    meta.created = readDocumentTime(childText(core, 'created'), times);
    meta.modified = readDocumentTime(childText(core, 'modified'), times);
    meta.revision = readCount(childText(core, 'revision'));
  } else if (!has(corePath)) problems.push(`no core properties part (${corePath})`);
  const app = xml(appPath);
  if (app) {
    const name = field(childText(app, 'Application'));
    const version = field(childText(app, 'AppVersion'));
    meta.application = name && version ? `${name} ${version}` : name;
    meta.company = field(childText(app, 'Company'));
    meta.template = field(childText(app, 'Template'));
  }
  meta.language ??= format === 'docx' ? wordLanguage(xml(`${dir}styles.xml`), xml(`${dir}settings.xml`)) : null;
  if (format === 'pptx') meta.language ??= slidesLanguage(xml(main!));
  meta.timesWithoutZone = times.zoneless;
  return meta;
}

function readOdf(
  content: Buffer,
  listing: { entries: ZipEntry[] },
  format: Format,
  problems: string[],
  budget: ReadBudget,
): DocumentMetadata {
  const read = readZipParts(content, listing, ['meta.xml'], budget);
  problems.push(...read.problems);
  const meta = emptyMetadata(format, problems);
  const root = readXmlPart(read.parts.get('meta.xml'), 'meta.xml', problems);
  const m = root ? child(root, 'meta') : null;
  if (!m) {
    if (!listing.entries.some((e) => e.name === 'meta.xml')) problems.push('no meta.xml part');
    return meta;
  }
  const times: TimeReading = { zoneless: false };
  // In ODF, dc:creator is whoever saved last; the author is meta:initial-creator.
  meta.title = field(childText(m, 'title'));
  meta.author = field(childText(m, 'initial-creator'));
  meta.lastModifiedBy = field(childText(m, 'creator'));
  meta.application = field(childText(m, 'generator'));
  meta.language = field(childText(m, 'language'));
  meta.created = readDocumentTime(childText(m, 'creation-date'), times);
  meta.modified = readDocumentTime(childText(m, 'date'), times);
  meta.revision = readCount(childText(m, 'editing-cycles'));
  const template = child(m, 'template');
  meta.template = field(template ? (template.attributes.title ?? template.attributes.href ?? null) : null);
  meta.timesWithoutZone = times.zoneless;
  return meta;
}

function readXmlPart(data: Uint8Array | undefined, path: string, problems: string[]): XmlElement | null {
  if (!data) return null;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    problems.push(`${path}: not UTF-8 text`);
    return null;
  }
  const parsed = parseXml(text);
  if ('problem' in parsed) {
    problems.push(`${path}: ${parsed.problem}`);
    return null;
  }
  if (parsed.doctype) problems.push(`${path}: declares a DOCTYPE, which document packages may not; its entities were left unexpanded`);
  if (parsed.malformed) problems.push(`${path}: not well-formed XML, read as far as possible (${parsed.malformed})`);
  return parsed.root;
}

/** The package relationships (`_rels/.rels`): which part holds the document and its properties. */
function relationships(data: Uint8Array | undefined, problems: string[]): { type: string; target: string }[] {
  const root = readXmlPart(data, '_rels/.rels', problems);
  if (!root) return [];
  return root.children
    .filter((c) => c.name === 'Relationship' && c.attributes.Type && c.attributes.Target)
    .map((c) => ({ type: c.attributes.Type!, target: c.attributes.Target!.replace(/^\//, '') }));
}

/** Word: the default run language of the styles (the editing language the document was set up in), else the theme's. */
function wordLanguage(styles: XmlElement | null, settings: XmlElement | null): string | null {
  const lang = styles ? path(styles, ['docDefaults', 'rPrDefault', 'rPr', 'lang']) : null;
  const fromStyles = field(lang?.attributes.val ?? null);
  if (fromStyles) return fromStyles;
  const theme = settings ? child(settings, 'themeFontLang') : null;
  return field(theme?.attributes.val ?? null);
}

/** PowerPoint: the default text language of the presentation. */
function slidesLanguage(presentation: XmlElement | null): string | null {
  if (!presentation) return null;
  const style = child(presentation, 'defaultTextStyle');
  if (!style) return null;
  const def = path(style, ['defPPr', 'defRPr']) ?? path(style, ['lvl1pPr', 'defRPr']);
  return field(def?.attributes.lang ?? null);
}

// ---------------------------------------------------------------- PDF

async function readPdfMetadata(content: Buffer, until: number): Promise<DocumentMetadata> {
  const outcome = await readPdfInSandbox(content, until);
  if ('problem' in outcome) return emptyMetadata('pdf', [outcome.problem]);
  const f: PdfFields = outcome.fields;
  const problems: string[] = [];
  const xmp = f.xmp ? readXmp(f.xmp, problems) : null;
  const times: TimeReading = { zoneless: false };
  const meta = emptyMetadata('pdf', problems);
  // The Info dictionary is what readers show; XMP fills what it leaves out.
  meta.title = field(f.title) ?? xmp?.title ?? null;
  meta.author = field(f.author) ?? xmp?.creator ?? null;
  meta.application = field(f.creator) ?? xmp?.creatorTool ?? null;
  meta.producer = field(f.producer) ?? xmp?.producer ?? null;
  meta.language = field(f.lang) ?? xmp?.language ?? null;
  meta.created = readDocumentTime(f.creationDate, times) ?? readDocumentTime(xmp?.createDate ?? null, times);
  meta.modified = readDocumentTime(f.modDate, times) ?? readDocumentTime(xmp?.modifyDate ?? null, times);
  meta.timesWithoutZone = times.zoneless;
  return meta;
}

interface XmpFields {
  title: string | null;
  creator: string | null;
  creatorTool: string | null;
  producer: string | null;
  language: string | null;
  createDate: string | null;
  modifyDate: string | null;
}

/** The properties of an XMP packet, written as elements or as attributes of any rdf:Description. */
function readXmp(packet: string, problems: string[]): XmpFields | null {
  const parsed = parseXml(packet);
  if ('problem' in parsed) {
    problems.push(`XMP metadata: ${parsed.problem}`);
    return null;
  }
  if (parsed.doctype) problems.push('XMP metadata: declares a DOCTYPE, which XMP may not; its entities were left unexpanded');
  if (parsed.malformed) problems.push(`XMP metadata: not well-formed XML, read as far as possible (${parsed.malformed})`);
  const descriptions: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    if (e.name === 'Description') descriptions.push(e);
    else e.children.forEach(walk);
  };
  walk(parsed.root);
  const prop = (name: string): string | null => {
    for (const d of descriptions) {
      const attr = d.attributes[name];
      if (attr) return field(attr);
      const el = child(d, name);
      if (!el) continue;
      // rdf:Seq / rdf:Bag / rdf:Alt hold rdf:li items; a simple property holds its text.
      const list = el.children.find((c) => c.name === 'Seq' || c.name === 'Bag' || c.name === 'Alt');
      const items = list ? list.children.filter((c) => c.name === 'li').map((c) => c.text.trim()) : [el.text.trim()];
      const value = field(items.filter((s) => s.length > 0).join('; '));
      if (value) return value;
    }
    return null;
  };
  return {
    title: prop('title'),
    creator: prop('creator'),
    creatorTool: prop('CreatorTool'),
    producer: prop('Producer'),
    language: prop('language'),
    createDate: prop('CreateDate'),
    modifyDate: prop('ModifyDate'),
  };
}

// ---------------------------------------------------------------- values

function child(e: XmlElement, name: string): XmlElement | null {
  return e.children.find((c) => c.name === name) ?? null;
}

function path(e: XmlElement, names: string[]): XmlElement | null {
  let at: XmlElement | null = e;
  for (const n of names) at = at ? child(at, n) : null;
  return at;
}

function childText(e: XmlElement, name: string): string | null {
  return child(e, name)?.text ?? null;
}

/** Trimmed, control characters dropped, cut to MAX_FIELD_CHARS; null when empty. */
function field(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (clean.length === 0) return null;
  return clean.length > MAX_FIELD_CHARS ? `${clean.slice(0, MAX_FIELD_CHARS)}…` : clean;
}

function readCount(s: string | null): number | null {
  const t = s?.trim() ?? '';
  return /^\d{1,9}$/.test(t) ? Number(t) : null;
}

export interface TimeReading {
  zoneless: boolean;
}

/**
 * A time as documents write it, in Unix seconds: W3CDTF/ISO 8601 (OOXML, ODF, XMP; the zone may be
 * missing, the time too) or a PDF date (`D:YYYYMMDDHHmmSS+HH'mm'`, every part after the year optional).
 * A time without a zone is read as UTC and noted in `reading`. Impossible dates give null.
 */
export function readDocumentTime(s: string | null, reading: TimeReading = { zoneless: false }): number | null {
  const t = s?.trim();
  if (!t) return null;
  const iso = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(t);
  const pdf = iso
    ? null
    : /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:[.,]\d+)?\s*(Z(?:00'?00'?)?|[+-]\d{2}(?:'?\d{2}'?)?)?'?$/i.exec(t);
  const m = iso ?? pdf;
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => (m[i] === undefined ? null : Number(m[i])));
  const zone = m[7];
  if (year! < 1000) return null; // Date.UTC would read 0-99 as 1900-1999
  const mo = month ?? 1;
  const d = day ?? 1;
  const h = hour ?? 0;
  const mi = minute ?? 0;
  const se = second ?? 0;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return null;
  const ms = Date.UTC(year!, mo - 1, d, h, mi, Math.min(se, 59));
  if (new Date(ms).getUTCDate() !== d) return null; // 31 February
  let offset = 0;
  if (zone === undefined) reading.zoneless = true;
  else if (!/^z/i.test(zone)) {
    const z = /^([+-])(\d{2})'?(\d{2})?/.exec(zone)!;
    const hours = Number(z[2]);
    const minutes = Number(z[3] ?? 0);
    if (hours > 14 || minutes > 59) return null;
    offset = (z[1] === '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
  }
  return Math.floor(ms / 1000) - offset;
}
