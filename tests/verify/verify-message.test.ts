import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseMessage } from '../../src/parse/parse-message.ts';
import { verifyMessage, isAligned } from '../../src/verify/verify-message.ts';
import { readKeyFile } from '../../src/verify/key-files.ts';
import { KeyIndex } from '../../src/verify/key-index.ts';
import { openDatabase } from '../../src/store/database.ts';
import { loadAllKeys } from '../../src/store/keys-repo.ts';
import { importPaths } from '../../src/pipeline/run-import.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { signMessage } from '../../test-corpus/sign.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CORPUS = join(ROOT, 'test-corpus/generated');
const zone = readKeyFile(readFileSync(join(ROOT, 'test-corpus/keys/corpus.zone'), 'utf8'), 'corpus.zone').records;

async function verify(file: string, keys: KeyIndex, liveLookup?: (n: string) => Promise<string[][]>) {
  const bytes = readFileSync(join(CORPUS, file));
  const parsed = await parseMessage(bytes);
  return verifyMessage(bytes, parsed, { keys, now: 2_000_000_000, liveLookup });
}

describe('verifyMessage', () => {
  it('records every field of a signature, the key used and the time verified as of', async () => {
    const v = await verify('authentic-news-rsa.eml', new KeyIndex(zone));
    expect(v.asOfSource).toBe('received');
    expect(v.signatures).toHaveLength(1);
    const s = v.signatures[0]!;
    expect(s).toMatchObject({
      domain: 'example-news.org',
      selector: 'sel2024',
      algorithm: 'rsa-sha256',
      version: '1',
      bodyHash: 'pass',
      result: 'pass',
      keyType: 'rsa',
      keyBits: 2048,
      keySource: 'zone:corpus.zone',
      aligned: true,
      unsignedBodyBytes: 0,
      keyError: null,
    });
    expect(s.signedHeaders).toContain('from');
    expect(s.signTime).toBeGreaterThan(1_700_000_000);
  });

  it('says "key unknown" offline, and never asks the network unless given a live lookup', async () => {
    const v = await verify('authentic-news-rsa.eml', new KeyIndex());
    expect(v.signatures[0]).toMatchObject({ result: 'neutral', keySource: null, keyError: 'not-in-store' });
    expect(v.fetchedKeys).toEqual([]);
  });

  it('with a live lookup, keeps each answer with the time it was fetched and names it as the key source', async () => {
    const asked: string[] = [];
    const record = zone.find((k) => k.name === 'sel2024._domainkey.example-news.org')!;
    const lookup = async (name: string) => {
      asked.push(name);
      return [[record.value]];
    };
    const v = await verify('authentic-news-rsa.eml', new KeyIndex(), lookup);
    expect(asked).toEqual(['sel2024._domainkey.example-news.org']);
    expect(v.signatures[0]!.result).toBe('pass');
    expect(v.fetchedKeys).toHaveLength(1);
    expect(v.fetchedKeys[0]).toMatchObject({ sourceKind: 'dns', value: record.value });
    expect(v.fetchedKeys[0]!.fetchedAt).toBeGreaterThan(1_700_000_000);
    expect(v.signatures[0]!.keySource).toMatch(/^dns@\d{4}-\d\d-\d\dT/);
  });

  it('stores live answers in the key store during an import with --dns live', async () => {
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'lt-dns-')), 'd.sqlite'));
    const record = zone.find((k) => k.name === 'sel2024._domainkey.example-news.org')!;
    const s = await importPaths(db, [join(CORPUS, 'authentic-news-rsa.eml')], {
      workers: 0,
      dnsLive: true,
      liveLookup: async () => [[record.value]],
    });
    expect(s.messagesNew).toBe(1);
    expect(db.prepare('SELECT verdict FROM messages').pluck().get()).toBe('verified');
    const keys = loadAllKeys(db);
    expect(keys.map((k) => [k.name, k.sourceKind])).toEqual([['sel2024._domainkey.example-news.org', 'dns']]);
    db.close();
  });

  it('verifies as of the message time: x= before receipt is expired, x= after receipt is not', async () => {
    const v = await verify('suspicious-expired.eml', new KeyIndex(zone));
    expect(v.signatures[0]!.comment).toBe('expired');
    // Signed 2024-03-14 09:00 with x= a day later, received an hour after signing, verified "now" in 2033.
    const msg =
      'From: Ana <ana@example-news.org>\r\nTo: bo@example.org\r\nSubject: later expiry\r\nDate: Thu, 14 Mar 2024 09:00:00 +0000\r\nMessage-ID: <x1@example-news.org>\r\n\r\nHello.\r\n';
    const signed = await signMessage(
      msg,
      { with: 'mailauth', domain: 'example-news.org', selector: 'sel2024', expires: new Date('2024-03-15T09:00:00Z') },
      new Date('2024-03-14T09:00:00Z'),
    );
    const bytes = Buffer.from(`Received: from a by mx.example.org; Thu, 14 Mar 2024 10:00:00 +0000\r\n${signed}`, 'latin1');
    const r = await verifyMessage(bytes, await parseMessage(bytes), { keys: new KeyIndex(zone), now: 2_000_000_000 });
    expect(r.asOf).toBe(Date.UTC(2024, 2, 14, 10) / 1000);
    expect(r.signatures[0]).toMatchObject({ result: 'pass', expiresAt: Date.UTC(2024, 2, 15, 9) / 1000 });
  });

  it('tries the other records of a selector when the best-ranked one fails, and names the one that verified', async () => {
    const right = zone.find((k) => k.name === 'sel2024._domainkey.example-news.org')!;
    const other = zone.find((k) => k.name === 'mail._domainkey.ministry.example')!;
    // A rotated-away key seen around the message time ranks first; the zone's key is the right one.
    const rotated = {
      ...right,
      value: other.value,
      sourceKind: 'archive' as const,
      source: 'archive:old.json',
      firstSeen: 1_600_000_000,
      lastSeen: 1_800_000_000,
    };
    const v = await verify('authentic-news-rsa.eml', new KeyIndex([rotated, right]));
    expect(v.signatures[0]).toMatchObject({ result: 'pass', keySource: 'zone:corpus.zone' });
    // When no other record does better, the first choice (the record seen at the message time) stands.
    const edited = Buffer.from(
      readFileSync(join(CORPUS, 'authentic-news-rsa.eml'), 'latin1').replace(/^Subject: /m, 'Subject: Re: '),
      'latin1',
    );
    const neither = await verifyMessage(edited, await parseMessage(edited), { keys: new KeyIndex([right, rotated]), now: 2_000_000_000 });
    expect(neither.signatures[0]).toMatchObject({ bodyHash: 'pass', result: 'fail', keySource: 'archive:old.json' });
  });

  it('aligns relaxed: same domain or parent/child', () => {
    expect(isAligned('example.org', 'mail.example.org')).toBe(true);
    expect(isAligned('mail.example.org', 'example.org')).toBe(true);
    expect(isAligned('example.org', 'example.org.evil.net')).toBe(false);
    expect(isAligned('ample.org', 'example.org')).toBe(false);
  });
});
