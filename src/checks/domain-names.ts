// Registrable domains, shared by the checks that compare domains (lookalike-domain, auth-results).
// Not a check.

/**
 * Public suffixes of two labels under which registrars sell names. A short list instead of the
 * Public Suffix List (no data file to ship or update, no network); under a suffix missing here a
 * registrable name is cut one label too short, which can only make two names of that country's
 * suffix look like one site, never make one site look like two.
 */
const TWO_LABEL_SUFFIXES = new Set([
  'co.uk',
  'org.uk',
  'ac.uk',
  'gov.uk',
  'me.uk',
  'ltd.uk',
  'plc.uk',
  'com.au',
  'net.au',
  'org.au',
  'edu.au',
  'gov.au',
  'co.nz',
  'org.nz',
  'co.jp',
  'ne.jp',
  'or.jp',
  'ac.jp',
  'co.kr',
  'or.kr',
  'com.br',
  'com.cn',
  'com.hk',
  'com.tw',
  'com.sg',
  'com.my',
  'com.mx',
  'com.ar',
  'com.tr',
  'co.in',
  'co.id',
  'co.il',
  'co.za',
  'com.ua',
  'com.pl',
]);

/** The name a site registers: the last two labels, or three under a two-label public suffix. */
export function registrableDomain(host: string): string {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (!h.includes('.') || h.includes(':') || /^[0-9.]+$/.test(h)) return h; // bare name or IP
  const labels = h.split('.');
  const take = labels.length >= 3 && TWO_LABEL_SUFFIXES.has(labels.slice(-2).join('.')) ? 3 : 2;
  return labels.slice(-take).join('.');
}
