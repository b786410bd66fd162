// The only adapter over html-to-text: the plain text of an HTML-only message, with the library's
// defaults, as mailparser makes it. Loaded at its first use: most messages carry a text part, and
// the library with its HTML parser took 54 ms of CPU to load, in each analysis thread.
import { createRequire } from 'node:module';

type HtmlToText = (html: string) => string;

let htmlToText: HtmlToText | null = null;

export function textOfHtml(html: string): string {
  htmlToText ??= (createRequire(import.meta.url)('html-to-text') as { htmlToText: HtmlToText }).htmlToText;
  return htmlToText(html);
}
