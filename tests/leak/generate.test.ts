// The generated leak (test-corpus/leak): the same seed gives the same bytes; the truth lists every
// message of the dump and nothing else, read back here independently of the generator; every
// technique is planted often enough; what the truth calls validly signed verifies with mailauth at
// the message's own time with the leak's key files; the forgeries meant to break a signature do;
// and leaktriage imports the dump without a single failure.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import type { DKIMVerifyResult } from 'mailauth';
import yauzl from 'yauzl';
import { extract as tarExtract } from 'tar-stream';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLeak, FORGERY_SHARE } from '../../test-corpus/leak/build-leak.ts';
import { FORGERY_TECHNIQUES } from '../../test-corpus/leak/forgeries.ts';
import type { Truth } from '../../test-corpus/leak/truth.ts';
import { evaluateLeak } from '../../bench/leak-eval.ts';

const MESSAGES = 500;
const SEED = 'leak-test';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function walk(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => statSync(join(dir, name)).isFile())
    .map((name) => relative(dir, join(dir, name)))
    .sort();
}

function zipEntries(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const out = new Map<string, Buffer>();
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, file) => {
      if (err) return reject(err);
      file.on('entry', (entry: yauzl.Entry) => {
        file.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream
            .on('data', (c: Buffer) => chunks.push(c))
            .on('end', () => {
              out.set(entry.fileName, Buffer.concat(chunks));
              file.readEntry();
            })
            .on('error', reject);
        });
      });
      file.on('end', () => resolve(out));
      file.readEntry();
    });
  });
}

/** mbox members: from the line after each From_ line to the blank line before the next one. */
function mboxMembers(bytes: Buffer): { offset: number; bytes: Buffer }[] {
  const text = bytes.toString('latin1');
  const starts: number[] = [];
  const re = /(^|\r?\n\r?\n)From [^\r\n]*\r?\n/g;
  for (let m = re.exec(text); m; m = re.exec(text)) starts.push(m.index + m[1]!.length, m.index + m[0].length);
  const members: { offset: number; bytes: Buffer }[] = [];
  for (let i = 0; i < starts.length; i += 2) {
    const offset = starts[i + 1]!;
    const end = i + 2 < starts.length ? starts[i + 2]! : text.length;
    const blank = text.slice(end - 4, end) === '\r\n\r\n' ? 2 : 1;
    members.push({ offset, bytes: bytes.subarray(offset, end - blank) });
  }
  return members;
}

/** The dump as a reader sees it: path as leaktriage prints it -> bytes. */
/** The files of a tar, by name (tar-stream, not leaktriage's reader). */
async function tarFiles(tar: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const extract = tarExtract();
  extract.end(tar);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    if (entry.header.type === 'file') files.set(entry.header.name, Buffer.concat(chunks));
  }
  return files;
}

const GZIP = Buffer.from([0x1f, 0x8b]);

/**
 * The dump's messages by the path leaktriage gives them, and the other files: maildir files (in
 * `cur/` or `new/`; gzip-compressed ones, as Dovecot's zlib plugin writes them, as what they hold,
 * at `<file>!/<name>`), .eml files, mbox members, zip entries and the files of a .tar.gz.
 */
async function readDump(dump: string): Promise<{ messages: Map<string, Buffer>; other: { path: string; size: number }[] }> {
  const messages = new Map<string, Buffer>();
  const other: { path: string; size: number }[] = [];
  const file = (path: string, bytes: Buffer): void => {
    if (/\/(cur|new)\/[^/]+$/.test(path) && bytes.subarray(0, 2).equals(GZIP)) {
      messages.set(`${path}!/${path.slice(path.lastIndexOf('/') + 1)}`, gunzipSync(bytes));
    } else if (/\/(cur|new)\/[^/]+$/.test(path) || path.endsWith('.eml')) {
      messages.set(path, bytes);
    } else if (bytes.subarray(0, 5).toString('latin1') === 'From ') {
      for (const m of mboxMembers(bytes)) messages.set(`${path}#${m.offset}`, m.bytes);
    } else {
      other.push({ path, size: bytes.length });
    }
  };
  for (const path of walk(dump)) {
    const bytes = readFileSync(join(dump, path));
    if (path.endsWith('.zip')) {
      for (const [name, data] of await zipEntries(bytes)) messages.set(`${path}!/${name}`, data);
    } else if (path.endsWith('.tar.gz')) {
      for (const [name, data] of await tarFiles(gunzipSync(bytes)))
        file(`${path}!/${path.slice(path.lastIndexOf('/') + 1, -'.gz'.length)}!/${name}`, data);
    } else {
      file(path, bytes);
    }
  }
  return { messages, other };
}

