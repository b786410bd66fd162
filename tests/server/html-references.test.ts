// What a message's HTML refers to outside itself: tracking pixels, remote styles and frames, links
// whose text shows another address.
import { describe, expect, it } from 'vitest';
import { cssUrls, listHtmlReferences } from '../../src/server/html-references.ts';
import { stringsFrom } from '../helpers/seeded-random.ts';
import { hostileHtml } from '../helpers/review-corpus.ts';

describe('listHtmlReferences', () => {
  it('lists every remote load of the hostile fixture, marks the pixel, and leaves inline content out', () => {
    const { references, truncated } = listHtmlReferences(hostileHtml('http://127.0.0.1:9/beacon'));
    expect(truncated).toBe(false);
    const list = references.map((r) => `${r.kind} ${r.where} ${r.url}${r.pixel ? ' pixel' : ''}`);
    expect(list).toEqual(
      expect.arrayContaining([
        'image img src https://tracker.example/p.gif pixel',
        'image img src http://127.0.0.1:9/beacon?img',
        'image style https://tracker.example/bg.png',
        'stylesheet style https://tracker.example/import.css',
        'stylesheet link rel=stylesheet https://tracker.example/style.css',
        'prefetch link rel=dns-prefetch https://prefetch.tracker.example',
        'refresh meta refresh http://127.0.0.1:9/beacon?refresh',
        'frame iframe src http://127.0.0.1:9/beacon?iframe',
        'frame iframe src https://tracker.example/frame',
        'object object data http://127.0.0.1:9/beacon?object',
        'form form action http://127.0.0.1:9/beacon?form',
        "link a href javascript:parent.postMessage('link-ran', '*')",
        'link a href https://tracker.example/clicked',
      ]),
    );
    expect(list).not.toContain('image img src x');
    expect(references.filter((r) => r.kind === 'image').every((r) => r.url !== 'x')).toBe(true);
  });

  it('marks a link whose text shows another host, not one that shows its own', () => {
    const { references } = listHtmlReferences(
      '<a href="https://evil.example/login">https://www.bank.example/secure</a> <a href="https://www.bank.example/x">bank.example</a>' +
        '<img src="data:image/png;base64,AAAA"><img src="cid:logo@x"><a href="#top">top</a>',
    );
    expect(references).toEqual([
      {
        kind: 'link',
        url: 'https://evil.example/login',
        where: 'a href',
        count: 1,
        pixel: false,
        shownAs: 'https://www.bank.example/secure',
      },
      { kind: 'link', url: 'https://www.bank.example/x', where: 'a href', count: 1, pixel: false, shownAs: null },
    ]);
  });

  it('counts repeats once and stops at its limit', () => {
    const many = Array.from({ length: 600 }, (_, i) => `<img src="https://t.example/${i}.gif" width=1 height=1>`).join('');
    const r = listHtmlReferences(`<img src="https://t.example/a"><img src="https://t.example/a">${many}`);
    expect(r.references[0]).toMatchObject({ url: 'https://t.example/a', count: 2, pixel: false });
    expect(r.references).toHaveLength(500);
    expect(r.truncated).toBe(true);
  });
});

describe('cssUrls', () => {
  const byExpression = (css: string) =>
    [...css.matchAll(/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)/gi)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');

  it('finds what the expression finds, on 30,000 seeded style sheets', () => {
    const pieces = ['url(', 'URL(', ')', ' ', '"', "'", 'a', 'x.png', ';', '\t', 'İ', 'u'];
    for (const s of stringsFrom(1206, pieces, 30_000, 14)) expect(cssUrls(s), JSON.stringify(s)).toEqual(byExpression(s));
  });

  it('reads a megabyte of unclosed url( in one pass', () => {
    expect(cssUrls('url('.repeat(256 * 1024))).toEqual([]);
    expect(cssUrls('url("'.repeat(200 * 1024))).toEqual([]);
  });
});

describe('a link of megabytes of text', () => {
  it('is read from its first 300 characters', () => {
    const { references } = listHtmlReferences(`<a href="https://bank.example/">${'a.'.repeat(512 * 1024)}</a>`);
    expect(references).toHaveLength(1);
    expect(references[0]!.url).toBe('https://bank.example/');
  });
});
