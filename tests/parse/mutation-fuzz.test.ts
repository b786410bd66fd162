// Seeded mutations of real signed messages (bytes flipped, cut, repeated, headers folded wrongly)
// through the whole analysis: none may throw, hang or come out verified when its bytes changed.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyseMessage } from '../../src/pipeline/analyse-message.ts';
import { parseMessage } from '../../src/parse/parse-message.ts';
import { splitHeaderSection } from '../../src/parse/header-section.ts';
import type { RawHeader } from '../../src/model.ts';
import { sha256Hex } from '../../src/common/sha256.ts';
import { readKeyFile } from '../../src/verify/key-files.ts';
import { KeyIndex } from '../../src/verify/key-index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CORPUS = join(ROOT, 'test-corpus/generated');
const keys = new KeyIndex(readKeyFile(readFileSync(join(ROOT, 'test-corpus/keys/corpus.zone'), 'utf8'), 'corpus.zone').records);
const authentic = readdirSync(CORPUS)
  .filter((f) => f.startsWith('authentic-'))
  .map((f) => readFileSync(join(CORPUS, f)));

function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const MUTATIONS: ((b: Buffer, r: () => number) => Buffer)[] = [
  (b, r) => {
    const c = Buffer.from(b);
    for (let i = 0; i < 1 + Math.floor(r() * 4); i++) c[Math.floor(r() * c.length)] = Math.floor(r() * 256);
    return c;
  },
  (b, r) => b.subarray(0, Math.floor(r() * b.length)),
  (b, r) => {
    const at = Math.floor(r() * b.length);
    return Buffer.concat([b.subarray(0, at), b.subarray(at, at + 200), b.subarray(at)]);
  },
  (b, r) => {
    const at = Math.floor(r() * b.length);
    return Buffer.concat([b.subarray(0, at), Buffer.from('\r\n\t'), b.subarray(at)]);
  },
  (b, r) => Buffer.concat([b.subarray(0, Math.floor(r() * 200)), Buffer.alloc(50, 0), b.subarray(200)]),
];

/** The bottom-most copy of a header (what a single h= entry signs), canonicalized. */
function signedValue(headers: RawHeader[], name: string, relaxed: boolean): string | null {
  const h = headers.filter((x) => x.key === name).at(-1);
  if (!h) return null;
  return relaxed
    ? `${h.key}:${h.raw
        .slice(h.raw.indexOf(':') + 1)
        .replace(/\r?\n/g, '')
        .replace(/[ \t]+/g, ' ')
        .trim()}`
    : h.raw;
}

/** RFC 6376 3.4.3 / 3.4.4, enough to compare two bodies. */
function canonicalBody(bytes: Buffer, relaxed: boolean): string {
  const body = bytes.toString('latin1', splitHeaderSection(bytes).bodyStart).replace(/\r?\n/g, '\r\n');
  const lines = body.split('\r\n').map((l) => (relaxed ? l.replace(/[ \t]+/g, ' ').replace(/ $/, '') : l));
  while (lines.length && lines.at(-1) === '') lines.pop();
  return lines.join('\r\n');
}

describe('mutated signed messages', () => {
  it('never throw, and are verified only when the signed parts are unchanged', async () => {
    const r = rng(20240314);
    // How often each branch ran: a fuzz test whose interesting branch never runs proves nothing.
    let verifiedChanged = 0;
    let refused = 0;
    for (let i = 0; i < 300; i++) {
      const original = authentic[i % authentic.length]!;
      const mutated = MUTATIONS[i % MUTATIONS.length]!(original, r);
      const a = await analyseMessage(mutated, { keys, now: 2_000_000_000 });
      // The analysis is of these bytes: the id is their hash, whatever the mutation did to them.
      expect(a.sha256, `id after mutation ${i}`).toBe(sha256Hex(mutated));
      if (a.verdict.verdict !== 'verified' && !mutated.equals(original)) refused++;
      if (a.verdict.verdict === 'verified' && !mutated.equals(original)) {
        verifiedChanged++;
        // Allowed only when the change fell outside what the signature covers (an unsigned header,
        // trailing empty lines, whitespace that relaxed canonicalization folds): the signed headers
        // and the body, canonicalized as the signature says, must equal the original's.
        const sig = a.verification.signatures.find((s) => s.result === 'pass')!;
        const [headerCanon, bodyCanon] = sig.canonicalization.split('/');
        const before = await parseMessage(original);
        for (const name of sig.signedHeaders) {
          expect(signedValue(a.parsed.headers, name, headerCanon === 'relaxed'), `${name} after mutation ${i}`).toBe(
            signedValue(before.headers, name, headerCanon === 'relaxed'),
          );
        }
        expect(canonicalBody(mutated, bodyCanon === 'relaxed'), `body after mutation ${i}`).toBe(
          canonicalBody(original, bodyCanon === 'relaxed'),
        );
      }
    }
    // With this seed both outcomes occur; a change of seed, corpus or mutations that loses one of
    // them must be noticed, not passed in silence.
    expect(verifiedChanged, 'mutated messages still verified (the checked branch)').toBeGreaterThan(0);
    expect(refused, 'mutated messages no longer verified').toBeGreaterThan(0);
  }, 120_000);
});
