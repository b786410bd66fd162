// The benchmark's inputs, generated deterministically (same bytes on every machine and run):
//  (a) the mixed dump of issue 8: 60 % small text messages of 2-8 KB, 30 % HTML messages of
//      20-100 KB, 10 % messages with a base64 attachment of 200 KB-2 MB; 70 % DKIM-signed (rsa
//      relaxed, rsa simple, ed25519) with the test corpus's keys; an .eml tree, 1,000 per folder;
//  (b) N small messages (default 1,000,000), an .eml tree: 5,000 signed templates made unique by
//      a Received hop and a Message-ID added after signing (as relays do), so that a million
//      RSA signatures need not be made first;
//  (c) an mbox of several GB: the mixed dump's messages and more, with LF line endings (as mbox
//      files are written) and ">From " quoting.
// Each is written once into bench/out and reused while its manifest matches.
import { createCipheriv, createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { readPrivateKey } from '../test-corpus/key-list.ts';

export const MESSAGES_PER_FOLDER = 1000;

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Incompressible deterministic bytes (AES-CTR over zeros): attachments that behave like real files. */
function noise(seed: number, bytes: number): Buffer {
  const key = createHash('sha256').update(`bench-${seed}`).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(bytes));
}

const WORDS = (
  'the of and to in a is that for it as was with be by on not he this are or his from at which but have an they ' +
  'you were her she there been one all we their has would when if so no will more can about said its who them ' +
  'meeting budget contract invoice press statement campaign minister donor transfer account draft review ' +
  'schedule agenda deadline report source leak confidential election office payment offshore'
).split(' ');
const NAMES = ['Ana Díaz', 'Bo Lund', 'Cy Obi', 'Di Park', 'Ed Nyberg', 'Fay Roth', 'Gus Imre', 'Hal Zee', 'Ida Moss', 'Jo Kahn'];
const START = Date.UTC(2023, 0, 2) / 1000;

function words(r: () => number, bytes: number): string {
  const out: string[] = [];
  let n = 0;
  let line = 0;
  while (n < bytes) {
    const w = WORDS[Math.floor(Math.pow(r(), 1.6) * WORDS.length)]!;
    out.push(w);
    n += w.length + 1;
    line += w.length + 1;
    if (line > 68) {
      out.push(r() < 0.15 ? '\r\n\r\n' : '\r\n');
      line = 0;
    } else out.push(' ');
  }
  return out.join('').replace(/ \r\n/g, '\r\n');
}

function mailDate(epoch: number): string {
  return new Date(epoch * 1000).toUTCString().replace('GMT', '+0000');
}

interface Signer {
  domain: string;
  selector: string;
  algorithm: 'rsa-sha256' | 'ed25519-sha256';
  canonicalization: 'relaxed/relaxed' | 'simple/simple';
}

const SIGNERS: Signer[] = [
  { domain: 'example-news.org', selector: 'sel2024', algorithm: 'rsa-sha256', canonicalization: 'relaxed/relaxed' },
  { domain: 'ministry.example', selector: 'mail', algorithm: 'rsa-sha256', canonicalization: 'relaxed/relaxed' },
  { domain: 'example-news.org', selector: 'sel2024', algorithm: 'rsa-sha256', canonicalization: 'simple/simple' },
  { domain: 'example-news.org', selector: 'ed', algorithm: 'ed25519-sha256', canonicalization: 'relaxed/relaxed' },
];

function pickSigner(r: () => number): Signer | null {
  const x = r();
  if (x >= 0.7) return null;
  return x < 0.42 ? SIGNERS[0]! : x < 0.56 ? SIGNERS[1]! : x < 0.66 ? SIGNERS[2]! : SIGNERS[3]!;
}

const privateKeys = new Map<string, string>();
function privateKey(s: Signer): string {
  const k = `${s.selector}.${s.domain}`;
  if (!privateKeys.has(k)) privateKeys.set(k, readPrivateKey(s.domain, s.selector));
  return privateKeys.get(k)!;
}

async function sign(message: Buffer, s: Signer, at: number, headerList?: string): Promise<Buffer> {
  const signature = {
    signingDomain: s.domain,
    selector: s.selector,
    privateKey: privateKey(s),
    algorithm: s.algorithm,
    canonicalization: s.canonicalization,
    ...(headerList ? { headerList } : {}),
  };
  const r = await dkimSign(message, { ...signature, signTime: new Date(at * 1000), signatureData: [signature] });
  if (r.errors.length || !r.signatures) throw new Error('bench: signing failed');
  return Buffer.concat([Buffer.from(r.signatures, 'latin1'), message]);
}

