// TR39 skeletons of host name labels: look-alikes meet, different names stay apart.
import { describe, expect, it } from 'vitest';
import { confusableSkeleton, looksLatin } from '../../src/common/confusables.ts';

describe('confusableSkeleton', () => {
  it('gives look-alike labels the skeleton of the name they pass for', () => {
    const example = confusableSkeleton('example');
    for (const lookalike of ['examp1e', 'exarnple', 'ex\u0430mple', 'EXAMPLE', 'ex\u0430mpl\u0435', 'exampl3']) {
      expect(confusableSkeleton(lookalike), lookalike).toBe(example);
    }
    // Cyrillic р а у р а, then a Latin l.
    expect(confusableSkeleton('\u0440\u0430\u0443\u0440\u0430l')).toBe(confusableSkeleton('paypal'));
    expect(confusableSkeleton('g00gle')).toBe(confusableSkeleton('google'));
    expect(confusableSkeleton('vvikipedia')).toBe(confusableSkeleton('wikipedia'));
  });

  it('keeps different names apart', () => {
    expect(confusableSkeleton('example')).not.toBe(confusableSkeleton('sample'));
    expect(confusableSkeleton('münchen')).not.toBe(confusableSkeleton('munchen'));
    expect(confusableSkeleton('пример')).not.toBe(confusableSkeleton('npnmep'));
  });
});

describe('looksLatin', () => {
  it('is true for letters whose prototype is a plain Latin letter, false for the others', () => {
    for (const c of ['\u0430', '\u03bf', '\u0456', '\u0440']) expect(looksLatin(c), c).toBe(true);
    for (const c of ['\u0444', '\u0431', 'a', '\u4e2d']) expect(looksLatin(c), c).toBe(false);
  });
});
