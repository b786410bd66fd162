// Our own DKIM verifier against mailauth, the reference: on every message of the generated corpus,
// the demo dump and the real corpus, and on seeded mutations of them, a message our verifier takes
// gets exactly the SignatureCheck records mailauth's strict mode gives it. Body hashes are compared
// with mailauth's on fuzzed bodies (tabs, runs of spaces, bare CR, bare LF, trailing blank lines, l=).
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readMessage } from '../../src/parse/parse-message.ts';
import { verifyMessage } from '../../src/verify/verify-message.ts';
import type { VerifyOptions } from '../../src/verify/verify-message.ts';
import { readKeyFile } from '../../src/verify/key-files.ts';
import { KeyIndex } from '../../src/verify/key-index.ts';
import { computeBodyHashes, withCrlfLineBreaks } from '../../src/verify/body-hash.ts';
import { verifyWithMailauth } from '../../src/verify/mailauth-adapter.ts';
import { integersFrom } from '../helpers/seeded-random.ts';
import { signMessage } from '../../test-corpus/sign.ts';
import { base64Lines } from '../helpers/fixture-db.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const REAL = resolve(ROOT, '../shared/corpus/real');
const zone = (file: string) => readKeyFile(readFileSync(file, 'utf8'), file).records;
const keys = new KeyIndex([
  ...zone(join(ROOT, 'test-corpus/keys/corpus.zone')),
  ...zone(join(ROOT, 'test-corpus/keys/demo.zone')),
  ...(existsSync(REAL) ? zone(join(REAL, 'keys.zone')) : []),
]);

function emlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile() && (f.endsWith('.eml') || /\/(cur|new)\//.test(f)));
}