/** The journalist's key files read back on their own: zone TXT lines and the archive JSON. */
function readKeys(dir: string): Map<string, string> {
  const keys = new Map<string, string>();
  for (const file of readdirSync(join(dir, 'keys'))) {
    const text = readFileSync(join(dir, 'keys', file), 'utf8');
    if (file.endsWith('.json')) {
      for (const k of JSON.parse(text) as { domain: string; selector: string; value: string }[])
        keys.set(`${k.selector}._domainkey.${k.domain}`, k.value);
    } else {
      for (const line of text.split('\n')) {
        const m = /^(\S+)\.\s+\d+\s+IN\s+TXT\s+(.*)$/.exec(line);
        if (m) keys.set(m[1]!, [...m[2]!.matchAll(/"([^"]*)"/g)].map((s) => s[1]).join(''));
      }
    }
  }
  return keys;
}

function ownTime(bytes: Buffer): Date {
  const head = bytes
    .toString('latin1')
    .split(/\r?\n\r?\n/)[0]!
    .replace(/\r?\n[ \t]+/g, ' ');
  const lines = head.split(/\r?\n/);
  const received = lines.find((l) => /^received:/i.test(l));
  const date = lines.find((l) => /^date:/i.test(l));
  const text = received ? received.slice(received.lastIndexOf(';') + 1) : (date ?? '').slice(5);
  return new Date(Date.parse(text.replace(/\([^)]*\)\s*$/, '').trim()));
}

