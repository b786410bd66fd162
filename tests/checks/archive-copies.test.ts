import { describe, expect, it } from 'vitest';
import { archiveCopies, MAX_COMPARED_VERSIONS, MAX_LISTED_COPIES } from '../../src/checks/archive-copies.ts';
import type { CopyRecord } from '../../src/checks/archive-copies.ts';
import type { Finding } from '../../src/model.ts';
import { MAX_FACT_ENTRIES } from '../../src/checks/message-facts.ts';
import { place, record } from './archive-fixtures.ts';
import { BODY, HEADERS, mixedGroup } from './archive-copies-kinds.ts';
import { createHash } from 'node:crypto';
import type { RecordSpec } from './archive-fixtures.ts';

function copy(sha256: string, over: Partial<RecordSpec> = {}): Promise<CopyRecord> {
  return record({ sha256, headers: HEADERS, body: BODY, ...over });
}

function codes(out: Map<string, Finding[]>, sha: string): string[] {
  return (out.get(sha) ?? []).map((f) => f.code);
}

function run(copies: CopyRecord[], replyQuotes: number[][] = [], parentGrams: number[] = []): Map<string, Finding[]> {
  const out = archiveCopies.run({ copies, replyQuotes, parentGrams });
  for (const fs of out.values())
    for (const f of fs) {
      expect(f.check).toBe('archive-copies');
      expect(archiveCopies.codes[f.code]?.severity).toBe(f.severity);
      expect(f.detail).toMatch(/^[A-Z].*\.$/);
    }
  return out;
}

