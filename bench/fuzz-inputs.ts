// Hostile inputs for the fuzzer (issue 9), made from the test corpus with a seeded generator: the
// same seed gives the same bytes. Each mutation is one damage a real dump or an attacker produces.
// Sizes stay modest by default so that a run of 10,000 fits in minutes; `scale` grows the largest.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { writeZip } from '../test-corpus/zip-writer.ts';
import { overlapEntries } from '../tests/helpers/hostile-zips.ts';
import { buildTar } from '../test-corpus/tar-writer.ts';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(import.meta.dirname, '..');

export interface FuzzInput {
  /** Path of the file written. */
  path: string;
  /** The mutation that made it. */
  mutation: string;
  /** For archives: the entry names inside it (each must be accounted for, or the archive itself). */
  entries: string[];
  /** For mbox files: how many messages were joined (each must be stored or recorded). */
  members: number;
}

class Dice {
  private readonly rng: RandomGenerator;
  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed);
  }
  int(min: number, max: number): number {
    return uniformInt(this.rng, min, max);
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(0, list.length - 1)]!;
  }
  chance(p: number): boolean {
    return this.int(0, 9999) < p * 10000;
  }
}

/** The messages mutations start from: the generated signed corpus and the demo dump's messages. */
export function loadBaseMessages(): Buffer[] {
  const dirs = [join(ROOT, 'test-corpus/generated'), join(ROOT, 'test-corpus/demo/eml'), join(ROOT, 'test-corpus/demo/Maildir/cur')];
  return dirs.flatMap((d) =>
    readdirSync(d)
      .filter((f) => !f.endsWith('.json'))
      .sort()
      .map((f) => readFileSync(join(d, f))),
  );
}

function headerEnd(b: Buffer): number {
  const crlf = b.indexOf('\r\n\r\n');
  const lf = b.indexOf('\n\n');
  return crlf === -1 ? (lf === -1 ? b.length : lf) : lf === -1 ? crlf : Math.min(crlf, lf);
}

function insertAt(b: Buffer, at: number, what: Buffer | string): Buffer {
  return Buffer.concat([b.subarray(0, at), Buffer.isBuffer(what) ? what : Buffer.from(what, 'latin1'), b.subarray(at)]);
}

type Mutation = (b: Buffer, d: Dice, scale: number) => Buffer;

/** Message mutations by name; weights keep the expensive ones rare. */
export const MESSAGE_MUTATIONS: Record<string, { weight: number; make: Mutation }> = {
  truncate: { weight: 12, make: (b, d) => b.subarray(0, d.int(0, b.length)) },
  'byte-flips': {
    weight: 14,
    make: (b, d) => {
      const c = Buffer.from(b);
      for (let i = d.int(1, 12); i > 0; i--) c[d.int(0, c.length - 1)] = d.int(0, 255);
      return c;
    },
  },
  'header-explosion': {
    weight: 5,
    make: (b, d, s) => {
      const n = d.int(500, 5_000 * s);
      const lines = Array.from({ length: n }, (_, i) => `X-Junk-${i % 97}: ${'v'.repeat(d.int(0, 60))}\r\n`).join('');
      return insertAt(b, 0, lines);
    },
  },
  'gigantic-folded-header': {
    weight: 3,
    make: (b, d, s) => {
      const n = d.int(1_000, 8_000 * s);
      const name = d.pick(['To', 'Subject', 'References', 'X-Folded']);
      const value = Array.from({ length: n }, (_, i) => ` user${i}@example.org,`).join('\r\n');
      return insertAt(b, 0, `${name}:${value}\r\n`);
    },
  },
  'mime-nesting': {
    weight: 5,
    make: (b, d, s) => {
      const depth = d.int(5, 150 * s);
      let body = 'innermost\r\n';
      for (let i = depth; i > 0; i--)
        body = `--b${i}\r\nContent-Type: multipart/mixed; boundary="b${i + 1}"\r\n\r\n${body}\r\n--b${i}--\r\n`;
      const end = headerEnd(b);
      return Buffer.concat([b.subarray(0, end), Buffer.from('\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n' + body)]);
    },
  },
  'huge-base64-line': {
    weight: 3,
    make: (b, d, s) => {
      const size = d.int(256 * 1024, 2 * 1024 * 1024 * s);
      const line = Buffer.alloc(size, 'QUJD');
      const head =
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--x\r\n';
      const part = 'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n';
      const end = headerEnd(b);
      return Buffer.concat([b.subarray(0, end), Buffer.from('\r\n' + head + part), line, Buffer.from('\r\n--x--\r\n')]);
    },
  },
  'nul-cr-chaos': {
    weight: 12,
    make: (b, d) => {
      const text = b.toString('latin1');
      const endings = ['\r', '\n', '\r\n', '\n\r', '\r\r\n', '\0\r\n'];
      let out = text.replace(/\r\n/g, () => (d.chance(0.3) ? d.pick(endings) : '\r\n'));
      for (let i = d.int(0, 5); i > 0; i--) {
        const at = d.int(0, out.length);
        out = out.slice(0, at) + '\0' + out.slice(at);
      }
      return Buffer.from(out, 'latin1');
    },
  },
  'malformed-dkim-tags': {
    weight: 12,
    make: (b, d) => {
      const text = b.toString('latin1');
      const at = text.search(/^DKIM-Signature:/im);
      const junk = d.pick([
        'DKIM-Signature: v=1; a=rsa-sha256; d=; s=; bh=; b=\r\n',
        'DKIM-Signature: v=2; a=rsa-md5; c=weird/stuff; d=example.org; s=x; h=from; bh=!!!; b=???\r\n',
        'DKIM-Signature: v=1; v=1; a=rsa-sha256; d=example.org; d=evil.example; s=s; h=from:from:from; bh=AAAA; b=AAAA; l=-5; t=99999999999999; x=1\r\n',
        `DKIM-Signature: v=1; a=ed25519-sha256; d=example.org; s=s; h=${'from:'.repeat(2_000)}from; bh=AAAA; b=AAAA\r\n`,
        'DKIM-Signature: ;;;;;;==;=;\r\n',
        `DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=s; h=from; bh=${'A'.repeat(100_000)}; b=AAAA\r\n`,
      ]);
      if (at === -1 || d.chance(0.5)) return insertAt(b, 0, junk);
      // Damage the existing signature's tags instead.
      const end = text.indexOf('\n', at);
      const header = text.slice(at, end === -1 ? undefined : end);
      const damaged = header.replace(/\b(bh|b|h|l|t|x|c|a|d|s)=([^;]*)/g, (m, tag: string) =>
        d.chance(0.3) ? `${tag}=${d.pick(['', '###', '0', 'x'.repeat(300)])}` : m,
      );
      return Buffer.from(text.slice(0, at) + damaged + text.slice(at + header.length), 'latin1');
    },
  },
};

