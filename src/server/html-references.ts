// The one adapter over htmlparser2: what a message's HTML refers to outside itself. The sandboxed
// frame loads none of it, but it is evidence: a 1×1 image is a tracking pixel that would have told
// the sender when the mail was opened, and a link whose text shows one address and leads to another
// is a phishing mark.
import { Parser } from 'htmlparser2';
import { isSpaceCode } from '../common/text.ts';

export type ReferenceKind = 'image' | 'stylesheet' | 'script' | 'frame' | 'object' | 'media' | 'form' | 'refresh' | 'prefetch' | 'link';

export interface HtmlReference {
  kind: ReferenceKind;
  /** The address as written (entities decoded), never followed. */
  url: string;
  /** Element and attribute it came from, e.g. `img src`, `style url()`. */
  where: string;
  /** How many times the same kind, address and place occur. */
  count: number;
  /** An image declared 0 or 1 pixel wide or high: the shape of a tracking pixel. */
  pixel: boolean;
  /** For a link: its visible text, when that text shows a web address or domain of another host. */
  shownAs: string | null;
}

/** A reader's page stops listing here; the raw bytes keep every address. */
const MAX_REFERENCES = 500;
/** Parsed at most (a hostile HTML body can be megabytes). */
const MAX_HTML = 4 * 1024 * 1024;

const SOURCE_ATTRS: Record<string, [string, ReferenceKind][]> = {
  img: [
    ['src', 'image'],
    ['srcset', 'image'],
    ['lowsrc', 'image'],
  ],
  image: [
    ['href', 'image'],
    ['xlink:href', 'image'],
  ],
  script: [['src', 'script']],
  iframe: [['src', 'frame']],
  frame: [['src', 'frame']],
  object: [['data', 'object']],
  embed: [['src', 'object']],
  applet: [['code', 'object']],
  video: [
    ['src', 'media'],
    ['poster', 'image'],
  ],
  audio: [['src', 'media']],
  source: [
    ['src', 'media'],
    ['srcset', 'image'],
  ],
  track: [['src', 'media']],
  input: [['src', 'image']],
  form: [['action', 'form']],
  button: [['formaction', 'form']],
  body: [['background', 'image']],
  table: [['background', 'image']],
  td: [['background', 'image']],
  th: [['background', 'image']],
};

const CSS_IMPORT = /@import\s+(?:url\(\s*)?(?:"([^"]*)"|'([^']*)'|([^"')\s;]+))\s*\)?/gi;

/**
 * The addresses of `url(...)` in CSS, as `/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)/gi` finds
 * them (its first group that matched), in one pass. That expression, tried again at every "url("
 * of a run that no ")" ends, read the run to its end each time: 160 KB of "url(" in a style sheet
 * held the review server for 5.4 s. Every "url(" of one run ends where the run ends, found once.
 */
export function cssUrls(css: string): string[] {
  const out: string[] = [];
  const open = /url\(/gi;
  const next = (from: number): number => {
    open.lastIndex = from;
    return open.exec(css)?.index ?? -1;
  };
  const skipSpaces = (i: number): number => {
    while (i < css.length && isSpaceCode(css.charCodeAt(i))) i++;
    return i;
  };
  // The run of characters other than ")" and spaces last read: [runStart, runEnd).
  let runStart = -1;
  let runEnd = -1;
  for (let at = next(0); at !== -1;) {
    const first = skipSpaces(at + 4);
    let found: string | null = null;
    let end = -1;
    const quote = css[first];
    if (quote === '"' || quote === "'") {
      const close = css.indexOf(quote, first + 1);
      const after = close === -1 ? -1 : skipSpaces(close + 1);
      if (after !== -1 && css[after] === ')') [found, end] = [css.slice(first + 1, close), after + 1];
    }
    if (found === null) {
      if (first < runStart || first >= runEnd) {
        runStart = first;
        runEnd = first;
        while (runEnd < css.length && css[runEnd] !== ')' && !isSpaceCode(css.charCodeAt(runEnd))) runEnd++;
      }
      const after = skipSpaces(runEnd);
      if (css[after] === ')') [found, end] = [css.slice(first, runEnd), after + 1];
    }
    if (found !== null) out.push(found);
    at = next(found === null ? at + 1 : end);
  }
  return out;
}

/**
 * Not listed: inline content (data:), parts of the message itself (cid:), fragments, and relative
 * addresses, which mean nothing in a mail (there is no page to be relative to).
 */
function isLocal(url: string): boolean {
  const u = url.trim();
  return /^(data|cid|mid|about):/i.test(u) || u === '' || !(/^[a-z][a-z0-9+.-]*:/i.test(u) || u.startsWith('//'));
}

function hostOf(url: string): string | null {
  try {
    return new URL(url.trim()).hostname.toLowerCase() || null;
  } catch {
    return null;
  }
}

/** A host named by a link's visible text ("www.bank.example", "https://bank.example/login"), if any. */
function shownHost(text: string): string | null {
  const m = /\b(?:https?:\/\/)?((?:[a-z0-9-]+\.)+[a-z]{2,})\b/i.exec(text.trim());
  return m?.[1]?.toLowerCase() ?? null;
}

function sameSite(a: string, b: string): boolean {
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);
}

