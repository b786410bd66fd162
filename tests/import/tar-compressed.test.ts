// tar archives and gzip or zstd files, read in place as streams: every message inside comes out
// byte for byte with its path through each layer, and hostile or damaged ones leave a record.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { InputItem } from '../../src/model.ts';
import { recogniseFile } from '../../src/import/readers/index.ts';
import { openDatabase } from '../../src/store/database.ts';
import { importPaths } from '../../src/pipeline/run-import.ts';
import { buildTar, tarHeader } from '../../test-corpus/tar-writer.ts';
import { buildZip } from '../helpers/zip-writer.ts';
import { tempDbFile } from '../helpers/fixture-db.ts';
import { collect, summary } from '../helpers/read-items.ts';

const dir = mkdtempSync(join(tmpdir(), 'leaktriage-tar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  mkdirSync(resolve(path, '..'), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}

function messages(items: InputItem[]): Buffer[] {
  return items.flatMap((i) => (i.kind === 'message' ? [i.message.bytes] : []));
}

const EML = 'From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n';
const FROM = 'From a@example.org Mon Jan  1 10:00:00 2024\n';
const MBOX = `${FROM}From: one@example.org\n\n1\n\n${FROM}From: two@example.org\n\n2\n`;
const MAILDIR = 'From: m@example.org\nSubject: kept\n\nz\n';
const LONG = `mail/${'a-folder-with-a-long-name/'.repeat(5)}message.eml`;

const TREE = buildTar([
  { name: './', type: 'directory' },
  { name: './mail/', type: 'directory' },
  { name: './mail/a.eml', data: EML },
  { name: './mail/box.mbox', data: MBOX },
  { name: './mail/link.eml', type: 'symlink', linkname: 'a.eml' },
  { name: './maildir/u/cur/1700000000.M1P1.host,S=38:2,S', data: MAILDIR },
  { name: './inner.zip', data: buildZip([{ name: 'deep.eml', data: EML }]) },
  { name: './inner.tar', data: buildTar([{ name: 'deeper.eml', data: EML }]) },
  { name: './pipe', type: 'fifo' },
  { name: './notes.txt', data: 'not mail at all' },
]);

describe('tar', () => {
  it('reads messages, mboxes, nested zips and tars without extracting, and records what it does not read', async () => {
    const path = write('dump.tar', TREE);
    const items = await collect([path]);
    expect(summary(items)).toEqual([
      `message ${path}!/mail/a.eml`,
      `message ${path}!/mail/box.mbox#${FROM.length}`,
      `message ${path}!/mail/box.mbox#${MBOX.lastIndexOf(FROM) + FROM.length}`,
      `tar/link ${path}!/mail/link.eml`,
      `message ${path}!/maildir/u/cur/1700000000.M1P1.host,S=38:2,S`,
      `message ${path}!/inner.zip!/deep.eml`,
      `message ${path}!/inner.tar!/deeper.eml`,
      `tar/not-a-file ${path}!/pipe`,
      `input/not-mail ${path}!/notes.txt`,
    ]);
    expect(messages(items).map((b) => b.toString('latin1'))).toEqual([
      EML,
      `From: one@example.org\n\n1\n`,
      `From: two@example.org\n\n2\n`,
      MAILDIR,
      EML,
      EML,
    ]);
    const first = items[0]!;
    expect(first.kind === 'message' && first.message.source).toMatchObject({ container: path, folder: 'mail', offset: null });
  });

  it('reads long names (GNU and pax) and the old v7 format, which has no magic', async () => {
    const gnu = write('gnu.tar', buildTar([{ name: LONG, data: EML, longName: 'gnu' }]));
    const pax = write('pax.tar', buildTar([{ name: LONG, data: EML, longName: 'pax' }]));
    const v7 = write('old', buildTar([{ name: 'a.eml', data: EML }], 'v7'));
    expect(recogniseFile('old', tarHeader('a.eml', 1, '0', 'v7'))?.kind).toBe('tar');
    expect(summary(await collect([gnu, pax, v7]))).toEqual([`message ${gnu}!/${LONG}`, `message ${pax}!/${LONG}`, `message ${v7}!/a.eml`]);
  });

  it('records damage, names that escape, an empty archive and too many entries, and reads what comes before', async () => {
    // Cut inside the mbox's bytes (the sixth block).
    const cut = write('cut.tar', TREE.subarray(0, 512 * 5 + 60));
    const bad = Buffer.from(
      buildTar([
        { name: 'a.eml', data: EML },
        { name: 'b.eml', data: EML },
      ]),
    );
    bad.writeUInt8(bad.readUInt8(1024 + 10) ^ 0xff, 1024 + 10); // the second header's name: its checksum no longer adds up
    const damaged = write('damaged.tar', bad);
    const escapes = write(
      'escapes.tar',
      buildTar([
        { name: '../up.eml', data: EML },
        { name: '/etc/abs.eml', data: EML },
        { name: 'fine.eml', data: EML },
      ]),
    );
    const empty = write('empty.tar', buildTar([{ name: 'only/', type: 'directory' }]));
    const many = write('many.tar', buildTar([1, 2, 3].map((n) => ({ name: `${n}.eml`, data: EML }))));
    // Cut right after an entry: tar-stream sees a whole archive, but the empty blocks that end one are missing.
    const whole = buildTar([
      { name: 'a.eml', data: EML },
      { name: 'b.eml', data: EML },
    ]);
    const atBoundary = write('boundary.tar', whole.subarray(0, whole.length - 1024));
    const items = await collect([cut, damaged, escapes, empty, atBoundary]);
    expect(summary(items)).toEqual([
      `message ${cut}!/mail/a.eml`,
      `tar/corrupt ${cut}`,
      `message ${damaged}!/a.eml`,
      `tar/corrupt ${damaged}`,
      `tar/entry-escapes ${escapes}!/../up.eml`,
      `tar/entry-escapes ${escapes}!//etc/abs.eml`,
      `message ${escapes}!/fine.eml`,
      `tar/empty ${empty}`,
      `message ${atBoundary}!/a.eml`,
      `message ${atBoundary}!/b.eml`,
      `tar/no-end ${atBoundary}`,
    ]);
    expect(summary(await collect([many], { limits: { maxZipEntries: 2 } }))).toEqual([
      `message ${many}!/1.eml`,
      `message ${many}!/2.eml`,
      `tar/too-many-entries ${many}`,
    ]);
  });
});

describe('gzip and zstd', () => {
  it('read a .tar.gz, a .tar.zst, an .eml.gz and an mbox.zst as what they hold, byte for byte', async () => {
    const tgz = write('dump.tar.gz', gzipSync(TREE));
    const tzst = write('dump.tzst', zstdCompressSync(TREE));
    const eml = write('one.eml.gz', gzipSync(EML));
    const mbox = write('box.mbox.zst', zstdCompressSync(MBOX));
    const plain = messages(await collect([write('plain.tar', TREE)]));
    for (const [path, inner] of [
      [tgz, 'dump.tar'],
      [tzst, 'dump.tar'],
    ] as const) {
      const items = await collect([path]);
      expect(summary(items)[0]).toBe(`message ${path}!/${inner}!/mail/a.eml`);
      expect(messages(items)).toEqual(plain);
    }
    expect(summary(await collect([eml, mbox]))).toEqual([
      `message ${eml}!/one.eml`,
      `message ${mbox}!/box.mbox#${FROM.length}`,
      `message ${mbox}!/box.mbox#${MBOX.lastIndexOf(FROM) + FROM.length}`,
    ]);
  });

  it('reads a maildir file that Dovecot compressed where it lies, in its maildir', async () => {
    const maildir = join(dir, 'Maildir');
    const name = '1700000000.M1P1.host,S=38,W=42:2,S';
    write(`Maildir/cur/${name}`, gzipSync(MAILDIR));
    write('Maildir/new/1700000001.M2P1.host', Buffer.from(EML));
    mkdirSync(join(maildir, 'tmp'), { recursive: true });
    const items = await collect([maildir]);
    const compressed = items.find((i) => i.kind === 'message' && i.message.bytes.toString() === MAILDIR);
    expect(compressed?.kind === 'message' && compressed.message.source).toMatchObject({
      path: `${maildir}/cur/${name}!/${name}`,
      mailbox: maildir,
      folder: 'cur',
    });
    expect(messages(items)).toHaveLength(2);
  });

  it('stops a bomb, records damaged data after what came before it, and refuses layers nested too deep', async () => {
    const bomb = write('bomb.eml.gz', gzipSync(Buffer.concat([Buffer.from(EML), Buffer.alloc(4 * 1024 * 1024)])));
    const whole = gzipSync(Buffer.from(MBOX.repeat(200)));
    const cut = write('cut.mbox.gz', whole.subarray(0, whole.length - 40));
    const junk = write('junk.gz', Buffer.concat([whole.subarray(0, 10), Buffer.from('not deflate data at all')]));
    const nested = write('nested.eml.gz.gz.gz', gzipSync(gzipSync(gzipSync(EML))));
    // A bomb inside a .tar.gz ends the archive's stream: the gzip layer records it, once, after the
    // entries before it.
    const tarBomb = write(
      'bomb.tar.gz',
      gzipSync(
        buildTar([
          { name: 'a.eml', data: EML },
          { name: 'zeros.eml', data: Buffer.concat([Buffer.from(EML), Buffer.alloc(4 * 1024 * 1024)]) },
          { name: 'c.eml', data: EML },
        ]),
      ),
    );
    const limits = { ratioFloorBytes: 64 * 1024, maxCompressionRatio: 20, maxZipDepth: 2 };
    const bombed = summary(await collect([tarBomb], { limits }));
    expect(bombed).toEqual([`message ${tarBomb}!/bomb.tar!/a.eml`, `compressed/bomb ${tarBomb}!/bomb.tar`]);
    const items = await collect([bomb, cut, junk, nested], { limits });
    const codes = summary(items).filter((s) => !s.startsWith('message '));
    expect(codes).toEqual([
      `compressed/bomb ${bomb}!/bomb.eml`,
      `compressed/corrupt ${cut}!/cut.mbox`,
      `compressed/corrupt ${junk}!/junk`,
      `compressed/too-deep ${nested}!/nested.eml.gz.gz!/nested.eml.gz`,
    ]);
    // The mbox's messages before the damage were read.
    expect(summary(items).filter((s) => s.startsWith(`message ${cut}`)).length).toBeGreaterThan(200);
  });
});

describe('an import of a .tar.gz', () => {
  it('stores the same messages with the same verdicts as the folder it was made of', async () => {
    const demo = resolve(import.meta.dirname, '../../test-corpus/demo');
    const { execFileSync } = await import('node:child_process');
    // The demo dump as a tar.gz, made by this machine's tar as a reporter's would be.
    const tgz = join(dir, 'demo.tar.gz');
    execFileSync('tar', ['-czf', tgz, '-C', demo, '.']);
    const verdicts = async (path: string): Promise<string[]> => {
      const db = openDatabase(tempDbFile(`tgz-${path.length}.sqlite`));
      await importPaths(db, [path], { workers: 0 });
      const rows = db.prepare('SELECT sha256, verdict, reasons FROM messages ORDER BY sha256').all() as Record<string, string>[];
      db.close();
      return rows.map((r) => `${r.sha256} ${r.verdict} ${r.reasons}`);
    };
    const fromFolder = await verdicts(demo);
    expect(fromFolder.length).toBeGreaterThan(5);
    expect(await verdicts(tgz)).toEqual(fromFolder);
  });
});
