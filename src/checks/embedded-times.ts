// Times that mail programs and platforms write into identifiers: digits of a clock in a Message-ID
// or a MIME boundary, the FILETIME at the head of an Outlook Thread-Index. Read here without
// judging them: a run of digits may also be a counter or a random number, so the archive check
// (archive-timestamps) trusts a format only where the archive shows it agrees with Date. Not a check.
import type { EmbeddedTime } from '../model.ts';

/** Times outside these years are not clocks (a counter or a random number that happens to fit). */
const EARLIEST = Date.UTC(1995, 0, 1) / 1000;
const LATEST = Date.UTC(2045, 0, 1) / 1000;

function plausible(epoch: number): boolean {
  return epoch >= EARLIEST && epoch <= LATEST;
}

/** yyyymmddhhmmss, read as UTC (a program may have written local time: the check allows the Date's zone). */
function calendarDigits(d: string): number | null {
  const [y, mo, da, h, mi, s] = [d.slice(0, 4), d.slice(4, 6), d.slice(6, 8), d.slice(8, 10), d.slice(10, 12), d.slice(12, 14)].map(Number);
  if (mo! < 1 || mo! > 12 || da! < 1 || da! > 31 || h! > 23 || mi! > 59 || s! > 60) return null;
  const t = Date.UTC(y!, mo! - 1, da!, h!, mi!, s!) / 1000;
  return new Date(t * 1000).getUTCDate() === da ? t : null;
}

/** Clock readings a run of digits may be, by its length. */
function digitTimes(run: string): { format: string; epoch: number }[] {
  const n = run.length;
  const out: { format: string; epoch: number }[] = [];
  if (n === 14) {
    const t = calendarDigits(run);
    if (t !== null) out.push({ format: 'yyyymmddhhmmss', epoch: t });
  }
  const v = Number(run);
  const units: [number, string, number][] = [
    [10, 's', 1],
    [12, 'cs', 100],
    [13, 'ms', 1000],
    [16, 'us', 1e6],
  ];
  for (const [len, unit, div] of units) {
    if (n === len && plausible(v / div)) out.push({ format: `unix-${unit}`, epoch: Math.floor(v / div) });
  }
  return out;
}

/**
 * Times a UUID carries: version 1 counts 100 ns since 1582-10-15, version 7 starts with Unix
 * milliseconds. Version 4 (random) carries none.
 */