describe('generated leak', () => {
  let a = '';
  let b = '';
  let truth: Truth;
  let keys: Map<string, string>;
  const verify = (bytes: Buffer, at = ownTime(bytes)): Promise<DKIMVerifyResult> =>
    dkimVerify(bytes, {
      curTime: at,
      minBitLength: 1024,
      resolver: async (name: string) => {
        const value = keys.get(name.toLowerCase());
        if (value === undefined) throw Object.assign(new Error(`no TXT for ${name}`), { code: 'ENOTFOUND' });
        return [[value]];
      },
    });

  beforeAll(async () => {
    a = mkdtempSync(join(tmpdir(), 'leak-a-'));
    b = mkdtempSync(join(tmpdir(), 'leak-b-'));
    truth = await buildLeak({ out: a, messages: MESSAGES, seed: SEED });
    await buildLeak({ out: b, messages: MESSAGES, seed: SEED });
    keys = readKeys(a);
  }, 240_000);
  afterAll(() => {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  });

  it('gives identical bytes for the same seed', () => {
    const files = walk(a);
    expect(walk(b)).toEqual(files);
    for (const f of files) expect(sha256(readFileSync(join(b, f))), f).toBe(sha256(readFileSync(join(a, f))));
  });

  it('lists every message of the dump in the truth, with its SHA-256, and nothing else', async () => {
    const { messages, other } = await readDump(join(a, 'dump'));
    expect([...messages.keys()].sort()).toEqual(Object.keys(truth.messages).sort());
    for (const [path, bytes] of messages) expect(sha256(bytes), path).toBe(truth.messages[path]!.sha256);
    // What else the mailbox programs leave beside the mail: indexes and folder markers.
    for (const { path, size } of other) if (size > 0) expect(path).toMatch(/(dovecot-uidlist|subscriptions|\.msf|Info\.plist)$/);
    expect(Object.keys(truth.messages).length).toBeGreaterThan(MESSAGES * 0.97);
  });

  it('names each maildir file with the size it was delivered with: an edit in place under a kept name alone disagrees', async () => {
    const { messages } = await readDump(join(a, 'dump'));
    let kept = 0;
    let disagreeing = 0;
    for (const [path, bytes] of messages) {
      const m = /,S=(\d+),W=(\d+)/.exec(path);
      if (!path.includes('maildir/')) continue;
      expect(m, path).not.toBeNull();
      const entry = truth.messages[path]!;
      const keptName = entry.kind === 'forgery' && entry.note.endsWith('the maildir file keeps the name it was delivered under');
      const crlfLength = bytes.length + (bytes.toString('latin1').match(/(?<!\r)\n/g)?.length ?? 0);
      if (keptName) kept++;
      if (Number(m![1]) === bytes.length) {
        expect(Number(m![2]), path).toBe(crlfLength);
        continue;
      }
      // Only a forger who kept the name of the file they edited leaves it disagreeing.
      expect(keptName, path).toBe(true);
      disagreeing++;
    }
    expect(kept).toBeGreaterThan(0);
    expect(disagreeing).toBeGreaterThan(0);
  });

  it('plants every technique about as often as asked', () => {
    const planned = Math.round(MESSAGES * FORGERY_SHARE);
    for (const t of FORGERY_TECHNIQUES) expect(truth.counts.techniques[t.id] ?? 0, t.id).toBeGreaterThanOrEqual(Math.ceil(planned * 0.7));
    expect(FORGERY_TECHNIQUES.length).toBeGreaterThanOrEqual(11);
  });

  it('tags the honest oddities the issues ask for', () => {
    for (const tag of [
      'sent-copy',
      'list-modified',
      'provider-signed-newsletter',
      'unsigned-internal',
      'clock-drift',
      'tz-travel',
      'client-change',
      'forwarded',
      'arc-sealed',
      'attachment',
    ]) {
      expect(truth.counts.tags[tag] ?? 0, tag).toBeGreaterThan(0);
    }
  });

  it('has what the truth calls validly signed verify at its own time with the leak keys', async () => {
    const { messages } = await readDump(join(a, 'dump'));
    let checked = 0;
    for (const [path, entry] of Object.entries(truth.messages)) {
      if (entry.kind !== 'authentic') continue;
      const result = await verify(messages.get(path)!);
      const valid = result.results.some((r) => r.status.result === 'pass' && !!r.status.aligned && !((r.status.underSized ?? 0) > 0));
      expect(valid, path).toBe(entry.validlySigned);
      if (valid) checked++;
    }
    // Enough of them to mean something: the gateway's marks (generator version 4) leave about 9 % validly signed.
    expect(checked).toBeGreaterThan(MESSAGES * 0.05);
  });

  it('breaks the signatures the forgeries are meant to break', async () => {
    const { messages } = await readDump(join(a, 'dump'));
    for (const [path, entry] of Object.entries(truth.messages)) {
      if (entry.kind !== 'forgery') continue;
      const bytes = messages.get(path)!;
      const first = (await verify(bytes)).results[0]!;
      switch (entry.technique) {
        case 'body-edited':
          expect(first.bodyHash, path).not.toBe(first.bodyHashExpecting);
          break;
        case 'signed-header-edited':
          expect(first.status.result, path).toBe('fail');
          expect(first.bodyHash, path).toBe(first.bodyHashExpecting);
          break;
        case 'replayed-signature':
          expect(first.status.result, path).not.toBe('pass');
          break;
        case 'l-appended':
          expect(first.status.result, path).toBe('pass');
          expect(first.status.underSized, path).toBeGreaterThan(0);
          break;
        case 'retired-weak-key':
          expect(first.status.result, path).toBe('policy');
          expect(first.status.policy?.['dkim-rules'], path).toBe('weak-key');
          expect(first.selector, path).toBe('mail2016');
          break;
        case 'forged-auth-results': {
          const head = bytes.toString('latin1').split(/\r?\n\r?\n/)[0]!;
          expect(head, path).toMatch(/^Authentication-Results:[^]*?dkim=pass/im);
          expect(first.status.result === 'pass', path).toBe(false);
          break;
        }
      }
    }
  });

  it('imports into leaktriage without a failure, every message exported', async () => {
    const evaluation = await evaluateLeak({ dump: a, workers: 1 });
    expect(evaluation.importSummary).toMatch(/ 0 failure\(s\)/);
    expect(evaluation.score.missingFromExport).toEqual([]);
    expect(evaluation.score.unknownRows).toBe(0);
    expect(evaluation.score.authentic + evaluation.score.forgeries).toBe(evaluation.score.messages);
  }, 240_000);
});