/** Seeded byte-level mutations that keep a message mostly readable. */
function mutations(bytes: Buffer, seed: number): Buffer[] {
  let s = seed;
  const rnd = (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
  const text = bytes.toString('latin1');
  return [
    Buffer.from(text.replace(/\r\n/g, '\n'), 'latin1'),
    Buffer.from(text.replace(/ /, '  '), 'latin1'),
    Buffer.from(`${text}\r\n\r\n \t\r\n`, 'latin1'),
    Buffer.from(text.replace(/\r\n\r\n/, '\r\n\r\n\t'), 'latin1'),
    (() => {
      const b = Buffer.from(bytes);
      if (b.length) b[rnd(b.length)] = 0x20;
      return b;
    })(),
  ];
}

/** A body's hash as mailauth computes it (on a message signed with those tags) and as computeBodyHashes does. */
async function bothBodyHashes(body: string, canon: 'simple' | 'relaxed', limit: number | null) {
  const sig =
    `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/${canon}; d=example.org; s=x; h=from; bh=AAAA; b=AAAA` +
    (limit === null ? '' : `; l=${limit}`);
  const message = Buffer.from(`${sig}\r\nFrom: a@example.org\r\n\r\n${body}`, 'latin1');
  const ref = await verifyWithMailauth(message, 2_000_000_000, async () => ({ error: 'ENOTFOUND' }));
  const [mine] = computeBodyHashes(Buffer.from(body, 'latin1'), [{ canonicalization: canon, hash: 'sha256', limit }]);
  return { ref: ref.signatures[0]!, mine: mine! };
}

async function both(bytes: Buffer, now = 2_000_000_000) {
  // The parser's layout, as an import hands it over: its runs of base64 lines spare our body hash a search.
  const { parsed, layout } = await readMessage(bytes);
  const opts: VerifyOptions = { keys, now };
  const own = await verifyMessage(bytes, parsed, opts, layout);
  const ref = await verifyMessage(bytes, parsed, { ...opts, verifier: 'mailauth' });
  return { own, ref };
}

describe('our DKIM verifier', () => {
  it('agrees with mailauth on every signature of the corpora it takes, and takes most signed mail', async () => {
    const files = [
      ...emlFiles(join(ROOT, 'test-corpus/generated')),
      ...emlFiles(join(ROOT, 'test-corpus/demo')),
      ...emlFiles(join(REAL, 'mailauth')),
      ...emlFiles(join(REAL, 'dkimpy')),
      ...emlFiles(join(REAL, 'mimekit')),
      ...emlFiles(join(REAL, 'mail-dkim-perl')),
      ...emlFiles(join(REAL, 'blaze')),
      ...emlFiles(join(REAL, 'hamcrest-mail')),
      ...emlFiles(join(REAL, 'arc-test-suite')),
    ];
    let own = 0;
    let signed = 0;
    for (const [n, file] of files.entries()) {
      for (const bytes of [readFileSync(file), ...mutations(readFileSync(file), n)]) {
        const r = await both(bytes);
        const { verifiedBy, ...ownRest } = r.own;
        const { verifiedBy: refBy, ...refRest } = r.ref;
        expect(ownRest, file).toEqual(refRest);
        if (r.own.signatures.length) signed++;
        if (verifiedBy === 'own' && r.own.signatures.length) own++;
        expect(refBy === 'mailauth' || refBy === null).toBe(true);
      }
    }
    expect(signed).toBeGreaterThan(200);
    // Most signed corpus messages are plain; the rest are the odd cases the corpora exist for.
    expect(own / signed).toBeGreaterThan(0.4);
  });

  it('computes the body hashes mailauth computes, for both canonicalizations and l=', async () => {
    const rnd = integersFrom(7);
    const alphabet = ['a', 'b', ' ', '  ', '\t', '\r\n', '\n', '\r', ' \r\n', '\r\n\r\n', '\t\r\n'];
    for (let k = 0; k < 400; k++) {
      const body = Array.from({ length: rnd(40) }, () => alphabet[rnd(alphabet.length)]).join('');
      const canon = (['simple', 'relaxed'] as const)[k % 2]!;
      const limit = k % 3 === 0 ? rnd(30) : null;
      const { ref, mine } = await bothBodyHashes(body, canon, limit);
      expect(mine.hash, JSON.stringify({ body, canon, limit })).toBe(ref.bodyHash);
      expect(limit === null ? 0 : mine.canonicalLength - mine.hashedLength).toBe(ref.unsignedBodyBytes);
    }
  });

  it('computes the body hashes mailauth computes for large bodies: searched either way, gathered over many buffers, lines longer than a buffer', async () => {
    // body-hash.ts searches bodies up to 256 KB as a string and larger ones as bytes, and gathers
    // relaxed output 64 KB at a time: sizes on both sides of each, text on most lines or on few.
    const rnd = integersFrom(11);
    const line = (): string => {
      const kind = rnd(6);
      if (kind === 0) return 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkwYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo=';
      if (kind === 1) return `  <td class="x">${'word '.repeat(rnd(20))}\t</td> `;
      if (kind === 2) return '';
      if (kind === 3) return 'y'.repeat(70_000 + rnd(10_000)) + '  z \t';
      return Array.from({ length: rnd(12) }, () => ['a', ' ', '  ', '\t', 'bc'][rnd(5)]).join('');
    };
    for (const target of [60_000, 70_000, 250_000, 270_000, 600_000]) {
      const lines: string[] = [];
      for (let size = 0; size < target; size += lines[lines.length - 1]!.length + 2) lines.push(line());
      const body = lines.join('\r\n') + (rnd(2) ? '\r\n\r\n \t' : '');
      for (const canon of ['simple', 'relaxed'] as const)
        for (const limit of [null, rnd(body.length)]) {
          const { ref, mine } = await bothBodyHashes(body, canon, limit);
          expect(mine.hash, JSON.stringify({ size: body.length, canon, limit })).toBe(ref.bodyHash);
        }
    }
  });
  it('skips the search for bare line feeds where the parser found runs of base64 lines, with either line break', async () => {
    // A signed message with a large base64 attachment (read by the walk run by run, so its lines
    // are a run), with line feeds without CR before it, after it, or none; then the same message
    // with every line ending in a line feed alone, as an mbox stores it: the body hashes with the
    // runs are those without, and both verifiers give the same records.
    const rnd = integersFrom(5);
    const attachment = base64Lines(Buffer.from(Array.from({ length: 300_000 }, () => rnd(256))));
    for (const [before, after] of [
      ['', ''],
      ['\n', ''],
      ['', '\n'],
      ['\n', '\n'],
    ]) {
      const text =
        'From: Ana <ana@example-news.org>\r\nTo: bo@example.org\r\nSubject: files\r\nDate: Thu, 14 Mar 2024 09:00:00 +0000\r\n' +
        'Message-ID: <att@example-news.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n' +
        `--b1\r\nContent-Type: text/plain\r\n\r\nSee attached.${before}\r\n--b1\r\nContent-Type: application/octet-stream\r\n` +
        `Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="a.bin"\r\n\r\n${attachment}\r\n--b1--\r\n${after}`;
      const signed = await signMessage(
        text,
        { with: 'mailauth', domain: 'example-news.org', selector: 'sel2024' },
        new Date('2024-03-14T09:00:00Z'),
      );
      for (const crlf of [true, false]) {
        const bytes = Buffer.from(crlf ? signed : signed.replace(/\r\n/g, '\n'), 'latin1');
        const { layout } = await readMessage(bytes);
        const where = JSON.stringify({ before, after, crlf });
        expect(layout.lineRuns?.length, where).toBe(1);
        const body = bytes.subarray(layout.split.bodyStart);
        const run = layout.lineRuns![0]!;
        expect(run.crlf, where).toBe(crlf);
        const lines = crlf ? attachment : attachment.replace(/\r\n/g, '\n');
        expect(body.toString('latin1', run.start, run.end), where).toBe(lines.slice(0, run.end - run.start));
        for (const canonicalization of ['simple', 'relaxed'] as const) {
          const spec = [{ canonicalization, hash: 'sha256' as const, limit: null }];
          expect(computeBodyHashes(body, spec, layout.lineRuns), where).toEqual(computeBodyHashes(body, spec));
        }
        const r = await both(bytes);
        const { verifiedBy, ...ownRest } = r.own;
        const { verifiedBy: refBy, ...refRest } = r.ref;
        expect(ownRest, where).toEqual(refRest);
        expect([verifiedBy, refBy, r.own.signatures[0]?.result], where).toEqual(['own', 'mailauth', 'pass']);
      }
    }
  });

  it('still turns every bare line feed outside the runs into CRLF, reads past a run to the next, and ends each line of a line-feed run in CRLF', () => {
    const body = Buffer.from('a\nb\r\nAAAA\r\nBBBB\r\nc\nd\r\nCCCC\r\ne\nDDDD\nEEEE\n\nf', 'latin1');
    const runs = [
      { start: 5, end: 17, stride: 6, crlf: true },
      { start: 22, end: 28, stride: 6, crlf: true },
      { start: 30, end: 40, stride: 5, crlf: false },
    ];
    expect(runs.map((r) => body.toString('latin1', r.start, r.end))).toEqual(['AAAA\r\nBBBB\r\n', 'CCCC\r\n', 'DDDD\nEEEE\n']);
    const want = 'a\r\nb\r\nAAAA\r\nBBBB\r\nc\r\nd\r\nCCCC\r\ne\r\nDDDD\r\nEEEE\r\n\r\nf';
    expect(withCrlfLineBreaks(body).toString('latin1')).toBe(want);
    expect(withCrlfLineBreaks(body, runs).toString('latin1')).toBe(want);
    const clean = Buffer.from('AAAA\r\nBBBB\r\n', 'latin1');
    expect(withCrlfLineBreaks(clean, [{ start: 0, end: clean.length, stride: 6, crlf: true }])).toBe(clean);
  });

  it('gives the same bytes with the runs as without, over 300 seeded bodies of text and runs of either kind', () => {
    const rnd = integersFrom(23);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    for (let round = 0; round < 300; round++) {
      let text = '';
      const runs: { start: number; end: number; stride: number; crlf: boolean }[] = [];
      for (let piece = rnd(6); piece >= 0; piece--) {
        // Text with line breaks of every kind, then perhaps a run of base64 lines.
        for (let n = rnd(8); n > 0; n--) text += ['x', ' ', '\n', '\r\n', '\r', 'yz'][rnd(6)];
        if (rnd(3) === 0) continue;
        const crlf = rnd(2) === 0;
        const chars = 4 * (1 + rnd(20));
        const start = text.length;
        for (let line = 1 + rnd(30); line > 0; line--)
          text += Array.from({ length: chars }, () => alphabet[rnd(64)]).join('') + (crlf ? '\r\n' : '\n');
        runs.push({ start, end: text.length, stride: chars + (crlf ? 2 : 1), crlf });
      }
      const body = Buffer.from(text, 'latin1');
      expect(withCrlfLineBreaks(body, runs).toString('latin1'), `round ${round}`).toBe(withCrlfLineBreaks(body).toString('latin1'));
    }
  });
});
