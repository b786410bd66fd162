// The only place that imports the XML parser (fast-xml-parser). Documents' metadata parts
// (docProps/core.xml, meta.xml, an XMP packet) are mapped into our own small element tree; nothing
// else sees the library's output. The input is hostile: no entity is ever expanded (a billion-laughs
// DOCTYPE stays inert text), nesting is capped, and a parse that fails is a reason, not a throw.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * Deepest element nesting accepted. Metadata parts are 3 to 8 levels deep (XMP with its rdf:Seq,
 * Word's styles with their run properties); 64 is far above any real part and keeps the tree walk
 * small. Deeper input is refused by the parser itself (its `maxNestedTags`).
 */
export const MAX_XML_DEPTH = 64;

/** One element, its namespace prefix dropped (`dc:creator` is `creator`): metadata names do not clash. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  /** The element's own text (its text nodes joined), entities of XML itself decoded. */
  text: string;
  children: XmlElement[];
}

const parser = new XMLParser({
  preserveOrder: true,
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  // DOCTYPE entities are never expanded; the five XML entities and character references are decoded
  // below, which cannot grow the text beyond its own length.
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
  maxNestedTags: MAX_XML_DEPTH,
});

type Ordered = Record<string, unknown>;

/**
 * The root element of `text`, or a plain reason why it cannot be read. The parser is lenient (a
 * damaged part still yields what it holds); `malformed` then says what is wrong, from the library's
 * validator. `doctype` says the text declares a DTD: OOXML, ODF and XMP parts never do.
 */
export function parseXml(text: string): { root: XmlElement; doctype: boolean; malformed: string | null } | { problem: string } {
  let out: unknown;
  try {
    out = parser.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    if (/nested tags/i.test(message)) return { problem: `nested more than ${MAX_XML_DEPTH} elements deep` };
    return { problem: `not well-formed XML (${message.slice(0, 120)})` };
  }
  const root = Array.isArray(out) ? (out as Ordered[]).map(toElement).find((e) => e !== null) : undefined;
  if (!root) return { problem: 'no root element' };
  const valid = XMLValidator.validate(text);
  const malformed = valid === true ? null : `${valid.err.msg} (line ${valid.err.line})`.slice(0, 160);
  return { root, doctype: /<!DOCTYPE/i.test(text), malformed };
}

function toElement(node: Ordered): XmlElement | null {
  const name = Object.keys(node).find((k) => k !== ':@' && k !== '#text');
  if (name === undefined || name.startsWith('?') || name.startsWith('!')) return null;
  const attrs = (node[':@'] ?? {}) as Record<string, unknown>;
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (typeof v === 'string') attributes[k] = decodeXmlText(v);
  const content = Array.isArray(node[name]) ? (node[name] as Ordered[]) : [];
  const texts: string[] = [];
  const children: XmlElement[] = [];
  for (const c of content) {
    if ('#text' in c) texts.push(String(c['#text']));
    else {
      const child = toElement(c);
      if (child) children.push(child);
    }
  }
  return { name, attributes, text: decodeXmlText(texts.join('')), children };
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The five predefined entities and character references; anything else (a DTD's entity) stays as written. */
function decodeXmlText(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});/g, (whole, ref: string) => {
    if (!ref.startsWith('#')) return NAMED[ref] ?? whole;
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
  });
}
