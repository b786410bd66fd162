// The only adapter over html-to-text: the plain text of an HTML-only message, with the library's
// defaults, as mailparser makes it. Loaded at its first use: most messages carry a text part, and
// the library with its HTML parser took 54 ms of CPU to load, in each analysis thread.
//
// html-to-text walks the document tree by recursion, so HTML that nests elements deeply runs the
// thread out of stack. Where it did depends on the thread and on how far V8 had compiled the code:
// 2,000 nested <b> failed on the main thread at the first call and passed at the third, so one
// message could be read on one run and not on the next (and the whole message was then reported
// unparsed, its From and Date with it). The parser under it also keeps open elements in a list it
// grows from the front: 1.9 MB of nested tags took 16 s. So the depth is measured first, by the same
// parser with the same options (a pass that stops where the depth passes the limit), and HTML deeper
// than MAX_HTML_DEPTH is turned into text only up to that point.
import { createRequire } from 'node:module';

type HtmlToText = (html: string) => string;

interface HtmlParser {
  end(chunk: string): void;
  startIndex: number;
}
type ParserClass = new (callbacks: { onopentagname(): void; onclosetag(): void }, options: { decodeEntities: boolean }) => HtmlParser;

const load = createRequire(import.meta.url);
let htmlToText: HtmlToText | null = null;
let Parser: ParserClass | null = null;

/**
 * Deeper element nesting than this is not turned into text. html-to-text's defaults passed every
 * element name at 1,200 levels in a fresh process on the main thread (the smallest stack an
 * analysis runs on: with no workers), and ran out of stack from about 1,500-2,100 levels, by
 * element; honest mail nests a few dozen levels, a long thread of replies quoted in full a few hundred.
 */
export const MAX_HTML_DEPTH = 1000;

export interface HtmlText {
  text: string;
  /** Null, or where the HTML passed MAX_HTML_DEPTH: its text is that of the characters before. */
  cutAt: number | null;
}

/** The offset of the tag where the elements of `html` first nest deeper than `limit`, or null. */
export function depthCutAt(html: string, limit = MAX_HTML_DEPTH): number | null {
  // Each element opens at a '<': HTML with no more of them than the limit cannot pass it.
  let tags = 0;
  for (let at = html.indexOf('<'); at !== -1 && tags <= limit; at = html.indexOf('<', at + 1)) tags++;
  if (tags <= limit) return null;
  // The parser html-to-text builds its tree with (htmlparser2, loaded from the same place), with
  // its option: every element it opens is closed by an event (void and implied ends included).
  Parser ??= (load('htmlparser2') as { Parser: ParserClass }).Parser;
  let depth = 0;
  let cut: number | null = null;
  const stop = new Error('too deep');
  const parser = new Parser(
    {
      onopentagname() {
        if (++depth <= limit) return;
        cut = parser.startIndex;
        throw stop;
      },
      onclosetag() {
        depth--;
      },
    },
    { decodeEntities: true },
  );
  try {
    parser.end(html);
  } catch (err) {
    if (err !== stop) throw err;
  }
  return cut;
}

export function textOfHtml(html: string): HtmlText {
  htmlToText ??= (load('html-to-text') as { htmlToText: HtmlToText }).htmlToText;
  const cutAt = depthCutAt(html);
  return { text: htmlToText(cutAt === null ? html : html.slice(0, cutAt)), cutAt };
}

/** How mailparser's conversion of HTML deeper than MAX_HTML_DEPTH fails (guardMailparserHtml). */
class HtmlTooDeepError extends Error {
  override name = 'HtmlTooDeepError';
}

/**
 * Makes mailparser, loaded after this call, turn HTML into text through the depth limit: it takes
 * html-to-text's function when it loads, and HTML deeper than MAX_HTML_DEPTH then fails its
 * conversion at once (parse-message.ts reads such a message again without the conversion).
 */
export function guardMailparserHtml(): void {
  const library = load('html-to-text') as { htmlToText: HtmlToText };
  htmlToText ??= library.htmlToText;
  const convert = htmlToText;
  library.htmlToText = (html: string) => {
    if (depthCutAt(html) !== null) throw new HtmlTooDeepError(`the HTML nests more than ${MAX_HTML_DEPTH} elements deep`);
    return convert(html);
  };
}
