// Our one-pass MIME walk against mailparser, the reference: on every message of the generated
// corpus, the demo dump, the real corpus and benchmark-style messages (HTML, quoted-printable,
// large base64 attachments), and on seeded variants of them, a message the walk takes gets exactly
// the ParsedMessage mailparser gives it.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { readMessage } from '../../src/parse/parse-message.ts';
import { walkMime } from '../../src/parse/mime-walk.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const REAL = resolve(ROOT, '../shared/corpus/real');

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile() && !f.endsWith('.json') && !f.endsWith('.zone') && !f.endsWith('.zip') && !f.endsWith('.jpg'));
}

const CRLF = '\r\n';
function built(i: number): Buffer {
  const b64 = createHash('sha256').update(String(i)).digest().toString('base64');
  const variants = [
    `Content-Type: multipart/alternative; boundary="a"${CRLF}${CRLF}--a${CRLF}Content-Type: text/plain; charset=iso-8859-1${CRLF}Content-Transfer-Encoding: quoted-printable${CRLF}${CRLF}Gr=FC=DFe =${CRLF}und so${CRLF}--a${CRLF}Content-Type: text/html; charset=utf-8${CRLF}${CRLF}<p>Grüße</p>${CRLF}--a--${CRLF}`,
    `Content-Type: multipart/mixed; boundary=x${CRLF}${CRLF}preamble${CRLF}--x${CRLF}${CRLF}first${CRLF}--x${CRLF}Content-Type: text/html${CRLF}${CRLF}<b>second</b>${CRLF}--x${CRLF}Content-Type: application/octet-stream; name="=?UTF-8?Q?r=C3=A9sum=C3=A9.pdf?="${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}${b64.repeat(300).replace(/.{76}/g, `$&${CRLF}`)}${CRLF}--x${CRLF}Content-Type: image/png${CRLF}Content-ID: <img1>${CRLF}Content-Disposition: inline${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}${b64}${CRLF}--x--${CRLF}epilogue`,
    `Content-Type: text/html; charset=windows-1252${CRLF}${CRLF}<html><body><p>caf\xe9</p><ul><li>one</li></ul></body></html>`,
    `Content-Type: text/plain; format=flowed; delsp=yes${CRLF}${CRLF}flowed line ${CRLF}continues here${CRLF}`,
    `Content-Type: multipart/mixed; boundary="big"${CRLF}${CRLF}--big${CRLF}Content-Type: application/zip${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}${Buffer.alloc(
      5_000_001 + i,
      i,
    )
      .toString('base64')
      .replace(/.{76}/g, `$&${CRLF}`)}${CRLF}--big--${CRLF}`,
    `Content-Type: multipart/related; boundary="r"${CRLF}${CRLF}--r${CRLF}Content-Type: multipart/alternative; boundary="s"${CRLF}${CRLF}--s${CRLF}Content-Type: text/plain${CRLF}${CRLF}plain${CRLF}--s${CRLF}Content-Type: text/html${CRLF}${CRLF}<p>html</p>${CRLF}--s--${CRLF}--r${CRLF}Content-Type: text/plain${CRLF}Content-Disposition: attachment; filename*=UTF-8''na%C3%AFve.txt${CRLF}${CRLF}notes${CRLF}--r--${CRLF}`,
  ];
  const head = [
    `From: =?UTF-8?B?${Buffer.from('Zoë <zoe@example.org>').toString('base64')}?=, "=?ISO-8859-1?Q?J=F6rg?=" <joerg@xn--mnchen-3ya.example>`,
    `To: team: a@example.org, b@example.org;, c@example.org`,
    `To: d@example.org`,
    `Subject: =?UTF-8?Q?Caf=C3=A9?= ${i}`,
    'MIME-Version: 1.0',
  ].join(CRLF);
  return Buffer.from(`${head}${CRLF}${variants[i % variants.length]}`, 'latin1');
}

function variants(bytes: Buffer): Buffer[] {
  const text = bytes.toString('latin1');
  return [bytes, Buffer.from(text.replace(/\r\n/g, '\n'), 'latin1')];
}