function pickMutation(d: Dice): string {
  const names = Object.keys(MESSAGE_MUTATIONS);
  const total = names.reduce((a, n) => a + MESSAGE_MUTATIONS[n]!.weight, 0);
  let roll = d.int(1, total);
  for (const n of names) {
    roll -= MESSAGE_MUTATIONS[n]!.weight;
    if (roll <= 0) return n;
  }
  return names[0]!;
}

/**
 * Writes `count` mutated messages into `outDir`: most as .eml files, some joined into mbox files,
 * some inside zips (ordinary, overlapping-entry bombs, truncated, with a damaged directory), some
 * in tar archives, plain or gzip-compressed (whole, truncated, or with a later header damaged).
 */
export function writeFuzzInputs(seed: number, count: number, outDir: string, scale = 1): FuzzInput[] {
  const d = new Dice(seed);
  const base = loadBaseMessages();
  mkdirSync(outDir, { recursive: true });
  const inputs: FuzzInput[] = [];
  let made = 0;
  const next = (): { bytes: Buffer; mutation: string } => {
    const mutation = pickMutation(d);
    made++;
    return { bytes: MESSAGE_MUTATIONS[mutation]!.make(d.pick(base), d, scale), mutation };
  };
  let file = 0;
  const name = (ext: string): string => join(outDir, `${String(file++).padStart(6, '0')}${ext}`);
  while (made < count) {
    const kind = d.int(0, 99);
    if (kind < 80) {
      const { bytes, mutation } = next();
      const path = name('.eml');
      writeFileSync(path, bytes);
      inputs.push({ path, mutation, entries: [], members: 0 });
    } else if (kind < 88) {
      const n = Math.min(count - made, d.int(2, 20));
      const parts = Array.from({ length: n }, () => next().bytes);
      const path = name('.mbox');
      const from = 'From fuzz@example.org Mon Jan  1 10:00:00 2024\n';
      writeFileSync(path, Buffer.concat(parts.flatMap((p) => [Buffer.from(from), p, Buffer.from('\n')])));
      inputs.push({ path, mutation: 'mbox', entries: [], members: n });
    } else if (kind < 92) {
      const n = Math.min(count - made, d.int(1, 12));
      const entries = Array.from({ length: n }, (_, i) => ({ name: `m/${i}.eml`, data: next().bytes }));
      let tar = buildTar(entries);
      const gzip = d.chance(0.5);
      const variant = d.int(0, 2);
      let mutation = gzip ? 'tar-gz' : 'tar';
      if (variant === 1) {
        mutation += '-truncated';
      } else if (variant === 2 && n > 1) {
        // A byte of the last entry's header: its checksum no longer adds up.
        const last = tar.lastIndexOf(Buffer.from(`m/${n - 1}.eml`));
        tar = Buffer.from(tar);
        tar.writeUInt8(tar.readUInt8(last + 2) ^ 0x55, last + 2);
        mutation += '-damaged-header';
      }
      let bytes = gzip ? gzipSync(tar) : tar;
      if (mutation.endsWith('-truncated')) bytes = bytes.subarray(0, d.int(1, bytes.length - 1));
      const path = name(gzip ? '.tar.gz' : '.tar');
      writeFileSync(path, bytes);
      // Whole archives account for each entry; a damaged one may end with a record of its own instead.
      const inner = gzip ? `${path.slice(path.lastIndexOf('/') + 1, -'.gz'.length)}!/` : '';
      const whole = mutation === 'tar' || mutation === 'tar-gz';
      inputs.push({ path, mutation, entries: whole ? entries.map((e) => inner + e.name) : [], members: 0 });
    } else {
      const n = Math.min(count - made, d.int(1, 12));
      const entries = Array.from({ length: n }, (_, i) => ({ name: `m/${i}.eml`, data: next().bytes }));
      let zip = writeZip(entries);
      let mutation = 'zip';
      const variant = d.int(0, 3);
      if (variant === 1) {
        zip = overlapEntries(writeZip([entries[0]!]), d.int(20, 400));
        mutation = 'zip-overlapping-entries';
      } else if (variant === 2) {
        zip = zip.subarray(0, d.int(30, zip.length - 1));
        mutation = 'zip-truncated';
      } else if (variant === 3 && n > 2) {
        const at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 4);
        if (at !== -1) zip.write('JUNK', at, 'latin1');
        mutation = 'zip-damaged-directory';
      }
      const path = name('.zip');
      writeFileSync(path, zip);
      inputs.push({ path, mutation, entries: mutation === 'zip-overlapping-entries' ? [] : entries.map((e) => e.name), members: 0 });
    }
  }
  return inputs;
}
