// A signing domain that resembles the From domain without being it: the forger registers
// examp1e.com, signs with a real key of their own and hopes the reader sees "signed by example".
import { domainToASCII, domainToUnicode } from 'node:url';
import type { CheckInput, Finding, MessageCheck, SignatureCheck } from '../model.ts';
import { organisationalDomain } from '../common/org-domain.ts';
import { confusableSkeleton, looksLatin } from '../common/confusables.ts';

const ID = 'lookalike-domain';

function splitRegistrable(domain: string): { label: string; suffix: string } {
  const reg = organisationalDomain(domain);
  const dot = reg.indexOf('.');
  return dot < 0 ? { label: reg, suffix: '' } : { label: reg.slice(0, dot), suffix: reg.slice(dot + 1) };
}

/**
 * Edits allowed between two labels, by the From label's length: one or two edits turn short names
 * into other real names (hp/hpe, ibm/ing), so short labels get none and only long ones get two.
 */
const ONE_EDIT_MIN_LENGTH = 4;
const TWO_EDITS_MIN_LENGTH = 7;

function allowedEdits(label: string): number {
  if (label.length >= TWO_EDITS_MIN_LENGTH) return 2;
  return label.length >= ONE_EDIT_MIN_LENGTH ? 1 : 0;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transposition: exmaple/example). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * Skeletons longer than this are not broken into their deletion variants (ResemblanceIndex): one of
 * n characters has about n²/2 variants of two deletions (a 63-character DNS label, some 2,000).
 * Longer ones are found by their length instead, and compared one by one.
 */
const MAX_VARIANT_LABEL = 24;

/** `text` and every string made from it by deleting up to `deletions` characters. */
function deletionVariants(text: string, deletions: number, into = new Set<string>()): Set<string> {
  into.add(text);
  if (deletions > 0) for (let i = 0; i < text.length; i++) deletionVariants(text.slice(0, i) + text.slice(i + 1), deletions - 1, into);
  return into;
}

function push<K>(map: Map<K, number[]>, key: K, at: number): void {
  const list = map.get(key);
  if (list) {
    if (list[list.length - 1] !== at) list.push(at);
  } else map.set(key, [at]);
}

/**
 * Domains indexed by what resemblance reads of them as the imitated one (its `from`): the domains
 * a name may resemble are looked up instead of compared with it one by one. Compared one by one,
 * a dump of 4,000 messages from 4,000 domains, to 200 domains the archive knows well, took the
 * archive pass 5 s, and the time grew with the product of the two.
 */
export class ResemblanceIndex {
  /** Skeleton variants (up to allowedEdits deletions): OSA distance d means a string both reach in d deletions. */
  private readonly variants = new Map<string, number[]>();
  /** Labels too long for variants, by skeleton length: OSA distance d needs lengths at most d apart. */
  private readonly byLength = new Map<number, number[]>();
  private readonly hyphenless = new Map<string, number[]>();
  private readonly labels = new Map<string, number[]>();

  constructor(domains: readonly string[]) {
    domains.forEach((d, at) => {
      const { label } = splitRegistrable(d);
      const skeleton = confusableSkeleton(label);
      if (skeleton.length > MAX_VARIANT_LABEL) push(this.byLength, skeleton.length, at);
      else for (const v of deletionVariants(skeleton, allowedEdits(label))) push(this.variants, v, at);
      push(this.hyphenless, label.replace(/-/g, ''), at);
      push(this.labels, label, at);
    });
  }