describe('the MIME walk', () => {
  it('gives what mailparser gives on every message it takes, and takes most mail', async () => {
    const inputs: Buffer[] = [
      ...files(join(ROOT, 'test-corpus/generated')),
      ...files(join(ROOT, 'test-corpus/demo')),
      ...files(REAL).filter((f) => !f.includes('/arc-test-suite/')),
    ].map((f): Buffer => readFileSync(f));
    for (let i = 0; i < 12; i++) inputs.push(built(i));
    let walked = 0;
    let total = 0;
    for (const original of inputs) {
      for (const bytes of variants(original)) {
        const mine = await readMessage(bytes);
        const ref = await readMessage(bytes, { bodyParser: 'mailparser' });
        total++;
        if (mine.bodyParser !== 'walk') continue;
        walked++;
        expect(mine.parsed, bytes.toString('latin1', 0, 300)).toEqual(ref.parsed);
      }
    }
    console.log(`MIME walk took ${walked} of ${total} messages; mailparser the rest`);
    expect(total).toBeGreaterThan(200);
    expect(walked / total).toBeGreaterThan(0.8);
  });

  it('leaves base64 text with a byte outside ASCII to mailparser, whose decoder reads it its own way', async () => {
    const content = createHash('sha256').update('high byte').digest();
    const b64 = content.toString('base64');
    // 0xC1 with its top bit cleared is 'A', a base64 letter; Node's decoder drops the byte, mailparser's does not.
    const dirty = Buffer.concat([Buffer.from(b64.slice(0, 8), 'latin1'), Buffer.from([0xc1]), Buffer.from(b64.slice(8), 'latin1')]);
    const message = Buffer.concat([
      Buffer.from(`Content-Type: application/octet-stream; name="x.bin"${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}`, 'latin1'),
      dirty,
      Buffer.from(CRLF, 'latin1'),
    ]);
    const mine = await readMessage(message);
    expect(mine.bodyParser).toBe('mailparser');
    expect(mine.parsed).toEqual((await readMessage(message, { bodyParser: 'mailparser' })).parsed);
    // Without the byte, the walk takes it and gives the content.
    const clean = await readMessage(Buffer.concat([message.subarray(0, message.indexOf(dirty)), Buffer.from(b64 + CRLF, 'latin1')]));
    expect(clean.bodyParser).toBe('walk');
    expect(clean.parsed.attachments[0]!.sha256).toBe(createHash('sha256').update(content).digest('hex'));
  });

  it('declines what it leaves to mailparser: embedded messages, unclosed trees', () => {
    const embedded = `Content-Type: multipart/mixed; boundary=b${CRLF}${CRLF}--b${CRLF}Content-Type: message/rfc822${CRLF}${CRLF}Subject: inner${CRLF}${CRLF}hi${CRLF}--b--${CRLF}`;
    const h = (s: string) => [
      { index: 0, name: 'Content-Type', key: 'content-type', raw: s.split(CRLF)[0]!, value: s.split(CRLF)[0]!.slice(14) },
    ];
    expect(() => walkMime(h(embedded), Buffer.from(embedded.slice(embedded.indexOf(CRLF) + 4)))).toThrow(/rfc822/);
    const open = `Content-Type: multipart/mixed; boundary=b${CRLF}${CRLF}--b${CRLF}${CRLF}never closed${CRLF}`;
    expect(() => walkMime(h(open), Buffer.from(open.slice(open.indexOf(CRLF) + 4)))).toThrow(/closing boundary/);
  });

  it('decodes for their metadata only the attachments that may be documents (by type, name or first bytes)', () => {
    const part = (type: string, name: string, content: Buffer) =>
      `--b${CRLF}Content-Type: ${type}; name="${name}"${CRLF}Content-Disposition: attachment; filename="${name}"${CRLF}` +
      `Content-Transfer-Encoding: base64${CRLF}${CRLF}${content.toString('base64')}${CRLF}`;
    const body =
      part('application/octet-stream', 'Memo.DOCX', Buffer.from('not really')) +
      part('application/octet-stream', 'scan', Buffer.from('junk before %PDF-1.7 …')) +
      part('image/jpeg', 'photo.jpg', Buffer.from([0xff, 0xd8, 0xff])) +
      `--b--${CRLF}`;
    const root = 'Content-Type: multipart/mixed; boundary=b';
    const walked = walkMime([{ index: 0, name: 'Content-Type', key: 'content-type', raw: root, value: root.slice(14) }], Buffer.from(body));
    expect(walked.attachments).toHaveLength(3);
    expect(walked.documents.map((d) => [d.index, d.content.toString('utf8')])).toEqual([
      [0, 'not really'],
      [1, 'junk before %PDF-1.7 …'],
    ]);
  });
});
