// RFC 5322 date-times as found in Date and Received headers, including the obsolete forms.

/** Unix seconds, or null when the text is not a date we can trust. */
export function parseMailTime(text: string | null): number | null {
  if (!text) return null;
  // Comments such as "(PDT)" or "(CET)" carry no information the offset lacks.
  const cleaned = text
    .replace(/\([^()]*\)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!/\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}/.test(cleaned)) return null;
  const ms = Date.parse(fixTwoDigitYear(cleaned));
  if (Number.isNaN(ms)) return null;
  return Math.floor(ms / 1000);
}

/** RFC 5322 4.3: a two-digit year below 50 means 20xx, otherwise 19xx. */
function fixTwoDigitYear(s: string): string {
  return s.replace(/(\d{1,2}\s+[A-Za-z]{3}\s+)(\d{2})(\s)/, (_m, a: string, yy: string, b: string) => {
    const y = Number(yy);
    return `${a}${y < 50 ? 2000 + y : 1900 + y}${b}`;
  });
}

/** The zone as written at the end of a date: "+0200", "-0700", "GMT", "EST". */
export function mailTimeZone(text: string | null): string | null {
  if (!text) return null;
  const cleaned = text.replace(/\([^()]*\)/g, ' ').trim();
  const m = /([+-]\d{4}|\b[A-Z]{1,5})\s*$/.exec(cleaned);
  return m ? m[1]! : null;
}