  /**
   * The positions (in the constructor's list, ascending) of the domains for which
   * resemblance(signer, domain) may give a reason other than the same name under another suffix:
   * every one for which it does is among them.
   */
  candidates(signer: string): number[] {
    const s = splitRegistrable(signer);
    const shown = s.label.startsWith('xn--') ? domainToUnicode(s.label) || s.label : s.label;
    const skeleton = confusableSkeleton(shown);
    const found = new Set<number>();
    const add = (list: number[] | undefined): void => list?.forEach((at) => found.add(at));
    // Look-alike characters (equal skeletons) and changed letters (at most two edits of the skeleton).
    if (skeleton.length <= MAX_VARIANT_LABEL + 2) for (const v of deletionVariants(skeleton, 2)) add(this.variants.get(v));
    for (let n = skeleton.length - 2; n <= skeleton.length + 2; n++) add(this.byLength.get(n));
    add(this.hyphenless.get(s.label.replace(/-/g, '')));
    // A hyphenated word added before or after the name.
    for (let p = s.label.indexOf('-'); p !== -1; p = s.label.indexOf('-', p + 1)) {
      add(this.labels.get(s.label.slice(0, p)));
      add(this.labels.get(s.label.slice(p + 1)));
    }
    return [...found].sort((a, b) => a - b);
  }
}

/** Why `signer` looks like `from` (empty when it does not); both are host names. Shared with archive-lookalike. */
export function resemblance(signer: string, from: string): string[] {
  const s = splitRegistrable(signer);
  const f = splitRegistrable(from);
  const punycode = s.label.startsWith('xn--');
  const shown = punycode ? domainToUnicode(s.label) || s.label : s.label;
  const [sk, fk] = [confusableSkeleton(shown), confusableSkeleton(f.label)];
  const reasons: string[] = [];
  if (s.label === f.label && s.suffix !== f.suffix) reasons.push(`same name under another suffix (.${s.suffix})`);
  if (s.label !== f.label && sk === fk) {
    reasons.push(punycode ? `punycode for "${shown}", which reads as "${f.label}"` : 'letters swapped for look-alike characters');
  }
  if (s.label !== f.label && s.label.replace(/-/g, '') === f.label.replace(/-/g, '')) reasons.push('the From name with hyphens moved');
  else if (s.label.startsWith(`${f.label}-`) || s.label.endsWith(`-${f.label}`)) reasons.push('the From name with a hyphenated word added');
  const edits = editDistance(sk, fk);
  if (reasons.length === 0 && edits > 0 && edits <= allowedEdits(f.label)) {
    reasons.push(`${edits} letter(s) changed${punycode ? ` (punycode for "${shown}")` : ''}`);
  }
  return reasons;
}

/** Script of each letter, CJK scripts merged (they legitimately mix in one name). */
function scriptsOf(label: string): string[] {
  const scripts = new Set<string>();
  for (const c of label) {
    if (!/\p{L}/u.test(c)) continue;
    if (/\p{Script=Latin}/u.test(c)) scripts.add('Latin');
    else if (/\p{Script=Cyrillic}/u.test(c)) scripts.add('Cyrillic');
    else if (/\p{Script=Greek}/u.test(c)) scripts.add('Greek');
    else if (/\p{Script=Armenian}/u.test(c)) scripts.add('Armenian');
    else if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]/u.test(c)) scripts.add('CJK');
    else scripts.add('other');
  }
  return [...scripts];
}

/** Unicode TR39 "highly restrictive": one script per label, or Latin with CJK. */
function mixesScripts(scripts: string[]): boolean {
  return scripts.length > 1 && !(scripts.length === 2 && scripts.includes('Latin') && scripts.includes('CJK'));
}

function checkSigner(sig: SignatureCheck, fromDomains: string[]): Finding | null {
  const domain = sig.domain.toLowerCase();
  if (sig.aligned || domain === '') return null;
  const signer = organisationalDomain(domain);
  if (fromDomains.some((f) => organisationalDomain(f) === signer)) return null;
  for (const from of fromDomains) {
    const reasons = resemblance(domain, from);
    if (reasons.length === 0) continue;
    return {
      check: ID,
      code: `${ID}/signer`,
      severity: 'weak',
      detail: `The message claims to be from ${from} but is signed by ${sig.domain}, a different domain that looks like it (${reasons.join('; ')}).`,
      evidence: { signer: sig.domain, selector: sig.selector, fromDomain: from, signerResult: sig.result, reasons },
    };
  }
  return null;
}

