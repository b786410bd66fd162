// The archive facts stay bounded whatever a message names (MAX_FACT_ENTRIES, MAX_FACT_CHARS): the
// archive pass holds a page of them, or every copy of one Message-ID, at once.
import { describe, expect, it } from 'vitest';
import { collectMessageFacts, MAX_FACT_CHARS, MAX_FACT_ENTRIES } from '../../src/checks/message-facts.ts';
import { hashText } from '../../src/checks/text-forms.ts';
import { message } from './fixtures.ts';

const BASE = ['From: Ana <ana@example.org>', 'Subject: Plan', 'Date: Tue, 4 Mar 2025 09:12:00 +0100'];

async function factsOf(headers: string[]) {
  return collectMessageFacts(await message({ headers: [...BASE, ...headers] }), { verdict: 'unverifiable', findings: [] });
}

describe('message facts: bounds', () => {
  it('keeps a small message whole', async () => {
    const f = await factsOf(['To: bo@example.org, Cy <cy@example.org>', 'References: <a@x> <b@x>', 'Message-ID: <c@x>']);
    expect(f.recipients).toEqual(['bo@example.org', 'cy@example.org']);
    expect(f.recipientCount).toBe(2);
    expect(f.recipientsKey).toBe(hashText('bo@example.org\ncy@example.org'));
    expect(f.references).toEqual(['<a@x>', '<b@x>']);
  });

  it('keeps the first recipients in sorted order, with the count and the hash of the whole list', async () => {
    const all = Array.from({ length: 1200 }, (_, i) => `u${String(i).padStart(4, '0')}@example.org`);
    const f = await factsOf([`To: ${[...all].reverse().join(', ')}`]);
    expect(f.recipients).toEqual(all.slice(0, MAX_FACT_ENTRIES));
    expect(f.recipientCount).toBe(1200);
    expect(f.recipientsKey).toBe(hashText(all.join('\n')));
  });

  it('keeps the first reference and the latest ones, the parent last', async () => {
    const ids = Array.from({ length: 900 }, (_, i) => `<r${i}@x>`);
    const f = await factsOf([`References: ${ids.join(' ')}`]);
    expect(f.references).toHaveLength(MAX_FACT_ENTRIES);
    expect(f.references[0]).toBe('<r0@x>');
    expect(f.references.at(-1)).toBe('<r899@x>');
    expect(f.references[1]).toBe(`<r${900 - MAX_FACT_ENTRIES + 1}@x>`);
  });

  it('bounds the results headers in number, in pairs over all of them, and in characters', async () => {
    const pairs = Array.from({ length: 400 }, (_, i) => `dkim=pass header.d=d${i}.example`).join('; ');
    const longId = `mx.${'a'.repeat(3000)}.example`;
    const f = await factsOf([`Authentication-Results: ${longId}; ${pairs}`, `Authentication-Results: mx.example.org; ${pairs}`]);
    expect(f.authResults).toHaveLength(2);
    expect(f.authResults[0]!.authservId).toHaveLength(MAX_FACT_CHARS);
    expect(f.authResults[0]!.results).toHaveLength(400);
    expect(f.authResults[1]!.results).toHaveLength(MAX_FACT_ENTRIES - 400);
  });

  it('cuts a From address and an identifier as long as their headers', async () => {
    const local = 'x'.repeat(5000);
    const f = await factsOf([`To: bo@example.org`, `Message-ID: <a${'.'.repeat(3000)}b@example.org>`]);
    expect(f.fingerprint.idShape).toHaveLength(MAX_FACT_CHARS);
    const g = collectMessageFacts(await message({ headers: [`From: ${local}@example.org`, 'To: bo@example.org', 'Subject: Plan'] }), {
      verdict: 'unverifiable',
      findings: [],
    });
    expect(g.from).toBe(`${local}@example.org`.slice(0, MAX_FACT_CHARS));
  });

  it('places each results header between the hops above and below it', async () => {
    const f = await factsOf([
      'Received: from relay.example.com by mx.example.net; Tue, 4 Mar 2025 09:12:05 +0100',
      'Authentication-Results: mx.example.net; dkim=pass header.d=example.org',
      'Received: from host.example.org by relay.example.com; Tue, 4 Mar 2025 09:12:03 +0100',
      'Authentication-Results: relay.example.com; spf=pass smtp.mailfrom=example.org',
    ]);
    expect(f.authResults.map((r) => [r.hopsAbove, r.hopAbove, r.hopBelow])).toEqual([
      [1, 'example.net', 'example.com'],
      [2, 'example.com', null],
    ]);
  });
});