export function listHtmlReferences(html: string): { references: HtmlReference[]; truncated: boolean } {
  const found = new Map<string, HtmlReference>();
  let truncated = html.length > MAX_HTML;
  const add = (kind: ReferenceKind, url: string, where: string, extra: Partial<HtmlReference> = {}) => {
    if (isLocal(url)) return;
    const u = url.trim();
    const key = `${kind}\u0000${u}\u0000${where}\u0000${extra.shownAs ?? ''}`;
    const seen = found.get(key);
    if (seen) {
      seen.count++;
      seen.pixel ||= extra.pixel ?? false;
    } else if (found.size < MAX_REFERENCES) {
      found.set(key, { kind, url: u, where, count: 1, pixel: extra.pixel ?? false, shownAs: extra.shownAs ?? null });
    } else {
      truncated = true;
    }
  };
  const addCss = (css: string, where: string) => {
    for (const m of css.matchAll(CSS_IMPORT)) add('stylesheet', m[1] ?? m[2] ?? m[3] ?? '', where);
    for (const url of cssUrls(css.replace(CSS_IMPORT, ''))) add('image', url, where);
  };
  /** The open link whose text is being collected. */
  let link: { href: string; text: string } | null = null;
  let inStyle = false;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        const tag = name.toLowerCase();
        for (const [attr, kind] of SOURCE_ATTRS[tag] ?? []) {
          const v = attrs[attr];
          if (v === undefined) continue;
          if (attr === 'srcset') for (const part of v.split(',')) add(kind, part.trim().split(/\s+/)[0] ?? '', `${tag} ${attr}`);
          else {
            const tiny = (d: string | undefined) => d !== undefined && /^\s*[01](px)?\s*$/i.test(d);
            add(kind, v, `${tag} ${attr}`, { pixel: kind === 'image' && (tiny(attrs.width) || tiny(attrs.height)) });
          }
        }
        if (tag === 'link' && attrs.href !== undefined) {
          const rel = (attrs.rel ?? '').toLowerCase();
          const kind: ReferenceKind = /stylesheet/.test(rel)
            ? 'stylesheet'
            : /prefetch|preconnect|preload|prerender/.test(rel)
              ? 'prefetch'
              : /icon/.test(rel)
                ? 'image'
                : 'link';
          add(kind, attrs.href, `link rel=${rel || '?'}`);
        }
        if (tag === 'meta' && /refresh/i.test(attrs['http-equiv'] ?? '')) {
          const url = /url\s*=\s*['"]?([^'"]+)/i.exec(attrs.content ?? '')?.[1];
          if (url) add('refresh', url, 'meta refresh');
        }
        if (attrs.style) addCss(attrs.style, `${tag} style`);
        if ((tag === 'a' || tag === 'area') && attrs.href !== undefined) {
          if (tag === 'area') add('link', attrs.href, 'area href');
          else link = { href: attrs.href, text: '' };
        }
        if (tag === 'style') inStyle = true;
      },
      ontext(text) {
        if (inStyle) addCss(text, 'style');
        // At most 300 characters: one text node may be megabytes long, and shownHost reads it all.
        if (link && link.text.length < 300) link.text += text.slice(0, 300 - link.text.length);
      },
      onclosetag(name) {
        const tag = name.toLowerCase();
        if (tag === 'style') inStyle = false;
        if (tag === 'a' && link) {
          const shown = shownHost(link.text);
          const target = hostOf(link.href);
          const mismatch = shown !== null && (target === null || !sameSite(shown, target));
          add('link', link.href, 'a href', { shownAs: mismatch ? link.text.trim().replace(/\s+/g, ' ').slice(0, 200) : null });
          link = null;
        }
      },
    },
    { decodeEntities: true, lowerCaseAttributeNames: true, recognizeSelfClosing: true },
  );
  parser.write(html.length > MAX_HTML ? html.slice(0, MAX_HTML) : html);
  parser.end();
  const order: ReferenceKind[] = ['image', 'stylesheet', 'script', 'frame', 'object', 'media', 'form', 'refresh', 'prefetch', 'link'];
  const references = [...found.values()].sort((x, y) => order.indexOf(x.kind) - order.indexOf(y.kind));
  return { references, truncated };
}