function qp(text: string): string {
  // Quoted-printable of UTF-8 text, soft-wrapped at 76 (enough for generated prose).
  const bytes = Buffer.from(text, 'utf8');
  let out = '';
  let line = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 13 && bytes[i + 1] === 10) {
      out += '\r\n';
      line = 0;
      i++;
      continue;
    }
    const enc = c === 61 || c > 126 ? `=${c.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(c);
    if (line + enc.length > 75) {
      out += '=\r\n';
      line = 0;
    }
    out += enc;
    line += enc.length;
  }
  return out;
}

/** One message of the mixed dump, by index: the same index always gives the same bytes. */
export async function mixedMessage(i: number): Promise<Buffer> {
  const r = random(i * 7919 + 17);
  const kind = i % 10 === 9 ? 'attachment' : i % 10 >= 6 ? 'html' : 'small';
  const signer = pickSigner(r);
  const domain = signer?.domain ?? ['freemail.example', 'campaign.example', 'lists.example.net'][i % 3]!;
  const name = NAMES[i % NAMES.length]!;
  const at = START + i * 97 + Math.floor(r() * 60);
  const subject = r() < 0.2 ? `=?UTF-8?Q?R=C3=A9union_${i}?=` : `Re: ${words(r, 30).replace(/\r\n/g, ' ').trim()} ${i}`;
  const head = [
    `Received: from mx${i % 7}.${domain} (mx${i % 7}.${domain} [192.0.2.${i % 250}]) by mail.campaign.example; ${mailDate(at + 5)}`,
    `Received: from [10.0.0.${i % 200}] by mx${i % 7}.${domain}; ${mailDate(at + 1)}`,
    `From: ${name} <${name.split(' ')[0]!.toLowerCase()}@${domain}>`,
    `To: ${NAMES[(i + 3) % NAMES.length]} <desk@campaign.example>`,
    ...(i % 4 === 0 ? [`Cc: team@campaign.example, "${NAMES[(i + 5) % NAMES.length]}" <x${i % 50}@campaign.example>`] : []),
    `Subject: ${subject}`,
    `Date: ${mailDate(at)}`,
    `Message-ID: <bench.${i}.${at}@${domain}>`,
    ...(i % 3 === 1 ? [`In-Reply-To: <bench.${i - 1}.${at - 97}@${domain}>`] : []),
    'MIME-Version: 1.0',
  ];
  let body: string;
  if (kind === 'small') {
    head.push('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable');
    body = qp(`Grüße,\r\n\r\n${words(r, 2000 + Math.floor(r() * 6000))}\r\n-- \r\n${name}\r\n`);
  } else if (kind === 'html') {
    const text = words(r, 8000 + Math.floor(r() * 30000));
    const html = `<html><body><div style="font-family: Arial">${text
      .split('\r\n\r\n')
      .map((p) => `<p>${p}</p>`)
      .join('\r\n')}</div>${'<table><tr><td class="x">&nbsp;</td></tr></table>\r\n'.repeat(Math.floor(r() * 200))}</body></html>`;
    if (i % 5 === 0) {
      head.push('Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable');
      body = qp(html);
    } else {
      head.push(`Content-Type: multipart/alternative; boundary="alt-${i}"`);
      body = [
        `--alt-${i}`,
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        qp(text),
        `--alt-${i}`,
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        qp(html),
        `--alt-${i}--`,
        '',
      ].join('\r\n');
    }
  } else {
    // 200 KB-2 MB once base64-encoded.
    const size = 146_000 + Math.floor(Math.pow(r(), 0.9) * 1_314_000);
    const [type, file] = [
      ['application/pdf', 'scan.pdf'],
      ['image/jpeg', 'photo.jpg'],
      ['application/zip', 'files.zip'],
      ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'memo.docx'],
    ][i % 4]!;
    head.push(`Content-Type: multipart/mixed; boundary="mix-${i}"`);
    body = [
      `--mix-${i}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      words(r, 600),
      `--mix-${i}`,
      `Content-Type: ${type}; name="${file}"`,
      `Content-Disposition: attachment; filename="${file}"`,
      'Content-Transfer-Encoding: base64',
      '',
      noise(i, size).toString('base64').replace(/.{76}/g, '$&\r\n'),
      `--mix-${i}--`,
      '',
    ].join('\r\n');
  }
  const message = Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`, 'utf8');
  return signer ? sign(message, signer, at + 1) : message;
}

interface Manifest {
  kind: string;
  count: number;
  bytes: number;
  version: number;
}
const VERSION = 1;

function manifestOk(dir: string, kind: string, count: number): Manifest | null {
  const f = join(dir, 'manifest.json');
  if (!existsSync(f)) return null;
  const m = JSON.parse(readFileSync(f, 'utf8')) as Manifest;
  return m.kind === kind && m.count === count && m.version === VERSION ? m : null;
}

function folderOf(dir: string, i: number): string {
  return join(dir, String(Math.floor(i / MESSAGES_PER_FOLDER)).padStart(4, '0'));
}

/** (a): the mixed dump as an .eml tree. Returns its size in bytes. */
export async function writeMixedDump(dir: string, count: number): Promise<number> {
  const ok = manifestOk(dir, 'mixed', count);
  if (ok) return ok.bytes;
  rmSync(dir, { recursive: true, force: true });
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    if (i % MESSAGES_PER_FOLDER === 0) mkdirSync(folderOf(dir, i), { recursive: true });
    const m = await mixedMessage(i);
    writeFileSync(join(folderOf(dir, i), `${i}.eml`), m);
    bytes += m.length;
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ kind: 'mixed', count, bytes, version: VERSION }));
  return bytes;
}

/** The folders holding the first `n` messages of a tree (for the quarter-size run). */
export function firstFolders(dir: string, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i += MESSAGES_PER_FOLDER) out.push(folderOf(dir, i));
  return out;
}

/** (b): `count` small messages as an .eml tree. */
export async function writeSmallDump(dir: string, count: number): Promise<number> {
  const ok = manifestOk(dir, 'small', count);
  if (ok) return ok.bytes;
  rmSync(dir, { recursive: true, force: true });
  const TEMPLATES = 5000;
  const templates: Buffer[] = [];
  for (let t = 0; t < TEMPLATES; t++) {
    const r = random(t * 104729 + 3);
    const signer = pickSigner(r);
    const domain = signer?.domain ?? ['freemail.example', 'campaign.example'][t % 2]!;
    const name = NAMES[t % NAMES.length]!;
    const at = START + t * 61;
    const head = [
      `From: ${name} <${name.split(' ')[0]!.toLowerCase()}@${domain}>`,
      `To: desk@campaign.example`,
      `Subject: ${words(r, 40).replace(/\r\n/g, ' ').trim()} ${t}`,
      `Date: ${mailDate(at)}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
    ];
    const msg = Buffer.from(`${head.join('\r\n')}\r\n\r\n${qp(`Hallo,\r\n\r\n${words(r, 2000 + Math.floor(r() * 6000))}\r\n`)}`, 'utf8');
    // Message-ID is left out of h= so that each copy can carry its own (see the header comment).
    templates.push(signer ? await sign(msg, signer, at + 1, 'From:To:Subject:Date:MIME-Version:Content-Type') : msg);
  }
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    if (i % MESSAGES_PER_FOLDER === 0) mkdirSync(folderOf(dir, i), { recursive: true });
    const t = i % TEMPLATES;
    const at = START + t * 61 + 4 + Math.floor(i / TEMPLATES);
    const m = Buffer.concat([
      Buffer.from(
        `Received: from relay${i % 13}.example by mail.campaign.example id ${i}; ${mailDate(at)}\r\nMessage-ID: <small.${i}@bench.example>\r\n`,
      ),
      templates[t]!,
    ]);
    writeFileSync(join(folderOf(dir, i), `${i}.eml`), m);
    bytes += m.length;
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ kind: 'small', count, bytes, version: VERSION }));
  return bytes;
}

/** (c): the mixed messages 0..count-1 in one mbox with LF line endings; reuses (a)'s files when present. */
export async function writeMixedMbox(file: string, count: number, tree: string | null): Promise<number> {
  const ok = manifestOk(`${file}.d`, 'mbox', count);
  if (ok && existsSync(file)) return ok.bytes;
  mkdirSync(`${file}.d`, { recursive: true });
  const fd = openSync(file, 'w');
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const cached = tree ? join(folderOf(tree, i), `${i}.eml`) : null;
    const m = cached && existsSync(cached) ? readFileSync(cached) : await mixedMessage(i);
    const lf = m
      .toString('latin1')
      .replace(/\r\n/g, '\n')
      .replace(/^(>*From )/gm, '>$1');
    const chunk = Buffer.from(`From bench@example.org ${new Date((START + i * 97) * 1000).toUTCString()}\n${lf}\n`, 'latin1');
    writeSync(fd, chunk);
    bytes += chunk.length;
  }
  closeSync(fd);
  writeFileSync(join(`${file}.d`, 'manifest.json'), JSON.stringify({ kind: 'mbox', count, bytes, version: VERSION }));
  return bytes;
}
