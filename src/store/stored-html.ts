// A stored message's decoded HTML (migration 019): kept in message_content.body_html only where it
// cannot be read again from the message's bytes (the walk declined the body and mailparser read it,
// or the row predates the migration). Otherwise the store hands out the bytes, and whoever shows or
// compares the HTML reads it again from them with the parser (src/parse/parse-message.ts
// htmlFromBytes; the store calls no stage). html_chars says that a message has HTML, and how long
// it is, without reading it.
import type { StoredHtml } from '../model.ts';

/** Whether a row of message_content (or full_messages) has HTML: for a select list or a WHERE clause. */
export const HAS_HTML_SQL = '(body_html IS NOT NULL OR html_chars IS NOT NULL)';

/** The length of a row's decoded HTML (0 without), as stored or as it will be read again. */
export const HTML_CHARS_SQL = 'coalesce(html_chars, length(body_html), 0)';

/**
 * The columns readStoredHtml reads, for a select list: `raw` only where the HTML is read again from
 * it (NULL otherwise, so that a row whose HTML is stored, or that has none, is not read whole).
 */
export const HTML_COLUMNS_SQL = 'body_html, html_chars, CASE WHEN body_html IS NULL AND html_chars IS NOT NULL THEN raw END AS html_raw';

export interface HtmlColumns {
  body_html: string | null;
  html_chars: number | null;
  html_raw: Buffer | null;
}

/** The HTML of a row read with HTML_COLUMNS_SQL. */
export function readStoredHtml(row: HtmlColumns): StoredHtml {
  if (row.body_html !== null) return { html: row.body_html };
  if (row.html_chars === null || row.html_raw === null) return null;
  return { bytes: row.html_raw };
}

/**
 * What an import stores of a message's HTML: [body_html, html_chars]. The HTML itself only when the
 * walk did not read the body (`bodyParser` other than 'walk', or not known).
 */
export function htmlToStore(html: string | null, bodyParser: 'walk' | 'mailparser' | 'none' | undefined): [string | null, number | null] {
  if (html === null) return [null, null];
  return [bodyParser === 'walk' ? null : html, html.length];
}
