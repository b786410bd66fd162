// Our own check of b= over the signed headers agrees with mailauth wherever mailauth got that far,
// and tells an edited body (headers verify) from a transplanted signature (they do not).
import { describe, expect, it } from 'vitest';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseMessage } from '../../src/parse/parse-message.ts';
import { verifyMessage } from '../../src/verify/verify-message.ts';
import { readSignatureTags } from '../../src/verify/dkim-tags.ts';
import { keyMadeSignature, verifyHeaderSignature } from '../../src/verify/header-signature.ts';
import { readKeyFile } from '../../src/verify/key-files.ts';
import { KeyIndex } from '../../src/verify/key-index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CORPUS = join(ROOT, 'test-corpus/generated');
const REAL = resolve(ROOT, '../shared/corpus/real');
const corpusKeys = new KeyIndex(readKeyFile(readFileSync(join(ROOT, 'test-corpus/keys/corpus.zone'), 'utf8'), 'corpus.zone').records);

async function signaturesOf(file: string, keys: KeyIndex) {
  const bytes = readFileSync(file);
  const parsed = await parseMessage(bytes);
  const v = await verifyMessage(bytes, parsed, { keys, now: 2_000_000_000 });
  return { parsed, v, tags: readSignatureTags(parsed.headers) };
}

describe('verifyHeaderSignature', () => {
  it('agrees with mailauth on every signature that mailauth verified (generated and real corpus)', async () => {
    const files = readdirSync(CORPUS)
      .filter((f) => f.endsWith('.eml'))
      .map((f) => [join(CORPUS, f), corpusKeys] as const);
    if (existsSync(REAL)) {
      const realKeys = new KeyIndex(readKeyFile(readFileSync(join(REAL, 'keys.zone'), 'utf8'), 'keys.zone').records);
      const exp = JSON.parse(readFileSync(join(REAL, 'expectations.json'), 'utf8')) as { messages: { file: string }[] };
      for (const m of exp.messages) files.push([join(REAL, m.file), realKeys]);
    }
    let checked = 0;
    for (const [file, keys] of files) {
      const { parsed, v, tags } = await signaturesOf(file, keys);
      for (const s of v.signatures.filter((x) => x.result === 'pass')) {
        const key = keys.candidates(s.keyName, v.asOf)[0]!;
        expect(verifyHeaderSignature(parsed.headers, tags[s.index]!.header, tags[s.index]!.tags, key.value), `${file} #${s.index}`).toBe(
          true,
        );
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('says the headers still verify when only the body was edited', async () => {
    const { v } = await signaturesOf(join(CORPUS, 'tampered-body-word.eml'), corpusKeys);
    expect(v.signatures[0]).toMatchObject({ bodyHash: 'fail', headerSignature: 'pass' });
    const ed = await signaturesOf(join(CORPUS, 'tampered-ed25519-body-word.eml'), corpusKeys);
    expect(ed.v.signatures[0]).toMatchObject({ bodyHash: 'fail', headerSignature: 'pass' });
  });

  it('says neither matches when a signature is copied onto another message', async () => {
    const donor = readFileSync(join(CORPUS, 'authentic-news-rsa.eml'), 'latin1');
    const signatureHeader = /^DKIM-Signature:.*(?:\r\n[ \t].*)*\r\n/m.exec(donor)![0];
    const fake = `${signatureHeader}From: Maria Keller <m.keller@example-news.org>\r\nTo: alex@campaign.example\r\nSubject: Wire the money\r\nDate: Thu, 14 Mar 2024 10:00:00 +0000\r\n\r\nPlease wire it today.\r\n`;
    const bytes = Buffer.from(fake, 'latin1');
    const v = await verifyMessage(bytes, await parseMessage(bytes), { keys: corpusKeys, now: 2_000_000_000 });
    expect(v.signatures[0]).toMatchObject({ bodyHash: 'fail', headerSignature: 'fail' });
  });
});

describe('keyMadeSignature', () => {
  const rsa = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits });
  const record = (publicKey: KeyObject, k = 'rsa') =>
    `v=DKIM1; k=${k}; p=${publicKey
      .export({ type: 'spki', format: 'der' })
      .subarray(k === 'ed25519' ? 12 : 0)
      .toString('base64')}`;
  const signed = (hash: string, privateKey: KeyObject) =>
    new Map([['b', sign(hash, Buffer.from('other headers'), privateKey).toString('base64')]]);
  const signer = rsa(2048);
  const other = rsa(2048);

  it('tells a signature the key made over other bytes (sha256 and sha1) from one another key made', () => {
    for (const hash of ['sha256', 'sha1']) {
      expect(keyMadeSignature(signed(hash, signer.privateKey), record(signer.publicKey)), hash).toBe('yes');
      expect(keyMadeSignature(signed(hash, other.privateKey), record(signer.publicKey)), hash).toBe('no');
    }
  });

  it('says no for a value of another length than the modulus, unknown for an Ed25519 key or no value', () => {
    expect(keyMadeSignature(signed('sha256', rsa(1024).privateKey), record(signer.publicKey))).toBe('no');
    expect(keyMadeSignature(signed('sha256', signer.privateKey), record(rsa(1024).publicKey))).toBe('no');
    const ed = generateKeyPairSync('ed25519');
    expect(
      keyMadeSignature(new Map([['b', sign(null, Buffer.from('x'), ed.privateKey).toString('base64')]]), record(ed.publicKey, 'ed25519')),
    ).toBe('unknown');
    expect(keyMadeSignature(new Map([['b', '']]), record(signer.publicKey))).toBe('unknown');
  });

  it('says no for a value that is not below the modulus', () => {
    const allOnes = Buffer.alloc(256, 0xff).toString('base64');
    expect(keyMadeSignature(new Map([['b', allOnes]]), record(signer.publicKey))).toBe('no');
  });
});
