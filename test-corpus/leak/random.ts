// The leak's only source of chance: a seeded small fast counter generator (sfc32), so that one seed
// gives the same dump byte for byte on any machine. Streams are forked by label (SHA-256 of seed and
// label), so adding a new kind of mail does not shift every message generated after it.
import { createHash } from 'node:crypto';

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both included. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks by weight: `[[item, weight], …]`. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T;
  shuffle<T>(items: readonly T[]): T[];
  /** `count` distinct items (fewer when there are not that many). */
  sample<T>(items: readonly T[], count: number): T[];
  hex(length: number, upper?: boolean): string;
  alnum(length: number): string;
  /** Base64-ish characters as in provider ids (letters, digits, `+`, `-`, `_`). */
  token(length: number, alphabet?: string): string;
  uuid(upper?: boolean): string;
  /** Roughly normal around `mean` (sum of three uniforms), clamped at `min`. */
  around(mean: number, spread: number, min?: number): number;
  /** A new independent stream named by `label`. */
  fork(label: string): Random;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function createRandom(seed: string): Random {
  const digest = createHash('sha256').update(seed).digest();
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  const step = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // The first outputs of sfc32 still echo the seed words.
  for (let i = 0; i < 12; i++) step();

  const random: Random = {
    next: step,
    int: (min, max) => min + Math.floor(step() * (max - min + 1)),
    chance: (probability) => step() < probability,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(step() * items.length)]!;
    },
    weighted<T>(entries: readonly (readonly [T, number])[]): T {
      const total = entries.reduce((sum, [, w]) => sum + w, 0);
      let x = step() * total;
      for (const [item, weight] of entries) {
        x -= weight;
        if (x < 0) return item;
      }
      return entries.at(-1)![0];
    },
    shuffle<T>(items: readonly T[]): T[] {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(step() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
    sample: (items, count) => random.shuffle(items).slice(0, count),
    hex(length, upper = false) {
      let s = '';
      for (let i = 0; i < length; i++) s += Math.floor(step() * 16).toString(16);
      return upper ? s.toUpperCase() : s;
    },
    alnum(length) {
      let s = '';
      for (let i = 0; i < length; i++) s += ALNUM[Math.floor(step() * ALNUM.length)];
      return s;
    },
    token(length, alphabet = `${ALNUM}+-_`) {
      let s = '';
      for (let i = 0; i < length; i++) s += alphabet[Math.floor(step() * alphabet.length)];
      return s;
    },
    uuid(upper = false) {
      const h = random.hex(32);
      const variant = '89ab'[Math.floor(step() * 4)];
      const s = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
      return upper ? s.toUpperCase() : s;
    },
    around(mean, spread, min = -Infinity) {
      const x = mean + ((step() + step() + step()) / 3 - 0.5) * 2 * spread;
      return Math.max(min, x);
    },
    fork: (label) => createRandom(`${seed}/${label}`),
  };
  return random;
}
