import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ZipFile } from 'yauzl';
import type { InputItem } from '../../src/model.ts';
import { measureInputs } from '../../src/import/read-inputs.ts';
import { type ZipEntrySpec, buildZip } from '../helpers/zip-writer.ts';
import { integersFrom } from '../helpers/seeded-random.ts';
import { collect, summary } from '../helpers/read-items.ts';

const dir = mkdtempSync(join(tmpdir(), 'leaktriage-zip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeZip(name: string, entries: ZipEntrySpec[]): string {
  const path = join(dir, name);
  writeFileSync(path, buildZip(entries));
  return path;
}

const EML = 'From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n';
const FROM = 'From a@example.org Mon Jan  1 10:00:00 2024\n';
const MBOX = `${FROM}From: one@example.org\n\n1\n\n${FROM}From: two@example.org\n\n2\n`;
const ZEROS = Buffer.alloc(20 * 1024 * 1024);

describe('zip', () => {
  it('reads eml, mbox and nested zips (stored and deflated) without extracting', async () => {
    const inner = buildZip([{ name: 'deep.eml', data: EML }]);
    const path = writeZip('dump.zip', [
      { name: 'mail/a.eml', data: EML },
      { name: 'mail/box.mbox', data: MBOX },
      { name: 'stored.zip', data: inner, method: 'store' },
      { name: 'deflated.zip', data: inner },
      { name: 'notes.txt', data: 'not mail at all' },
      { name: 'mail/', data: '' },
    ]);
    const items = await collect([path]);
    expect(summary(items)).toEqual([
      `message ${path}!/mail/a.eml`,
      `message ${path}!/mail/box.mbox#${FROM.length}`,
      `message ${path}!/mail/box.mbox#${MBOX.lastIndexOf(FROM) + FROM.length}`,
      `message ${path}!/stored.zip!/deep.eml`,
      `message ${path}!/deflated.zip!/deep.eml`,
      `input/not-mail ${path}!/notes.txt`,
    ]);
    const messages = items.flatMap((i) => (i.kind === 'message' ? [i.message] : []));
    expect(messages[0]!.source).toMatchObject({ container: path, folder: 'mail', offset: null, mailbox: null });
    expect(messages[0]!.bytes.toString()).toBe(EML);
    // mbox members: offsets are within the entry, and the bytes are that slice of it.
    for (const member of messages.slice(1, 3)) {
      const { offset, length } = member.source;
      expect(member.source.mailbox).toBe(`${path}!/mail/box.mbox`);
      expect(Buffer.compare(member.bytes, Buffer.from(MBOX).subarray(offset!, offset! + length))).toBe(0);
    }
    expect(messages[3]!.source.container).toBe(`${path}!/stored.zip`);
  });

  it('counts progress up to the archive size, as measured', async () => {
    const path = writeZip('progress.zip', [
      { name: 'a.eml', data: EML },
      { name: 'b.eml', data: EML },
    ]);
    const progress = { bytesRead: 0 };
    await collect([path], { progress });
    expect(progress.bytesRead).toBe(statSync(path).size);
    expect(await measureInputs([path])).toEqual({ files: 1, bytes: statSync(path).size });
  });

  it.each([
    ['../evil.eml', 'climbs out'],
    ['/etc/evil.eml', 'absolute'],
    ['..\\..\\evil.eml', 'climbs out'],
    ['C:/Windows/evil.eml', 'drive letter'],
    ['\\\\server\\share\\evil.eml', 'absolute'],
  ])('rejects the escaping entry %j and reads the rest', async (name, why) => {
    const path = writeZip('slip.zip', [
      { name, data: EML },
      { name: 'ok.eml', data: EML },
    ]);
    const items = await collect([path]);
    expect(items[0]).toMatchObject({ kind: 'failure', failure: { code: 'zip/entry-escapes' } });
    expect(items[0]!.kind === 'failure' && items[0]!.failure.reason).toContain(why);
    expect(summary(items.slice(1))).toEqual([`message ${path}!/ok.eml`]);
  });

  it('rejects symlink, encrypted and bzip2-compressed entries', async () => {
    const path = writeZip('odd.zip', [
      { name: 'link.eml', data: '/etc/passwd', unixMode: 0o120777 },
      { name: 'secret.eml', data: EML, flags: 1 },
      { name: 'bzip2.eml', data: EML, method: 12 },
      { name: 'ok.eml', data: EML },
    ]);
    expect(summary(await collect([path]))).toEqual([
      `zip/symlink-entry ${path}!/link.eml`,
      `zip/encrypted ${path}!/secret.eml`,
      `zip/unsupported-method ${path}!/bzip2.eml`,
      `message ${path}!/ok.eml`,
    ]);
  });

  it('rejects a bomb by its declared sizes without inflating it', async () => {
    const path = writeZip('bomb.zip', [
      { name: 'zeros.mbox', data: ZEROS },
      { name: 'ok.eml', data: EML },
    ]);
    const items = await collect([path]);
    expect(summary(items)).toEqual([`zip/bomb ${path}!/zeros.mbox`, `message ${path}!/ok.eml`]);
    expect(items[0]!.kind === 'failure' && items[0]!.failure.reason).toContain('ratio');
  });

  it('stops a bomb whose declared size lies, while it inflates', async () => {
    const path = writeZip('liar.zip', [
      { name: 'zeros.mbox', data: ZEROS, declaredSize: 1000 },
      { name: 'ok.eml', data: EML },
    ]);
    const items = await collect([path]);
    expect(summary(items)).toEqual([`zip/bomb ${path}!/zeros.mbox`, `message ${path}!/ok.eml`]);
    expect(items[0]!.kind === 'failure' && items[0]!.failure.reason).toContain('declares 1000');
  });

  it('enforces the total uncompressed budget of an archive', async () => {
    const path = writeZip('budget.zip', [
      { name: 'a.eml', data: EML },
      { name: 'b.eml', data: EML },
    ]);
    const items = await collect([path], { limits: { maxZipTotalBytes: EML.length + 10 } });
    expect(summary(items)).toEqual([`message ${path}!/a.eml`, `zip/bomb ${path}!/b.eml`]);
  });

  it('reads the entries before the cut of a truncated archive from their local headers', async () => {
    const big = EML + 'x'.repeat(2000);
    const whole = buildZip([
      { name: 'a.eml', data: EML },
      { name: 'b.eml', data: EML },
      { name: 'c.eml', data: big, method: 'store' },
    ]);
    const insideC = join(dir, 'cut-inside-entry.zip');
    writeFileSync(insideC, whole.subarray(0, whole.indexOf(big) + 500));
    const insideDirectory = join(dir, 'cut-inside-directory.zip');
    writeFileSync(insideDirectory, whole.subarray(0, whole.length - 30));
    const items = await collect([insideC, insideDirectory]);
    expect(summary(items)).toEqual([
      `zip/corrupt ${insideC}`,
      `message ${insideC}!/a.eml`,
      `message ${insideC}!/b.eml`,
      `zip/corrupt ${insideC}!/c.eml`,
      `zip/corrupt ${insideDirectory}`,
      `message ${insideDirectory}!/a.eml`,
      `message ${insideDirectory}!/b.eml`,
      `message ${insideDirectory}!/c.eml`,
    ]);
    expect(items[3]!.kind === 'failure' && items[3]!.failure.reason).toContain('ends inside this entry');
  });

  it('reports a file named .zip that is none as corrupt', async () => {
    const fake = join(dir, 'fake.zip');
    writeFileSync(fake, 'this is not a zip');
    expect(summary(await collect([fake]))).toEqual([`zip/corrupt ${fake}`]);
  });

  it('reads the entries around a damaged one', async () => {
    const path = writeZip('damaged.zip', [
      { name: 'a.eml', data: EML },
      { name: 'b.eml', data: EML, rawData: Buffer.from('not deflate data at all, really not') },
      { name: 'c.eml', data: EML, declaredCrc: 0x12345678 },
      { name: 'd.eml', data: EML },
    ]);
    expect(summary(await collect([path]))).toEqual([
      `message ${path}!/a.eml`,
      `zip/corrupt ${path}!/b.eml`,
      `zip/bad-crc ${path}!/c.eml`,
      `message ${path}!/d.eml`,
    ]);
  });

  it('stops after too many entries and at too deep a nesting', async () => {
    const many = writeZip(
      'many.zip',
      [1, 2, 3].map((n) => ({ name: `${n}.eml`, data: EML })),
    );
    expect(summary(await collect([many], { limits: { maxZipEntries: 2 } }))).toEqual([
      `message ${many}!/1.eml`,
      `message ${many}!/2.eml`,
      `zip/too-many-entries ${many}`,
    ]);
    const level3 = buildZip([{ name: 'x.eml', data: EML }]);
    const level2 = buildZip([{ name: 'l3.zip', data: level3 }]);
    const deep = writeZip('deep.zip', [{ name: 'l2.zip', data: level2 }]);
    expect(summary(await collect([deep], { limits: { maxZipDepth: 2 } }))).toEqual([`zip/too-deep ${deep}!/l2.zip!/l3.zip`]);
    expect(summary(await collect([deep]))).toEqual([`message ${deep}!/l2.zip!/l3.zip!/x.eml`]);
  });

  it('refuses a deflated inner zip larger than the in-memory limit, and an oversized entry', async () => {
    const inner = buildZip([{ name: 'x.eml', data: 'x'.repeat(5000) }]);
    const path = writeZip('nested-big.zip', [
      { name: 'inner.zip', data: inner },
      { name: 'big.eml', data: EML + 'y'.repeat(2000) },
    ]);
    expect(summary(await collect([path], { limits: { maxNestedZipBytes: 100, maxMessageBytes: 1000 } }))).toEqual([
      `zip/nested-too-large ${path}!/inner.zip`,
      `input/too-large ${path}!/big.eml`,
    ]);
  });

  it('never throws or hangs on a truncated or byte-flipped archive', async () => {
    const inner = buildZip([{ name: 'i.eml', data: EML }]);
    const whole = buildZip([
      { name: 'a.eml', data: EML },
      { name: 'b.mbox', data: MBOX },
      { name: 'in.zip', data: inner, method: 'store' },
      { name: 'in2.zip', data: inner },
    ]);
    const path = join(dir, 'mutated.zip');
    const known = /^(message|zip\/[a-z-]+|input\/(not-mail|empty|too-large)|mbox\/[a-z-]+)$/;
    // Every 7th offset keeps the test fast; a full sweep of every offset passed when this was written.
    for (let at = 1; at < whole.length; at += 7) {
      const flipped = Buffer.from(whole);
      flipped[at] = flipped[at]! ^ 0xff;
      for (const bytes of [whole.subarray(0, at), flipped]) {
        writeFileSync(path, bytes);
        for (const line of summary(await collect([path]))) expect(line.split(' ')[0]).toMatch(known);
      }
    }
  });

  it('reads entries in archive order, the same on every run', async () => {
    const path = writeZip('order.zip', [
      { name: 'z.eml', data: EML },
      { name: 'a.eml', data: EML },
    ]);
    const first = summary(await collect([path]));
    expect(first).toEqual([`message ${path}!/z.eml`, `message ${path}!/a.eml`]);
    expect(summary(await collect([path]))).toEqual(first);
  });

  it('gives the same items for entries read at once as for entries streamed, intact, truncated or byte-flipped', async () => {
    /** Each item whole: a message's bytes, a failure's reason. */
    const full = (items: InputItem[]) =>
      items.map((i) =>
        i.kind === 'message'
          ? `message ${i.message.source.path} ${i.message.bytes.toString('base64')}`
          : i.kind === 'failure'
            ? `${i.failure.code} ${i.failure.path} ${i.failure.reason}`
            : `${i.code} ${i.path}`,
      );
    const next = integersFrom(3);
    const inner = buildZip([{ name: 'i.eml', data: EML }]);
    const big = Buffer.from(`From: a@example.org\r\nSubject: big\r\n\r\n${'line of text\r\n'.repeat(20_000)}`);
    const whole = buildZip([
      { name: 'a.eml', data: EML },
      { name: 'b.mbox', data: MBOX },
      { name: 'big.eml', data: big },
      { name: 'stored.eml', data: EML, method: 'store' },
      { name: 'in.zip', data: inner, method: 'store' },
      { name: 'in2.zip', data: inner },
      // Bytes that do not deflate (the archive's budget is 100 times its size).
      { name: 'noise.eml', data: `${EML}${Buffer.from(Array.from({ length: 20_000 }, () => next(256))).toString('base64')}\r\n` },
      // A bomb that reads as mail and declares 1,000 bytes: stopped at its limit either way, and the entries after it read.
      { name: 'liar.eml', data: Buffer.concat([Buffer.from(EML), Buffer.alloc(2 * 1024 * 1024, 0x20)]), declaredSize: 1000 },
      { name: 'crc.eml', data: EML, declaredCrc: 0x12345678 },
      { name: 'short.eml', data: EML, declaredSize: 10 },
    ]);
    const path = join(dir, 'at-once.zip');
    const streamed = { limits: { maxZipAtOnceBytes: 0 } };
    const atOnce = async () => full(await collect([path]));
    writeFileSync(path, whole);
    // Read at once, yauzl opens no entry's stream; streamed, it opens one for each entry it reads.
    const opened = vi.spyOn(ZipFile.prototype, 'openReadStream');
    const intact = await atOnce();
    expect(opened).not.toHaveBeenCalled();
    await collect([path], streamed);
    expect(opened.mock.calls.length).toBeGreaterThan(5);
    opened.mockRestore();
    expect(intact.map((l) => l.split(' ')[0])).toEqual([...Array<string>(8).fill('message'), 'zip/bomb', 'zip/bad-crc', 'zip/corrupt']);
    expect(intact).toEqual(full(await collect([path], streamed)));
    // Entries over the limit are streamed: big.eml (about 280 KB) under a limit of 100 KB.
    expect(full(await collect([path], { limits: { maxZipAtOnceBytes: 100_000 } }))).toEqual(intact);
    for (let at = 1; at < whole.length; at += 307) {
      const flipped = Buffer.from(whole);
      flipped[at] = flipped[at]! ^ 0xff;
      for (const bytes of [whole.subarray(0, at), flipped]) {
        writeFileSync(path, bytes);
        expect(await atOnce(), `cut or flipped at ${at}`).toEqual(full(await collect([path], streamed)));
      }
    }
  });
});