function uuidTime(id: string): { format: string; epoch: number } | null {
  const m = /([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-[0-9a-f]{4}-[0-9a-f]{12}/i.exec(id);
  if (!m) return null;
  const version = parseInt(m[3]![0]!, 16);
  if (version === 7) {
    const ms = parseInt(m[1]! + m[2]!, 16);
    return plausible(ms / 1000) ? { format: 'uuid-v7', epoch: Math.floor(ms / 1000) } : null;
  }
  if (version === 1) {
    const ticks = BigInt(`0x${m[3]!.slice(1)}${m[2]!}${m[1]!}`);
    const epoch = Number(ticks / 10_000_000n) - 12_219_292_800;
    return plausible(epoch) ? { format: 'uuid-v1', epoch } : null;
  }
  return null;
}

/** FILETIME high dwords of 1995 to 2045 (100 ns ticks since 1601, upper 32 bits). */
const FILETIME_HIGH_MIN = 0x01b00000;
const FILETIME_HIGH_MAX = 0x01f00000;

/**
 * A FILETIME written as two 8-digit hex words (Outlook: "…01DA4857$1C007E80$…" in Message-IDs,
 * "…_01DA4857.1C007E80" in boundaries): the high word ends one hex run, the low word starts the next.
 */
function filetimeIn(id: string): { format: string; epoch: number } | null {
  const runs = id.match(/[0-9a-f]+/gi) ?? [];
  for (let i = 0; i + 1 < runs.length; i++) {
    const [a, b] = [runs[i]!, runs[i + 1]!];
    if (a.length < 8 || b.length < 8) continue;
    const high = parseInt(a.slice(-8), 16);
    if (high < FILETIME_HIGH_MIN || high > FILETIME_HIGH_MAX) continue;
    const ticks = (BigInt(high) << 32n) | BigInt(parseInt(b.slice(0, 8), 16));
    const epoch = Number(ticks / 10_000_000n) - FILETIME_TO_UNIX;
    if (plausible(epoch)) return { format: `filetime${i}`, epoch };
  }
  return null;
}

/** A 2^48 microsecond clock wraps every 8.9 years: its low 48 bits still place a time within that. */
const US48_MODULO_S = 2 ** 48 / 1e6;

/**
 * The low 48 bits of a microsecond clock in the last 12 hex digits of a long hex run (webmail
 * boundaries such as Gmail's "000000000000" + 4 random + 12 clock digits). Known only modulo 8.9 years.
 */
function hexClockIn(id: string): { format: string; epoch: number; modulo: number } | null {
  const run = (id.match(/[0-9a-f]{16,}/gi) ?? [])[0];
  if (!run) return null;
  return { format: 'hex48-us', epoch: parseInt(run.slice(-12), 16) / 1e6, modulo: US48_MODULO_S };
}

/**
 * Candidate times in an identifier. The format names the position of the digit run (its index
 * among runs) so that one program's layout is learned as one format.
 */
export function readIdentifierTimes(source: 'message-id' | 'boundary', id: string): EmbeddedTime[] {
  const out: EmbeddedTime[] = [];
  const uuid = uuidTime(id);
  if (uuid) out.push({ source, ...uuid });
  const runs = id.match(/\d+/g) ?? [];
  runs.forEach((run, i) => {
    for (const t of digitTimes(run)) out.push({ source, format: `run${i}:${t.format}`, epoch: t.epoch });
  });
  const filetime = filetimeIn(id);
  if (filetime) out.push({ source, ...filetime });
  const clock = hexClockIn(id);
  if (clock) out.push({ source, ...clock });
  return out;
}

/** Seconds between 1601-01-01 (FILETIME's origin) and 1970-01-01. */
const FILETIME_TO_UNIX = 11_644_473_600;

/** One child block's time delta in 100 ns ticks: 31 bits after a flag bit, in units of 2^18 (flag 0) or 2^23. */
function childDelta(b: Buffer, at: number): bigint {
  const v = b.readUInt32BE(at);
  const delta = BigInt(v & 0x7fffffff);
  return (v & 0x80000000) === 0 ? delta << 18n : delta << 23n;
}

function fromTicks(ticks: bigint): number {
  return Number(ticks / 10_000_000n) - FILETIME_TO_UNIX;
}

/**
 * The times an Outlook Thread-Index gives for this message ([MS-OXOMSG] 2.2.1.3,
 * PidTagConversationIndex): a 22-byte header whose first 6 bytes are the high bytes of the FILETIME
 * the conversation began, then one 5-byte block per reply carrying a time delta. Whether a block's
 * delta counts from the header or from the block before is read both ways when they differ (two
 * replies or more): the archive keeps the reading that agrees with Date. Empty when unreadable.
 */
export function readThreadIndexTimes(value: string): EmbeddedTime[] {
  const b = Buffer.from(value.replace(/\s+/g, ''), 'base64');
  if (b.length < 22 || (b.length - 22) % 5 !== 0) return [];
  const head = BigInt(b.readUIntBE(0, 6)) << 16n;
  const blocks = (b.length - 22) / 5;
  const out: EmbeddedTime[] = [];
  const push = (format: string, ticks: bigint): void => {
    const epoch = fromTicks(ticks);
    if (plausible(epoch)) out.push({ source: 'thread-index', format, epoch });
  };
  if (blocks === 0) push('thread-index:new', head);
  else if (blocks === 1) push('thread-index:reply', head + childDelta(b, 22));
  else {
    let sum = head;
    for (let at = 22; at + 5 <= b.length; at += 5) sum += childDelta(b, at);
    push('thread-index:replies-summed', sum);
    push('thread-index:replies-from-head', head + childDelta(b, b.length - 5));
  }
  return out;
}