describe('archive-copies', () => {
  it('verifies a copy identical to a verified copy through it, naming where that copy sits', async () => {
    const signed = await copy('a', { selfVerdict: 'verified', places: [place('bo/INBOX', 'inbox')] });
    const sent = await copy('b', { places: [place('ana/Sent', 'sent')] });
    const out = run([signed, sent]);
    expect(codes(out, 'b')).toEqual(['archive-copies/same-as-verified']);
    expect(out.get('b')![0]!.detail).toMatch(/^Identical in content to the verified copy in bo\/INBOX/);
    // The verified copy itself needs no word from its copies.
    expect(codes(out, 'a')).toEqual([]);
  });

  it('marks a copy that differs from a verified copy as altered, with the line diff as evidence', async () => {
    const signed = await copy('a', { selfVerdict: 'verified', places: [place('bo/INBOX', 'inbox')] });
    const edited = await copy('b', { body: BODY.replace('12,400', '112,400'), places: [place('ana/Sent', 'sent')] });
    const out = run([signed, edited]);
    expect(codes(out, 'b')).toEqual(['archive-copies/differs-from-verified']);
    const ev = out.get('b')![0]!.evidence;
    expect(ev).toMatchObject({ verifiedCopy: 'a', differs: ['text'] });
    expect(ev.textDiff).toEqual({
      runs: [
        { op: ' ', lines: ['Hi Bo,', ''] },
        { op: '-', lines: ['The budget for March is 12,400 euros.'] },
        { op: '+', lines: ['The budget for March is 112,400 euros.'] },
        { op: ' ', lines: ['', 'Ana'] },
      ],
      truncated: 0,
    });
  });

  it('catches an edit of the HTML part alone, and of the recipients', async () => {
    const html = (amount: string): string =>
      `--b1\r\nContent-Type: text/plain\r\n\r\n${BODY}\r\n--b1\r\nContent-Type: text/html\r\n\r\n<p>The budget is ${amount} euros.</p>\r\n--b1--\r\n`;
    const mime = [...HEADERS, 'MIME-Version: 1.0', 'Content-Type: multipart/alternative; boundary="b1"'];
    const signed = await copy('a', { headers: mime, body: html('12,400'), selfVerdict: 'verified' });
    const edited = await copy('b', { headers: mime, body: html('112,400') });
    const out = run([signed, edited]);
    expect(out.get('b')![0]!.evidence).toMatchObject({ differs: ['HTML text'] });
    const rerouted = await copy('c', {
      headers: mime.map((h) => h.replace('team@example.org', 'press@example.net')),
      body: html('12,400'),
    });
    expect(run([signed, rerouted]).get('c')![0]!.evidence).toMatchObject({ differs: ['To/Cc'] });
  });

  it('bounds the recipients its facts keep, and still tells copies apart by the whole list', async () => {
    const many = (n: number, last: string): string[] => [
      ...Array.from({ length: n }, (_, i) => `user${String(i).padStart(4, '0')}@example.org`),
      last,
    ];
    const to = (addresses: string[]): string[] => HEADERS.map((h) => (h.startsWith('To:') ? `To: ${addresses.join(', ')}` : h));
    const signed = await copy('a', { headers: to(many(700, 'zoe@example.org')), selfVerdict: 'verified' });
    const same = await copy('b', { headers: to(many(700, 'zoe@example.org')) });
    // The same first 500 in sorted order; only the 701st address differs.
    const rerouted = await copy('c', { headers: to(many(700, 'zack@example.net')) });
    expect(signed.facts.recipients).toHaveLength(MAX_FACT_ENTRIES);
    expect(signed.facts.recipientCount).toBe(701);
    expect(rerouted.facts.recipients).toEqual(signed.facts.recipients);
    expect(rerouted.facts.recipientsKey).not.toBe(signed.facts.recipientsKey);
    expect(codes(run([signed, same]), 'b')).toEqual(['archive-copies/same-as-verified']);
    const out = run([signed, rerouted]);
    expect(codes(out, 'c')).toEqual(['archive-copies/differs-from-verified']);
    const ev = out.get('c')![0]!.evidence as { differs: string[]; headers: { header: string; thisCopy: unknown }[] };
    expect(ev.differs).toEqual(['To/Cc']);
    // The evidence says how many there were, beside the ones kept.
    expect(ev.headers[0]!.thisCopy).toMatchObject({ of: 701 });
  });

  it("undoes a mailing list's footer and subject tag: the list copy is not altered, and not verified through the signed copy", async () => {
    const signed = await copy('a', { selfVerdict: 'verified' });
    const listed = await copy('b', {
      headers: [...HEADERS.map((h) => h.replace('Subject: ', 'Subject: [team] ')), 'List-Id: <team.example.org>'],
      body: `${BODY}_______________________________________________\r\nteam mailing list\r\nhttps://lists.example.org/team\r\n`,
    });
    const out = run([signed, listed]);
    expect(codes(out, 'b')).toEqual(['archive-copies/list-copy']);
    expect(out.get('b')![0]!.evidence).toMatchObject({ undone: ['subject tag', 'footer'] });
    // Without list headers the same addition is an edit.
    const appended = await copy('c', { body: `${BODY}P.S. Transfer it to account 991.\r\n` });
    expect(codes(run([signed, appended]), 'c')).toEqual(['archive-copies/differs-from-verified']);
  });

  it('tells messages that merely share an ID (another subject, date and text) from copies', async () => {
    const a = await copy('a', { selfVerdict: 'verified' });
    const reused = await copy('b', {
      headers: HEADERS.map((h) =>
        h.startsWith('Subject') ? 'Subject: Lunch?' : h.startsWith('Date') ? 'Date: Fri, 14 Mar 2025 12:00:00 +0100' : h,
      ),
      body: 'Lunch at noon?\r\n',
    });
    const out = run([a, reused]);
    expect(codes(out, 'b')).toEqual(['archive-copies/other-copies']);
    expect(out.get('b')![0]!.evidence).toMatchObject({ reusedId: true });
  });

  it("flags only the odd one out when the sender's sent copy and a recipient's inbox copy agree", async () => {
    const sent = await copy('a', { places: [place('ana/Sent', 'sent')] });
    const inbox = await copy('b', { places: [place('bo/INBOX', 'inbox')] });
    const forged = await copy('c', { body: BODY.replace('12,400', '21,400'), places: [place('carl/INBOX', 'inbox')] });
    const out = run([sent, inbox, forged]);
    expect(codes(out, 'c')).toEqual(['archive-copies/odd-copy-out']);
    expect(out.get('c')![0]!.detail).toContain("the sender's sent copy and a recipient's inbox copy");
    expect(codes(out, 'a')).toEqual(['archive-copies/corroborated']);
    expect(codes(out, 'b')).toEqual(['archive-copies/corroborated']);
  });

  it('decides by the text replies quote, and flags neither copy when nothing decides', async () => {
    const one = await copy('a', { places: [place('ana/Sent', 'sent')] });
    const two = await copy('b', { body: BODY.replace('12,400', '21,400'), places: [place('bo/INBOX', 'inbox')] });
    const undecided = run([one, two]);
    expect(codes(undecided, 'a')).toEqual(['archive-copies/conflicting-copies']);
    expect(codes(undecided, 'b')).toEqual(['archive-copies/conflicting-copies']);
    // One of the two was altered, but the evidence weighs as much against either: context on both
    // pages, with the other copy's differences, and no flag on either.
    for (const sha of ['a', 'b']) {
      const f = undecided.get(sha)![0]!;
      expect(f.severity).toBe('info');
      expect(f.evidence.differs).toEqual(['text']);
    }
    // A reply in the archive quotes the 21,400 version.
    const quoted = (
      await record({ sha256: 'r', headers: HEADERS, body: '> The budget for March is 21,400 euros.\r\n> \r\n> Ana\r\nFine.\r\n' })
    ).facts;
    const grams = (await import('../../src/checks/text-forms.ts')).unpackGrams(quoted.quoteGrams);
    expect(grams.length).toBeGreaterThan(0);
    const out = run([one, two], [grams]);
    expect(codes(out, 'a')).toEqual(['archive-copies/odd-copy-out']);
    expect(codes(out, 'b')).toEqual(['archive-copies/corroborated']);
  });
});

