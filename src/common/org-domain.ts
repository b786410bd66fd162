// The one organisational-domain function of the code base (RFC 7489 3.2 / DMARCbis): the name a
// site registers under a public suffix, from the Public Suffix List as the tldts package ships it.
// The same package and options mailauth uses for its own alignment, so both always agree.
import { domainToASCII } from 'node:url';
import { getDomain } from 'tldts';
import { remembered } from './remembered.ts';
import { isAsciiLetterCode } from './text.ts';

/**
 * ICANN and private suffixes both count: a name under github.io or a cloud provider's suffix belongs
 * to whoever registered it there, not to the provider (mailauth's TLDTS_OPTS are the same).
 */
const OPTIONS = { allowIcannDomains: true, allowPrivateDomains: true, extractHostname: false } as const;

/**
 * A host name as compared: lower case, no brackets, no trailing dot, no surrounding space, and an
 * international name in its ASCII (punycode) form, the form a signature's d= is written in (the
 * MIME parser hands out From domains decoded to Unicode).
 */
export function normaliseHost(host: string): string {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(h) ? domainToASCII(h) || h : h;
}

/**
 * The organisational domain of a host: mail.example.co.uk -> example.co.uk. An IP address, a bare
 * label (localhost, mx1) or a public suffix itself is returned as it is: it belongs to no one else.
 * Unknown top-level names (.example, .internal) count as one-label suffixes, as the PSL's "*" rule says.
 * Hosts recur from message to message (an archive names far fewer hosts than it holds messages), and
 * each message asks for several (its From, signers, relays): remembered for 20,000 hosts.
 */
export const organisationalDomain: (host: string) => string = remembered(20_000, (host) => lookUpOrganisation(host));

function lookUpOrganisation(host: string): string {
  const h = normaliseHost(host);
  if (h === '' || !h.includes('.') || h.includes(':') || /^[0-9.]+$/.test(h)) return h;
  return getDomain(h, OPTIONS) ?? h;
}

/** Relaxed alignment (RFC 7489 3.1.1): both names share their organisational domain. */
export function sameOrganisation(a: string, b: string): boolean {
  const x = normaliseHost(a);
  const y = normaliseHost(b);
  if (x === '' || y === '') return false;
  return x === y || organisationalDomain(x) === organisationalDomain(y);
}

/** The host and its parents up to and including its organisational domain, nearest first. */
export function domainsUpToOrganisation(host: string): string[] {
  const h = normaliseHost(host);
  const org = organisationalDomain(h);
  const out = [h];
  let rest = h;
  while (rest !== org && rest.includes('.')) {
    rest = rest.slice(rest.indexOf('.') + 1);
    out.push(rest);
  }
  return out;
}

/**
 * The organisational domain of a mailing list, from its List-Id ("Team <team.lists.example.org>"):
 * the name in angle brackets, else the first host-like name, as `/([a-z0-9.-]+\.[a-z]{2,})/i` finds
 * it, found run by run (that expression, tried from every position of a long run with no dot and
 * two letters after it, took time in the square of its length: 32,000 characters, 0.8 s). Null when
 * there is none.
 */
export function listIdDomain(listId: string | null): string | null {
  const id = listId ?? '';
  const angled = /<([^<>\s]+)>/.exec(id);
  const name = angled ? angled[1]! : firstHostLike(id);
  return name === null ? null : organisationalDomain(name);
}

/** `[a-z0-9.-]` under the i flag. */
const isHostChar = (c: number): boolean => isAsciiLetterCode(c) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d;

/** The first match of `/[a-z0-9.-]+\.[a-z]{2,}/i`: a run of host characters, up to its last dot with two letters after it. */
function firstHostLike(text: string): string | null {
  for (let start = 0; start < text.length;) {
    if (!isHostChar(text.charCodeAt(start))) {
      start++;
      continue;
    }
    let end = start + 1;
    while (end < text.length && isHostChar(text.charCodeAt(end))) end++;
    // The greedy run gives back characters until a dot with two letters after it follows: the last
    // such dot past the run's first character. None from the run's start, none from anywhere in it.
    for (let dot = end - 3; dot > start; dot--) {
      if (text[dot] !== '.' || !isAsciiLetterCode(text.charCodeAt(dot + 1)) || !isAsciiLetterCode(text.charCodeAt(dot + 2))) continue;
      let last = dot + 3;
      while (last < end && isAsciiLetterCode(text.charCodeAt(last))) last++;
      return text.slice(start, last);
    }
    start = end;
  }
  return null;
}
