// Address headers and the Subject decoded the way mailparser decodes them (its behaviour, as of
// mailparser 3.9, MIT: RFC 2047 words in display names, an encoded display name that hides a
// bracketed address read as addresses, encoded words in an addr-spec kept only when they decode to
// a plain local@domain, punycode domains shown in Unicode). Our MIME walk uses this; mailparser's
// own result is used when the walk declines a message.
import { domainToUnicode } from 'node:url';
import type { Address } from '../model.ts';
import { parseAddressList } from './address-list.ts';
import type { ParsedAddress } from './address-list.ts';
import { decodeWords, headerLineValue } from './mime-words.ts';
import { remembered } from '../common/remembered.ts';

/** A display name made only of base64 encoded words. */
const ONLY_B_WORDS = /^(=\?([^?]+)\?[Bb]\?[^?]*\?=)(\s*=\?([^?]+)\?[Bb]\?[^?]*\?=)*$/;
const ENCODED_WORD = /[=]\?[^?]+\?[BbQq]\?[^?]*\?[=]/;

/** True when `s` holds `<local@domain>` (one pass, no backtracking on hostile input). */
function holdsBracketedAddress(s: string): boolean {
  let open = -1;
  let at = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '<') {
      open = i;
      at = -1;
    } else if (c === '>') {
      if (open !== -1 && at > open + 1 && at < i - 1) return true;
      open = -1;
      at = -1;
    } else if (c === '@' && open !== -1 && at === -1 && i > open + 1) at = i;
  }
  return false;
}

function decodeList(list: ParsedAddress[]): ParsedAddress[] {
  const out: ParsedAddress[] = [];
  const revealed: ParsedAddress[] = [];
  const visit = (a: ParsedAddress, fromName: boolean): void => {
    const name = (a.name || '').toString().trim();
    if (!a.address && !fromName && ONLY_B_WORDS.test(name)) {
      const decoded = decodeWords(name);
      if (holdsBracketedAddress(decoded)) {
        // The encoded name hid addresses: they take the place of the entry, after the others.
        revealed.push(...parseAddressList(decoded));
        return;
      }
      out.push({ ...a, name: decoded });
      return;
    }
    const entry: ParsedAddress = { ...a, name: name ? decodeWords(name) : name };
    if (entry.address && ENCODED_WORD.test(entry.address)) {
      const d = decodeWords(entry.address);
      entry.address = /^[^\s@]+@[^\s@]+$/.test(d) && !d.includes('=?') ? d : '';
    }
    if (entry.address && /@xn--/.test(entry.address)) {
      const at = entry.address.lastIndexOf('@');
      const unicode = domainToUnicode(entry.address.slice(at + 1));
      if (unicode) entry.address = entry.address.slice(0, at + 1) + unicode;
    }
    if (entry.group) entry.group = decodeList(entry.group);
    out.push(entry);
  };
  for (const a of list) visit(a, false);
  for (const a of revealed) visit(a, true);
  return out;
}

/** An address with its domain as compared: lower case, without a trailing dot; '' when it has none. */
export function toAddress(name: string, address: string): Address {
  const at = address.lastIndexOf('@');
  return {
    name,
    address,
    domain:
      at === -1
        ? ''
        : address
            .slice(at + 1)
            .toLowerCase()
            .replace(/\.$/, ''),
  };
}

/** The mailboxes of one address header (`raw` as in the bytes, latin1), groups flattened. */
export function decodeAddressHeader(raw: string): Address[] {
  // Copies: the caller owns what it is given.
  return readAddressHeaderOnce(raw).map((a) => ({ ...a }));
}

/**
 * The same address lines recur across an archive (a sender's From line, a team's To line): each is
 * read once, up to 10,000 at a time. The address parser was 3 % of a worker's time on the bench's
 * small messages.
 */
const readAddressHeaderOnce: (raw: string) => readonly Address[] = remembered(10_000, (raw) => readAddressHeader(raw));

function readAddressHeader(raw: string): Address[] {
  const value = headerLineValue(Buffer.from(raw, 'latin1').toString('utf8'));
  const out: Address[] = [];
  const walk = (a: ParsedAddress): void => {
    if (a.group) for (const g of a.group) walk(g);
    else if (a.address !== undefined || a.name) out.push(toAddress(a.name ?? '', a.address ?? ''));
  };
  for (const a of decodeList(parseAddressList(value))) walk(a);
  return out;
}

/** The Subject header decoded; null when it is empty. */
export function decodeSubject(raw: string | null): string | null {
  if (raw === null) return null;
  const value = headerLineValue(Buffer.from(raw, 'latin1').toString('utf8'));
  return value ? decodeWords(value) : null;
}
