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
  return out;
}

/** Seconds between 1601-01-01 (FILETIME's origin) and 1970-01-01. */
const FILETIME_TO_UNIX = 11_644_473_600;

/**
 * The time an Outlook Thread-Index gives for this message ([MS-OXOMSG] 2.2.1.3, PidTagConversationIndex):
 * a 22-byte header whose first 6 bytes are the high bytes of the FILETIME the conversation began,
 * then one 5-byte block per reply whose first 31 bits after a flag bit are the time since the
 * header, in units of 2^18 (flag 0) or 2^23 (flag 1) ticks of 100 ns. Null when it cannot be read.
 */
export function readThreadIndexTime(value: string): EmbeddedTime | null {
  const b = Buffer.from(value.replace(/\s+/g, ''), 'base64');
  if (b.length < 22 || (b.length - 22) % 5 !== 0) return null;
  let ticks = BigInt(b.readUIntBE(0, 6)) << 16n;
  for (let at = 22; at + 5 <= b.length; at += 5) {
    const v = b.readUInt32BE(at);
    const delta = BigInt(v & 0x7fffffff);
    ticks += (v & 0x80000000) === 0 ? delta << 18n : delta << 23n;
  }
  const epoch = Number(ticks / 10_000_000n) - FILETIME_TO_UNIX;
  if (!plausible(epoch)) return null;
  return { source: 'thread-index', format: b.length === 22 ? 'thread-index:new' : 'thread-index:reply', epoch };
}
