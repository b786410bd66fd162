// Archive-wide: the times that platforms embed in their identifiers (a clock in the Message-ID or
// the MIME boundary, the FILETIME of an Outlook Thread-Index) against the Date. A forger who moves
// Date (and the Received hops with it) to fit a story leaves these untouched. Which identifiers
// carry a clock is learned, not assumed: a format is trusted only where the archive shows it agrees
// with Date on nearly every message of the platform that writes it.
import type { ArchiveCheck, ArchiveRecord, CodeDoc, EmbeddedTime, Finding } from '../model.ts';
import { formatDuration, formatTime } from '../common/time.ts';

const ID = 'archive-timestamps';

/**
 * An embedded time agrees with Date within this: both come from the same machine's clock at the
 * same moment, so seconds apart; 15 minutes leaves room for a slow send.
 */
export const AGREE_SECONDS = 15 * 60;
/**
 * A format is trusted when at least this many messages carry it and most (85 %) agree: a clock in
 * an identifier agrees on every honest message, and the rest is what forgers moved (in a planted
 * dump, the platforms whose identifiers carry times are where a forger redates). A run of digits
 * that is not a clock agrees by chance on next to none.
 */
export const TRUST_MIN_MESSAGES = 20;
export const TRUST_MIN_SHARE = 0.85;
/**
 * A trusted time further from Date than this contradicts it: beyond any clock error of one
 * machine. An Outlook Thread-Index is stamped when the reply is begun, which may be a day before it
 * is sent: a day is allowed before Date there.
 */
export const CONTRADICT_SECONDS = 3600;
export const COMPOSE_AHEAD_SECONDS = 24 * 3600;

/** The key a format is learned under: the source, the shape of the identifier that carries it, the encoding. */
function keyOf(r: ArchiveRecord, t: EmbeddedTime): string {
  const shape = t.source === 'message-id' ? r.facts.fingerprint.idShape : t.source === 'boundary' ? r.facts.fingerprint.boundaryShape : '';
  return `${t.source}|${shape}|${t.format}`;
}

/** Seconds east of UTC of a zone written like "+0200"; 0 when unknown. */
function zoneOffset(zone: string): number {
  const m = /^([+-])(\d{2})(\d{2})$/.exec(zone);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60) : 0;
}

/**
 * Embedded minus reference, in seconds: unwrapped to the nearest turn for a clock known modulo its
 * wrap, and for calendar digits also read as the sender's local time (whichever is nearer).
 */
export function offsetFrom(t: EmbeddedTime, reference: number, zone: string): number {
  let d = t.epoch - reference;
  if (t.modulo !== undefined) {
    d = ((((t.epoch - reference) % t.modulo) + t.modulo * 1.5) % t.modulo) - t.modulo / 2;
  }
  if (t.format.endsWith('yyyymmddhhmmss')) {
    const local = t.epoch - zoneOffset(zone) - reference;
    if (Math.abs(local) < Math.abs(d)) d = local;
  }
  return d;
}

/**
 * An embedded time agrees with Date within a few minutes, and a Thread-Index also up to a day
 * before it (it is stamped when the reply is begun, which may be long before it is sent).
 */
function agrees(t: EmbeddedTime, d: number): boolean {
  return d <= AGREE_SECONDS && d >= -(t.source === 'thread-index' ? COMPOSE_AHEAD_SECONDS : AGREE_SECONDS);
}

/** How often each format agrees with Date, learned over the whole archive. */
export type TimeFormats = Map<string, { n: number; agree: number }>;

function referenceOf(r: ArchiveRecord): number | null {
  return r.dateEpoch;
}

export function learnTimeFormats(records: Iterable<ArchiveRecord>, into: TimeFormats = new Map()): TimeFormats {
  for (const r of records) {
    const ref = referenceOf(r);
    if (ref === null) continue;
    for (const t of r.facts.embeddedTimes) {
      const k = keyOf(r, t);
      const e = into.get(k) ?? { n: 0, agree: 0 };
      e.n++;
      if (agrees(t, offsetFrom(t, ref, r.facts.fingerprint.dateZone))) e.agree++;
      into.set(k, e);
    }
  }
  return into;
}

/** The times of a message's trusted embedded formats, as Unix seconds (unwrapped near its Date). */
export function trustedTimes(r: ArchiveRecord, formats: TimeFormats): number[] {
  const ref = referenceOf(r);
  if (ref === null) return [];
  return r.facts.embeddedTimes
    .filter((t) => {
      const learned = formats.get(keyOf(r, t));
      return learned !== undefined && learned.n >= TRUST_MIN_MESSAGES && learned.agree >= TRUST_MIN_SHARE * learned.n;
    })
    .map((t) => ref + offsetFrom(t, ref, r.facts.fingerprint.dateZone));
}

const SOURCE_WORDS: Record<EmbeddedTime['source'], string> = {
  'message-id': 'Message-ID',
  boundary: 'MIME boundary',
  'thread-index': 'Outlook Thread-Index',
};

const codes: Record<string, CodeDoc> = {
  [`${ID}/contradicts-date`]: {
    severity: 'weak',
    meaning: `A time the sending program wrote into the Message-ID, the MIME boundary or the Outlook Thread-Index is more than ${formatDuration(CONTRADICT_SECONDS, 'prose')} from the Date header (a day allowed before it for a Thread-Index), where this format agrees with Date on at least ${TRUST_MIN_SHARE * 100} % of at least ${TRUST_MIN_MESSAGES} messages of the archive: the Date was moved.`,
  },
};

function run(input: { records: ArchiveRecord[]; formats: TimeFormats }): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const r of input.records) {
    const ref = referenceOf(r);
    if (ref === null) continue;
    for (const t of r.facts.embeddedTimes) {
      const learned = input.formats.get(keyOf(r, t));
      if (!learned || learned.n < TRUST_MIN_MESSAGES || learned.agree < TRUST_MIN_SHARE * learned.n) continue;
      const d = offsetFrom(t, ref, r.facts.fingerprint.dateZone);
      const allowedBefore = t.source === 'thread-index' ? COMPOSE_AHEAD_SECONDS : CONTRADICT_SECONDS;
      if (d <= CONTRADICT_SECONDS && d >= -allowedBefore) continue;
      const when = d > 0 ? 'after' : 'before';
      out.set(r.sha256, [
        {
          check: ID,
          code: `${ID}/contradicts-date`,
          severity: 'weak',
          detail: `The ${SOURCE_WORDS[t.source]} carries the time it was written, ${formatTime(ref + d, 'iso')}, ${formatDuration(d, 'prose')} ${when} the Date header (${r.dateHeader ?? formatTime(ref, 'iso')}); this format agrees with Date on ${learned.agree} of ${learned.n} messages of the archive.`,
          evidence: {
            source: t.source,
            format: t.format,
            embedded: formatTime(ref + d, 'iso'),
            date: r.dateHeader,
            differenceSeconds: d,
            agreeing: learned.agree,
            messages: learned.n,
          },
        },
      ]);
      break;
    }
  }
  return out;
}

export const archiveTimestamps: ArchiveCheck<{ records: ArchiveRecord[]; formats: TimeFormats }> = {
  id: ID,
  title: 'Times embedded in identifiers against Date',
  codes,
  run,
};