describe('archive-copies never proves a copy whose own signature fails', () => {
  it('keeps a copy carrying a signature that does not verify out of the copy proof (real corpus: rspamd bad_dkim*)', async () => {
    const signed = await copy('a', { selfVerdict: 'verified', signatures: [{ domain: 'example.org' }] });
    const badKey = await copy('b', { signatures: [{ domain: 'example.org', result: 'permerror', problem: 'key-unusable' }] });
    const out = run([signed, badKey]);
    expect(codes(out, 'b')).toEqual(['archive-copies/same-content']);
    // Nor a third party's signature that fails or cannot be checked (rspamd bad_dkim3: an unknown key).
    const other = await copy('c', { signatures: [{ domain: 'dnssec-failed.org', result: 'neutral', problem: 'no-key', keySource: null }] });
    expect(codes(run([signed, other]), 'c')).toEqual(['archive-copies/same-content']);
  });
});

describe('archive-copies: what decides between two copies', () => {
  it('takes the inconsistencies other checks found on a copy as weighing against it', async () => {
    const sent = await copy('a', { places: [place('ana/Sent', 'sent')] });
    const replaced = await copy('b', { body: BODY.replace('12,400', '21,400'), places: [place('bo/INBOX', 'inbox')] });
    expect(codes(run([sent, replaced]), 'a')).toEqual(['archive-copies/conflicting-copies']);
    // An archive check (a document's metadata, a fingerprint) found something on the inbox copy.
    const flagged = { ...replaced, flags: ['archive-fingerprint/platform-mismatch'] };
    const out = run([sent, flagged]);
    expect(codes(out, 'a')).toEqual(['archive-copies/corroborated']);
    expect(codes(out, 'b')).toEqual(['archive-copies/odd-copy-out']);
    // An honest absence (a missing signature the archive explains) weighs nothing.
    expect(codes(run([sent, { ...replaced, flags: ['dkim/missing-signature'] }]), 'a')).toEqual(['archive-copies/conflicting-copies']);
  });

  it('weighs a document nobody known saved against its copy, but only against a copy whose documents are vouched for', async () => {
    const sent = await copy('a', { places: [place('ana/Sent', 'sent')] });
    const replaced = await copy('b', { body: BODY.replace('12,400', '21,400'), places: [place('bo/INBOX', 'inbox')] });
    // The inbox copy's attachment was saved by someone the archive does not know: context alone,
    // but it tells the two copies apart.
    const doubted = { ...replaced, flags: ['archive-documents/unknown-editor'] };
    const out = run([sent, doubted]);
    expect(codes(out, 'a')).toEqual(['archive-copies/corroborated']);
    expect(codes(out, 'b')).toEqual(['archive-copies/odd-copy-out']);
    expect(out.get('b')![0]!.detail).toContain('attachments saved by people the archive knows');
    // Both copies carry such a document (a partner's file in both): nothing decides.
    const both = run([{ ...sent, flags: ['archive-documents/rare-language'] }, doubted]);
    expect(codes(both, 'a')).toEqual(['archive-copies/conflicting-copies']);
    expect(codes(both, 'b')).toEqual(['archive-copies/conflicting-copies']);
    // The other copy has an inconsistency of its own: the doubt does not vouch for it.
    const selfFlagged = run([{ ...sent, flags: ['archive-fingerprint/platform-mismatch'] }, doubted]);
    expect(codes(selfFlagged, 'a')).toEqual(['archive-copies/odd-copy-out']);
  });

  it('skips groups whose copies agree and none is verified, and compares the rest', async () => {
    const { needsComparison } = await import('../../src/checks/archive-copies.ts');
    expect(needsComparison([await copy('a'), await copy('b')])).toBe(false);
    expect(needsComparison([await copy('a', { selfVerdict: 'verified' }), await copy('b')])).toBe(true);
    expect(needsComparison([await copy('a'), await copy('b', { body: 'Other.\r\n' })])).toBe(true);
  });

  it('finds what comparing every pair of copies found, comparing each kind of copy once', async () => {
    // The findings of a seeded group of 60 copies of six kinds, with and without verified copies,
    // recorded from the code that compared every pair (before kindsOf): codes, details and evidence.
    // (With verified copies, re-recorded when the list-copy sentences came to name a gateway's marks too:
    // only those words changed.)
    const recorded = {
      verified: '6c758f965dcd1028f9176c994fc86035862f74fc4716e28a53d3a723c0c7dd72',
      unverified: '1b2bd280305cd99dda960c093a1a6a6c2ba721e0227f24757295bda171e744b9',
    };
    for (const [withVerified, hash] of [
      [true, recorded.verified],
      [false, recorded.unverified],
    ] as const) {
      const out = run(await mixedGroup(withVerified));
      const all = JSON.stringify([...out.entries()].sort().map(([sha, fs]) => [sha, fs]));
      expect(createHash('sha256').update(all).digest('hex')).toBe(hash);
    }
  });

  it('judges 5,000 identical copies of a message to all staff, one of them verified', async () => {
    // Comparing every pair, 2,000 such copies took 10.5 s and 400 MB of heap, and the time and memory
    // grew with the square of the copies; one comparison of the kind now stands for them all.
    const headers = HEADERS.map((h) => h.replace('To: Bo Chen <bo@example.org>, team@example.org', 'To: all@example.org'));
    const copies: CopyRecord[] = [];
    for (let i = 0; i < 5000; i++)
      copies.push(
        await copy(i.toString(16).padStart(64, '0'), {
          headers,
          selfVerdict: i === 0 ? 'verified' : 'unverifiable',
          places: [place(`u${i}/INBOX`, 'inbox')],
        }),
      );
    const out = run(copies);
    expect(out.size).toBe(4999);
    for (const [, fs] of out) expect(fs.map((f) => f.code)).toEqual(['archive-copies/same-as-verified']);
  });

  it('names at most MAX_LISTED_COPIES other copies in a finding, and says how many there are', async () => {
    // A program that gave 300 messages one Message-ID: each is a message of its own, not a copy.
    const copies: CopyRecord[] = [];
    for (let i = 0; i < 300; i++)
      copies.push(
        await copy(i.toString(16).padStart(64, '0'), {
          headers: HEADERS.map((h) =>
            h
              .replace('Budget for March', `Note ${i}`)
              .replace(
                'Tue, 4 Mar 2025 09:12:00',
                `Tue, 4 Mar 2025 ${String(i % 24).padStart(2, '0')}:12:${String(i % 60).padStart(2, '0')}`,
              )
              .replace('4 Mar', `${4 + Math.floor(i / 24)} Mar`),
          ),
          body: `Note number ${i}.\r\n`,
        }),
      );
    const out = run(copies);
    expect(out.size).toBe(300);
    for (const [, fs] of out) {
      expect(fs.map((f) => f.code)).toEqual(['archive-copies/other-copies']);
      // 300 versions: more than MAX_COMPARED_VERSIONS, so not compared each with each.
      expect(fs[0]!.detail).toContain('is carried by 300 messages in 300 versions');
      expect(fs[0]!.evidence).toMatchObject({ copiesCount: 299 });
      expect((fs[0]!.evidence.copies as string[]).length).toBe(MAX_LISTED_COPIES);
    }
  });

  it('compares a copy among more versions than MAX_COMPARED_VERSIONS only with the verified ones near it, and still finds the altered copy', async () => {
    // 2,000 messages with one Message-ID, each with its own subject and text, within the hour (a
    // mailer that personalises each recipient's message): compared each with each, they ran the archive pass
    // out of memory. Among them: a verified copy, one identical to it, and one altered from it.
    const at = (i: number): string =>
      `Tue, 4 Mar 2025 09:${String(12 + (Math.floor(i / 60) % 40)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;
    const copies: CopyRecord[] = [];
    for (let i = 0; i < 2000; i++)
      copies.push(
        await copy(i.toString(16).padStart(64, '0'), {
          headers: HEADERS.map((h) => h.replace('Tue, 4 Mar 2025 09:12:00', at(i + 1)).replace('Budget for March', `Your statement ${i}`)),
          body: `Dear reader ${i},\r\nthe budget is ${i} euros.\r\n`,
          places: [place(`u${i}/INBOX`, 'inbox')],
        }),
      );
    const signed = await copy('v'.padEnd(64, '0'), { selfVerdict: 'verified', places: [place('bo/INBOX', 'inbox')] });
    const same = await copy('s'.padEnd(64, '0'), { places: [place('ana/Sent', 'sent')] });
    const edited = await copy('e'.padEnd(64, '0'), { body: BODY.replace('12,400', '112,400'), places: [place('cy/INBOX', 'inbox')] });
    const t = performance.now();
    const out = run([...copies, signed, same, edited]);
    expect(performance.now() - t).toBeLessThan(20_000);
    expect(codes(out, same.sha256)).toEqual(['archive-copies/same-as-verified']);
    expect(codes(out, edited.sha256)).toEqual(['archive-copies/differs-from-verified']);
    expect(out.get(edited.sha256)![0]!.evidence).toMatchObject({ verifiedCopy: signed.sha256, differs: ['text'] });
    // Every other message shares only the ID; each was compared with the verified copy alone.
    for (const c of [signed, ...copies]) {
      expect(codes(out, c.sha256)).toEqual(['archive-copies/other-copies']);
      const f = out.get(c.sha256)![0]!;
      expect(f.detail).toContain('is carried by 2003 messages in 2002 versions: too many to be copies of one message');
      expect(f.evidence).toMatchObject({ versions: 2002, copiesCount: 2002, reusedId: true });
      expect((f.evidence.copies as string[]).length).toBe(MAX_LISTED_COPIES);
    }
  });

  it('compares every pair of versions up to MAX_COMPARED_VERSIONS, as before', async () => {
    // The odd one out among exactly MAX_COMPARED_VERSIONS versions (the sent copy and an inbox copy
    // are one, the odd copy another): the sent copy and the inbox copy agree, and say so.
    const versions: CopyRecord[] = [];
    for (let i = 0; i < MAX_COMPARED_VERSIONS - 2; i++)
      versions.push(
        await copy(`x${String(i).padStart(63, '0')}`, {
          body: `Unrelated note ${i}.\r\n`,
          headers: HEADERS.map((h) => h.replace('Budget for March', `Note ${i}`)),
        }),
      );
    const sent = await copy('a'.padEnd(64, '0'), { places: [place('ana/Sent', 'sent')] });
    const inbox = await copy('b'.padEnd(64, '0'), { places: [place('bo/INBOX', 'inbox')] });
    const odd = await copy('c'.padEnd(64, '0'), { body: BODY.replace('12,400', '112,400'), places: [place('cy/INBOX', 'inbox')] });
    const out = run([...versions, sent, inbox, odd]);
    expect(codes(out, odd.sha256)).toEqual(['archive-copies/odd-copy-out']);
  });

  it('among more versions than MAX_COMPARED_VERSIONS, proves a copy through a verified copy of its own version, whatever its date', async () => {
    // A mailer that personalises each recipient's message under one Message-ID and one Date, each
    // signed in its recipient's inbox, and the sender's unsigned copy of each in Sent.
    const versions = MAX_COMPARED_VERSIONS + 40;
    const copies: CopyRecord[] = [];
    for (let i = 0; i < versions; i++) {
      const over = {
        headers: HEADERS.map((h) => (h.startsWith('To:') ? `To: reader${i}@example.org` : h)),
        body: `Dear reader ${i},\r\nyour statement is attached.\r\n`,
      };
      copies.push(
        await copy(`v${String(i).padStart(63, '0')}`, { ...over, selfVerdict: 'verified', places: [place(`r${i}/INBOX`, 'inbox')] }),
      );
      copies.push(await copy(`s${String(i).padStart(63, '0')}`, { ...over, places: [place('ana/Sent', 'sent')] }));
    }
    const out = run(copies);
    for (let i = 0; i < versions; i++) expect(codes(out, `s${String(i).padStart(63, '0')}`)).toEqual(['archive-copies/same-as-verified']);
  });
});
