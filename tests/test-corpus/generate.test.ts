// The committed corpus is what the generator makes (byte for byte), and mailauth itself, given the
// committed zone file and the message's own time, sees each message the way expected.json says.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import type { DKIMResult, DKIMVerifyResult } from 'mailauth';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOutputs } from '../../test-corpus/write-output.ts';

const CORPUS = fileURLToPath(new URL('../../test-corpus/', import.meta.url));
const read = (...parts: string[]): Buffer => readFileSync(join(CORPUS, ...parts));

interface Expected {
  file: string;
  description: string;
  verdict: string;
  codes: string[];
}
interface DemoEntry {
  path: string;
  sha256: string;
  verdict: string;
  codes: string[];
}
const corpus = JSON.parse(read('generated', 'expected.json').toString()) as Expected[];
const demo = JSON.parse(read('demo-expected.json').toString()) as { messages: DemoEntry[] };

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => statSync(join(dir, name)).isFile())
    .map((name) => relative(dir, join(dir, name)))
    .sort();
}

/** The zone file as the test reads it: name -> joined TXT strings. Independent of the generator. */
const zone = new Map<string, string>();
for (const line of read('keys', 'corpus.zone').toString().split('\n')) {
  const m = /^(\S+)\.\s+IN\s+TXT\s+(.*)$/.exec(line);
  if (m) zone.set(m[1]!, [...m[2]!.matchAll(/"([^"]*)"/g)].map((s) => s[1]).join(''));
}

const lookups: string[] = [];
async function resolver(name: string): Promise<string[][]> {
  lookups.push(name);
  const value = zone.get(name);
  if (value === undefined) throw Object.assign(new Error(`no TXT for ${name}`), { code: 'ENOTFOUND' });
  return [[value]];
}

const headerSection = (bytes: Buffer): string =>
  bytes
    .toString('latin1')
    .split('\r\n\r\n')[0]!
    .replace(/\r\n[ \t]/g, ' ');
const fields = (bytes: Buffer, name: string): string[] =>
  headerSection(bytes)
    .split('\r\n')
    .filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
/** Received dates, topmost first. */
const receivedTimes = (bytes: Buffer): number[] => fields(bytes, 'Received').map((l) => Date.parse(l.slice(l.lastIndexOf(';') + 1)));

async function verifyAt(bytes: Buffer, curTime: Date, extra: { rejectRsaSha1?: boolean } = {}): Promise<DKIMVerifyResult> {
  return dkimVerify(bytes, { resolver, curTime, ...extra });
}

/** What mailauth must report for a message whose first expected code is `code`. */
async function checkWithMailauth(code: string, bytes: Buffer): Promise<void> {
  const at = new Date(receivedTimes(bytes)[0]!);
  const result = await verifyAt(bytes, at);
  const sig: DKIMResult = result.results[0]!;
  const status = sig.status;
  switch (code) {
    case 'dkim/pass':
    case 'dkim-time/far-from-date':
      expect(status.result).toBe('pass');
      expect(status.aligned).toBeTruthy();
      expect(status.underSized ?? 0).toBe(0);
      if (code === 'dkim-time/far-from-date') {
        const date = Date.parse(fields(bytes, 'Date')[0]!.slice(5));
        expect(Date.parse(sig.signTime!) - date).toBeGreaterThan(30 * 86_400_000);
      }
      break;
    case 'dkim/body-hash-mismatch':
      expect(status.result).toBe('neutral');
      expect(sig.bodyHash).not.toBe(sig.bodyHashExpecting);
      break;
    case 'dkim/bad-signature':
      expect(status.result).toBe('fail');
      expect(sig.bodyHash).toBe(sig.bodyHashExpecting);
      break;
    case 'duplicate-headers/unsigned-copy':
      expect(status.result).toBe('pass');
      expect(result.fromFields).toBe(2);
      expect(sig.signingHeaders!.keys.split(/:\s*/).filter((k) => k.toLowerCase() === 'from')).toHaveLength(1);
      break;
    case 'dkim/unsigned-content':
      expect(status.result).toBe('pass');
      expect(status.underSized).toBeGreaterThan(0);
      break;
    case 'lookalike-domain/signer':
      expect(status.result).toBe('pass');
      expect(sig.signingDomain).toBe('example-nevvs.org');
      expect(status.aligned).toBeFalsy();
      break;
    case 'dkim/weak-key':
      expect(status.result).toBe('policy');
      expect(status.policy?.['dkim-rules']).toBe('weak-key');
      break;
    case 'dkim/expired': {
      expect(status.result).toBe('neutral');
      expect(status.comment).toBe('expired');
      // The same signature was valid when it was made: only the delay makes it expired.
      const atSigning = await verifyAt(bytes, new Date(sig.signTime!));
      expect(atSigning.results[0]!.status.result).toBe('pass');
      break;
    }
    case 'dkim/sha1': {
      expect(status.result).toBe('pass');
      expect(sig.algo).toBe('rsa-sha1');
      const strict = await verifyAt(bytes, at, { rejectRsaSha1: true });
      expect(strict.results[0]!.status.result).toBe('policy');
      break;
    }
    case 'dkim/key-unknown':
      expect(status.result).toBe('neutral');
      expect(zone.has(lookups.at(-1)!)).toBe(false);
      break;
    default:
      // Unsigned messages: the other codes are about headers, checked below.
      expect(status.result).toBe('none');
  }
}

/** The header inconsistencies the unsigned forgeries are about, checked on the bytes. */
function checkHeaders(code: string, bytes: Buffer): void {
  const times = receivedTimes(bytes);
  const sorted = [...times].sort((a, b) => b - a);
  if (code === 'received-order/out-of-order') expect(times).not.toEqual(sorted);
  else expect(times).toEqual(sorted);
  if (code === 'date-consistency/after-first-hop') {
    expect(Date.parse(fields(bytes, 'Date')[0]!.slice(5))).toBeGreaterThan(times.at(-1)! + 3600_000);
  }
  if (code === 'auth-results/unvouched-pass') {
    const lines = headerSection(bytes).split('\r\n');
    const ar = lines.findIndex((l) => /^Authentication-Results:.*dkim=pass/i.test(l));
    expect(ar).toBeGreaterThan(lines.findLastIndex((l) => l.startsWith('Received:')));
  }
  if (code === 'dkim/missing-signature')
    expect(zone.has(`mail._domainkey.${fields(bytes, 'From')[0]!.split('@')[1]!.replace('>', '')}`)).toBe(true);
}

describe('test corpus generator', () => {
  let out = '';
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'leaktriage-corpus-'));
    await writeOutputs(out);
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('regenerates the committed corpus and demo dump byte for byte', () => {
    for (const dir of ['generated', 'demo']) {
      const committed = listFiles(join(CORPUS, dir));
      expect(listFiles(join(out, dir))).toEqual(committed);
      for (const file of committed) expect(readFileSync(join(out, dir, file)).equals(read(dir, file)), `${dir}/${file}`).toBe(true);
    }
    expect(readFileSync(join(out, 'demo-expected.json')).equals(read('demo-expected.json'))).toBe(true);
  });

  it('lists every generated message in expected.json, CRLF only', () => {
    expect(listFiles(join(CORPUS, 'generated')).filter((f) => f.endsWith('.eml'))).toEqual(corpus.map((c) => c.file).sort());
    for (const c of corpus) expect(read('generated', c.file).toString('latin1')).not.toMatch(/[^\r]\n/);
  });

  it.each(corpus.map((c) => [c.file, c] as const))('%s verifies with mailauth as expected', async (_file, c) => {
    const bytes = read('generated', c.file);
    await checkWithMailauth(c.codes[0]!, bytes);
    checkHeaders(c.codes[0]!, bytes);
  });
});

