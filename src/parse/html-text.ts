// The only adapter over html-to-text: the plain text of an HTML-only message, with the library's
// defaults, as mailparser makes it.
import { createRequire } from 'node:module';

const { htmlToText } = createRequire(import.meta.url)('html-to-text') as { htmlToText(html: string): string };

export function textOfHtml(html: string): string {
  return htmlToText(html);
}