/**
 * A label made only of letters of other scripts whose TR39 prototype is Latin reads as a Latin name
 * ("раураl" is all Cyrillic). A legitimate international name (münchen, пример) is single-script and
 * uses other letters too, so it is not reported.
 */
function wholeScriptConfusable(label: string): boolean {
  const letters = [...label].filter((c) => /\p{L}/u.test(c));
  return letters.length > 0 && letters.every((c) => looksLatin(c));
}

/**
 * What can make a domain other than plain ASCII in the forms checkFromDomain reads: a character
 * outside ASCII, a punycode label, and a percent escape (domainToASCII decodes it, as a URL's host).
 */
// eslint-disable-next-line no-control-regex
const MAY_READ_OTHERWISE = /[^\x00-\x7f]|%|(^|\.)xn--/i;

function checkFromDomain(decoded: string, fromHeader: string): Finding | null {
  // Any other name is Latin letters, digits and signs in every form below: nothing to report, and
  // the two conversions (most of this check's time) are not needed.
  if (!MAY_READ_OTHERWISE.test(decoded)) return null;
  // The MIME parser hands out international domains decoded; the ASCII form is what a DNS lookup or
  // a signature's d= uses, and the raw header says whether the sender wrote punycode.
  const domain = domainToASCII(decoded) || decoded;
  const unicode = domainToUnicode(domain) || domain;
  const punycode = domain.split('.').some((l) => l.startsWith('xn--') && fromHeader.toLowerCase().includes(l));
  const labels = unicode.split('.').map((label) => ({ label, scripts: scriptsOf(label) }));
  const mixed = labels.filter((l) => mixesScripts(l.scripts));
  const confusable = labels.filter((l) => !mixesScripts(l.scripts) && !l.scripts.includes('Latin') && wholeScriptConfusable(l.label));
  if (mixed.length === 0 && confusable.length === 0) return null;
  const why = [
    ...(punycode ? [`it is punycode for "${unicode}"`] : []),
    ...mixed.map((l) => `"${l.label}" mixes ${l.scripts.join(' and ')} letters`),
    ...confusable.map((l) => `"${l.label}" is written only with ${l.scripts.join(' and ')} letters that look Latin`),
  ];
  return {
    check: ID,
    code: `${ID}/from`,
    severity: 'weak',
    detail: `The From domain ${domain} can pass for another name: ${why.join(', and ')}.`,
    evidence: { domain, unicode, punycode, mixedLabels: mixed, confusableLabels: confusable.map((l) => l.label) },
  };
}

export const check: MessageCheck = {
  id: ID,
  title: 'Look-alike signing and From domains',
  codes: {
    [`${ID}/signer`]: {
      severity: 'weak',
      meaning:
        'A DKIM signature comes from a domain that is not the From domain but looks like it (small spelling change, look-alike characters, punycode, added hyphen or another suffix).',
    },
    [`${ID}/from`]: {
      severity: 'weak',
      meaning:
        'The From domain mixes letters of different scripts in one label, or is written only with non-Latin letters that look Latin, so it can pass for another name. A plain international domain is not reported.',
    },
  },
  run({ parsed, verification }: CheckInput): Finding[] {
    const fromDomains = [...new Set(parsed.from.map((a) => a.domain).filter((d) => d !== ''))];
    const findings: Finding[] = [];
    const fromHeader = parsed.headers.find((h) => h.key === 'from')?.value ?? '';
    for (const d of fromDomains) {
      const f = checkFromDomain(d, fromHeader);
      if (f) findings.push(f);
    }
    const seen = new Set<string>();
    for (const sig of verification.signatures) {
      const f = checkSigner(sig, fromDomains);
      if (f && !seen.has(sig.domain)) {
        seen.add(sig.domain);
        findings.push(f);
      }
    }
    return findings;
  },
};