function readZipEntry(zip: Buffer, name: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, file) => {
      if (err) return reject(err);
      file.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== name) return file.readEntry();
        file.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream
            .on('data', (c: Buffer) => chunks.push(c))
            .on('end', () => resolve(Buffer.concat(chunks)))
            .on('error', reject);
        });
      });
      file.on('end', () => reject(new Error(`no ${name} in zip`)));
      file.readEntry();
    });
  });
}

describe('demo dump', () => {
  const inbox = read('demo', 'inbox');
  /** An mbox member: from its offset to the blank line before the next `From ` line (or the end). */
  function mboxMember(offset: number): Buffer {
    const next = inbox.indexOf('\r\nFrom ', offset);
    return inbox.subarray(offset, (next < 0 ? inbox.length : next + 2) - 2);
  }

  it.each(demo.messages.map((m) => [m.path, m] as const))('%s has the listed bytes and verifies as expected', async (_p, m) => {
    const [container, inner] = m.path.startsWith('archive.zip/') ? ['archive.zip', m.path.slice(12)] : [m.path, ''];
    const bytes = m.path.startsWith('inbox#')
      ? mboxMember(Number(m.path.slice(6)))
      : inner
        ? await readZipEntry(read('demo', container), inner)
        : read('demo', m.path);
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(m.sha256);
    await checkWithMailauth(m.codes[0]!, bytes);
    checkHeaders(m.codes[0]!, bytes);
  });

  it('holds every input kind, a non-mail file and an empty file', () => {
    expect(demo.messages.length).toBeGreaterThanOrEqual(30);
    expect(read('demo', 'inbox').subarray(0, 5).toString()).toBe('From ');
    expect(read('demo', 'eml', 'unsent-draft.eml')).toHaveLength(0);
    expect(read('demo', 'photos', 'IMG_2041.jpg').subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    for (const folder of ['cur', 'new']) expect(listFiles(join(CORPUS, 'demo', 'Maildir', folder)).length).toBeGreaterThan(0);
  });
});
