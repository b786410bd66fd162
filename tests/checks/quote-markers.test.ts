// Quote markers taken off a line by a loop, with the result of `/^(\s*>)+ ?/`, whose backtracking
// stack overflowed on a line of 2 MiB of ">" and failed the whole analysis of its message.
import { describe, expect, it } from 'vitest';
import { withoutQuoteMarkers } from '../../src/checks/text-forms.ts';
import { analyseMessage } from '../../src/pipeline/analyse-message.ts';
import { KeyIndex } from '../../src/verify/key-index.ts';
import { stringsFrom } from '../helpers/seeded-random.ts';

describe('withoutQuoteMarkers', () => {
  it("leaves what `replace(/^(\\s*>)+ ?/, '')` leaves, on 30,000 seeded lines", () => {
    const pieces = ['>', '>', ' ', '  ', '\t', '\u00a0', '\u2003', 'a', 'b c', '> '];
    for (const s of stringsFrom(2612, pieces, 30_000, 10))
      expect(withoutQuoteMarkers(s), JSON.stringify(s)).toBe(s.replace(/^(\s*>)+ ?/, ''));
    expect(withoutQuoteMarkers('> > quoted text')).toBe('quoted text');
    expect(withoutQuoteMarkers('>>  two spaces')).toBe(' two spaces');
    expect(withoutQuoteMarkers('  no marker')).toBe('  no marker');
  });

  it('takes 8 MiB of markers off at once', () => {
    expect(withoutQuoteMarkers('>'.repeat(8 * 1024 * 1024))).toBe('');
  });

  it('a message whose text is 2 MiB of ">" is analysed', async () => {
    const bytes = Buffer.from(
      `From: alice@example.org\r\nTo: bob@example.org\r\nDate: Mon, 1 Jun 2020 10:00:00 +0000\r\nMessage-ID: <q@example.org>\r\nSubject: s\r\n\r\n${'>'.repeat(2 * 1024 * 1024 + 10)}\r\n`,
    );
    const a = await analyseMessage(bytes, { keys: new KeyIndex(), now: 1_700_000_000 });
    expect(a.parsed.from[0]!.address).toBe('alice@example.org');
    expect(a.facts).toBeDefined();
  });
});
