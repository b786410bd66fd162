// Download names come from the dump (subjects, attachment names): hostile. They are reduced to a safe
// base name before they reach a Content-Disposition header or the reviewer's disk.

/** Longest name we hand out; file systems allow 255 bytes, and the id suffix must fit. */
const MAX_NAME = 100;

/** A base name without paths, control characters, quotes, reserved characters or leading dots. */
export function safeFileName(name: string | null | undefined, fallback: string): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  const cleaned = base
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}"*:<>?|;=%]/gu, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[.\s_-]+/, '')
    .trim();
  const short = [...cleaned].slice(0, MAX_NAME).join('');
  return short && !/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(short) ? short : fallback;
}

/** ASCII-only form for the plain `filename=` parameter. */
function asciiFallback(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, '_').replace(/[\\"]/g, '_');
}

export function contentDisposition(name: string): string {
  return `attachment; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** `subject-words-<first 12 hex of the id>.eml` */
export function emlFileName(subject: string | null, sha256: string): string {
  const slug = (subject ?? '')
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return `${slug ? `${slug}-` : ''}${sha256.slice(0, 12)}.eml`;
}
