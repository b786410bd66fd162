// How a queue query is run: which filter drives it and which index orders it. Kept apart from the
// repository so the choices can be tested with EXPLAIN QUERY PLAN.
import type { Db } from './database.ts';
import { parseTimeBound } from '../common/time.ts';
import { placeholders } from './row-codec.ts';

/**
 * A queue view's filters, in the words of its URL (docs/review-server.md, "Queue filters"): the review
 * server takes them from the query string, the command-line export builds them from its options. An
 * absent or empty value (`''`, `[]`) filters nothing. Values that cannot be read (a date that is no
 * date, a search without a word) are refused by the server before they get here; here they throw.
 */
export interface QueueFilter {
  /** Machine verdicts (any of). */
  verdict?: string[];
  /** Final verdicts: the latest review's, else the machine's (any of). */
  final?: string[];
  /** A finding code the message has. */
  code?: string;
  /** From domain, lower-cased. */
  domain?: string;
  /** Mailbox, else the source folder, of any copy. */
  mailbox?: string;
  /** Role of any copy in its mailbox (set by the archive pass): sent, inbox or other. */
  role?: string;
  /** A DKIM key name (selector._domainkey.domain) one of its signatures used. */
  key?: string;
  /** Date header range, inclusive: a day (`YYYY-MM-DD`, UTC) or an ISO time (parseTimeBound). */
  from?: string;
  to?: string;
  /** `yes`: has a DKIM signature; `no`: has none; `''`: either. */
  signed?: YesNo;
  reviewed?: YesNo;
  /** Search words (toFtsQuery's syntax). */
  q?: string;
}

export type YesNo = 'yes' | 'no' | '';

/** The date bounds of a filter as Unix seconds (a bound that is no time is a caller's error). */
export function dateBounds(f: QueueFilter): { from?: number; to?: number } {
  const bound = (text: string | undefined, endOfDay: boolean): number | undefined => {
    if (text === undefined || text.trim() === '') return undefined;
    const t = parseTimeBound(text, endOfDay);
    if (t === null) throw new Error(`queue filter: not a date: ${text}`);
    return t;
  };
  const from = bound(f.from, false);
  const to = bound(f.to, true);
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

/** Whether the filter leaves out messages without a usable Date. */
export function isDateBounded(f: QueueFilter): boolean {
  const b = dateBounds(f);
  return b.from !== undefined || b.to !== undefined;
}

function listOf(values: string[] | undefined): string[] {
  return [...new Set((values ?? []).filter((v) => v !== ''))];
}

function textOf(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** The FTS5 query of the search words, null when there are none (a caller's error when words give none). */
function ftsOf(f: QueueFilter): string | null {
  if (f.q === undefined || f.q.trim() === '') return null;
  const fts = toFtsQuery(f.q);
  if (fts === null) throw new Error(`queue filter: the search has no word to look for: ${f.q}`);
  return fts;
}

/**
 * A filter over a small set is run by fetching the set's messages and sorting them (~10 µs a message);
 * a larger one by reading the date index in order and testing each row (~1.5 µs a row, about
 * 50 × total / set rows for a page of 50). The two cost the same near sqrt(7 × total): 2,600 messages
 * of 1,000,000, where either plan takes ~25 ms. Never below 1,000 (a small archive sorts in no time).
 */
export function setDriverMaxFor(totalMessages: number): number {
  return Math.max(1000, Math.round(Math.sqrt(7 * totalMessages)));
}

export function totalMessages(db: Db): number {
  const row = db.prepare("SELECT n FROM overview_counts WHERE dimension = 'all' AND key = '' AND verdict = ''").get() as
    { n: number } | undefined;
  return row?.n ?? 0;
}

/** A filter that selects a set of messages through another table. */
interface SetFilter {
  /** Yields the ids (column `id`) of the set; joined on `on`. */
  driver: string;
  on: 'sha256' | 'rowid';
  /** The same filter as a per-row test of `m`. */
  check: string;
  /** Counts the set, stopping after `limit` (the last parameter). */
  count: string;
  params: unknown[];
}

/** Messages that have a row in `table` whose `column` equals the value: one filter, three forms. */
function rowsMatching(table: string, alias: string, column: (prefix: string) => string, value: unknown, id: string): SetFilter {
  return {
    driver: `SELECT DISTINCT sha256 AS id FROM ${table} WHERE ${column('')} = ?`,
    on: 'sha256',
    check: `EXISTS (SELECT 1 FROM ${table} ${alias} WHERE ${column(`${alias}.`)} = ? AND ${alias}.sha256 = ${id})`,
    count: `SELECT 1 FROM ${table} WHERE ${column('')} = ?`,
    params: [value],
  };
}

/**
 * The filters that may drive a query. An order other than the Date's walks an index of its own, so
 * there a rare From domain or a narrow date range is better fetched through its index and sorted.
 */
function setFilters(db: Db, f: QueueFilter, byDate: boolean, triage: boolean): SetFilter[] {
  const sets: SetFilter[] = [];
  // In the triage order the narrow triage table is walked: tests read its columns, not the message's.
  const id = triage ? 't.sha256' : 'm.sha256';
  const role = textOf(f.role);
  if (role !== undefined) {
    sets.push(rowsMatching('sources', 'o', (p) => `${p}role`, role, id));
  }
  const domain = textOf(f.domain);
  if (!byDate && domain !== undefined) {
    sets.push({
      driver: 'SELECT rowid AS id FROM messages WHERE from_domain = ?',
      on: 'rowid',
      check: 'm.from_domain = ?',
      count: 'SELECT 1 FROM messages WHERE from_domain = ?',
      params: [domain],
    });
  }
  const dates = dateBounds(f);
  if (!byDate && (dates.from !== undefined || dates.to !== undefined)) {
    // Below the triage table's mark for "undated" (2^53 - 1), so that its date_key serves as the Date.
    const range = [dates.from ?? Number.MIN_SAFE_INTEGER, Math.min(dates.to ?? Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1)];
    sets.push({
      driver: 'SELECT rowid AS id FROM messages WHERE date_epoch BETWEEN ? AND ?',
      on: 'rowid',
      check: triage ? 't.date_key BETWEEN ? AND ?' : 'm.date_epoch BETWEEN ? AND ?',
      count: 'SELECT 1 FROM messages WHERE date_epoch BETWEEN ? AND ?',
      params: range,
    });
  }
  const code = textOf(f.code);
  const mailbox = textOf(f.mailbox);
  const key = textOf(f.key);
  const fts = ftsOf(f);
  if (code !== undefined) sets.push(rowsMatching('findings', 'f', (p) => `${p}code`, code, id));
  if (mailbox !== undefined) sets.push(rowsMatching('sources', 's', (p) => `coalesce(${p}mailbox, ${p}folder, '')`, mailbox, id));
  if (key !== undefined) sets.push(rowsMatching('signatures', 'g', (p) => `${p}key_name`, key, id));
  if (f.reviewed === 'yes') {
    sets.push({
      driver: 'SELECT DISTINCT sha256 AS id FROM reviews',
      on: 'sha256',
      check: `EXISTS (SELECT 1 FROM reviews r WHERE r.sha256 = ${id})`,
      count: 'SELECT 1 FROM reviews',
      params: [],
    });
  }
  if (fts !== null) {
    sets.push({
      driver: 'SELECT rowid AS id FROM messages_fts WHERE messages_fts MATCH ?',
      on: 'rowid',
      // A rowid-constrained MATCH is a seek in the index, not a scan of the matches.
      check: 'EXISTS (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ? AND rowid = m.rowid)',
      count: 'SELECT 1 FROM messages_fts WHERE messages_fts MATCH ?',
      params: [fts],
    });
  }
  return sets;
}

/** The triage table's tier of each verdict (migration 008). */
export const TIERS: Record<string, number> = { tampered: 0, suspicious: 1, unverifiable: 2, verified: 3 };

const FINAL_VERDICT = 'coalesce((SELECT r.verdict FROM reviews r WHERE r.sha256 = m.sha256 ORDER BY r.id DESC LIMIT 1), m.verdict)';

export interface QueuePlan {
  /** FROM clause, `m` being messages. */
  from: string;
  fromParams: unknown[];
  /** Conditions on `m` (besides the keyset one). */
  where: string[];
  params: unknown[];
  /** Set when each machine verdict is queried on its own index range and the results merged. */
  splitVerdicts: string[] | null;
  /** The driving set's query (distinct ids) and parameters, when a set drives the query. */
  driver: { sql: string; params: unknown[] } | null;
  /** The sets too large to drive it (tested per row instead): their distinct-id queries. */
  largeSets: { sql: string; params: unknown[] }[];
  /**
   * In the triage order, the verdict tiers that can hold a match (from the verdict filter and the
   * summary counts per verdict of the code, mailbox and domain filtered on); null: all of them.
   */
  tiers: number[] | null;
}

/**
 * The tiers a triage walk must read: those of the verdicts asked for, less those in which the summary
 * counts no message of the code, mailbox or From domain filtered on (a code only tampered messages
 * have is not looked for through every verified one).
 */
function triageTiers(db: Db, f: QueueFilter, verdicts: string[]): number[] | null {
  let tiers: number[] | null = verdicts.length ? verdicts.map((v) => TIERS[v] ?? -1) : null;
  const present = db.prepare("SELECT verdict FROM overview_counts WHERE dimension = ? AND key = ? AND verdict != '' AND n > 0");
  for (const [dimension, key] of [
    ['code', textOf(f.code)],
    ['mailbox', textOf(f.mailbox)],
    ['domain', textOf(f.domain)],
  ] as const) {
    if (key === undefined) continue;
    const found = (present.all(dimension, key) as { verdict: string }[]).map((r) => TIERS[r.verdict] ?? -1);
    tiers = (tiers ?? [0, 1, 2, 3]).filter((t) => found.includes(t));
  }
  return tiers;
}

/**
 * How the rows of a queue are ordered: by the Date index (with its undated segment), in import order
 * (rowid), or by the keys of another index (`keyed`: the triage order and the column sorts).
 */
export type QueueOrderKind = 'date' | 'rowid' | 'keyed';

/**
 * Chooses how to run a filtered, ordered, paged query. `triage`: the order is the triage table's, which
 * is joined as `t` (its columns answer the verdict, signed, date and id tests).
 */
export function planQueue(db: Db, f: QueueFilter, order: QueueOrderKind, setDriverMax?: number, triage = false): QueuePlan {
  // A walk of the triage order tests more per row (and may pass a whole verdict's rows before the
  // first match), so there a set drives the query up to four times the size.
  const max = setDriverMax ?? setDriverMaxFor(totalMessages(db)) * (triage ? 4 : 1);
  const byRowid = order === 'rowid';
  const byDate = order !== 'keyed';
  const where: string[] = [];
  const params: unknown[] = [];
  const domain = textOf(f.domain);
  const dates = dateBounds(f);
  const finals = listOf(f.final);
  if (byDate && domain !== undefined) {
    where.push('m.from_domain = ?');
    params.push(domain);
  }
  if (byDate && dates.from !== undefined) {
    where.push('m.date_epoch >= ?');
    params.push(dates.from);
  }
  if (byDate && dates.to !== undefined) {
    where.push('m.date_epoch <= ?');
    params.push(dates.to);
  }
  // `+` keeps the signature-count index (half the archive on either side) from driving the query.
  if (f.signed === 'yes' || f.signed === 'no') {
    if (triage) where.push(f.signed === 'yes' ? 't.signed = 1' : 't.signed = 0');
    else where.push(f.signed === 'yes' ? '+m.signature_count > 0' : '+m.signature_count = 0');
  }
  if (f.reviewed === 'no') where.push(`NOT EXISTS (SELECT 1 FROM reviews r WHERE r.sha256 = ${triage ? 't.sha256' : 'm.sha256'})`);
  if (finals.length) {
    where.push(`${FINAL_VERDICT} IN (${placeholders(finals)})`);
    params.push(...finals);
  }

  const sets = setFilters(db, f, byDate, triage).map((s) => ({ s, n: countUpTo(db, s, max) }));
  sets.sort((a, b) => a.n - b.n);
  const small = sets[0] && sets[0].n <= max ? sets[0] : null;
  const tested = small ? sets.slice(1) : sets;
  for (const { s } of tested) {
    where.push(s.check);
    params.push(...s.params);
  }
  const largeSets = tested.map(({ s }) => ({ sql: s.driver, params: s.params }));
  const verdicts = listOf(f.verdict);
  let splitVerdicts: string[] | null = null;
  if (verdicts.length === 1 || (verdicts.length > 1 && (small || !byDate))) {
    if (triage) {
      where.push(`t.tier IN (${placeholders(verdicts)})`);
      params.push(...verdicts.map((v) => TIERS[v] ?? -1));
    } else {
      where.push(`m.verdict IN (${placeholders(verdicts)})`);
      params.push(...verdicts);
    }
  } else if (verdicts.length > 1) {
    // An IN list cannot keep the Date index's order; one ordered range per verdict, merged, can.
    splitVerdicts = verdicts;
  }
  if (small) {
    // CROSS JOIN keeps the small set as the outer loop; its rows are then sorted.
    return {
      from: `(${small.s.driver}) d CROSS JOIN messages m ON m.${small.s.on} = d.id`,
      fromParams: small.s.params,
      where,
      params,
      splitVerdicts,
      driver: { sql: small.s.driver, params: small.s.params },
      largeSets,
      tiers: triage ? triageTiers(db, f, verdicts) : null,
    };
  }
  // In import order, an index on another column would need a sort of its whole range.
  const from = byRowid ? 'messages m NOT INDEXED' : 'messages m';
  return {
    from,
    fromParams: [],
    where,
    params,
    splitVerdicts,
    driver: null,
    largeSets,
    tiers: triage ? triageTiers(db, f, verdicts) : null,
  };
}

function countUpTo(db: Db, s: SetFilter, max: number): number {
  const row = db.prepare(`SELECT count(*) AS n FROM (${s.count} LIMIT ?)`).get(...s.params, max + 1) as {
    n: number;
  };
  return row.n;
}

/**
 * Turns what a reviewer types into an FTS5 query: each word is matched as a quoted phrase (so `@`, `.`
 * and quotes are harmless), `word*` is a prefix, and `subject:`, `from:`, `to:`, `body:` limit a word
 * to a field. Returns null when nothing searchable is left.
 */
export function toFtsQuery(input: string): string | null {
  const fields: Record<string, string> = {
    subject: 'subject',
    from: '{from_address from_name}',
    to: 'to_addresses',
    body: 'body_text',
  };
  const parts: string[] = [];
  for (const word of input.split(/\s+/)) {
    const m = /^(?:(subject|from|to|body):)?(.*?)(\*?)$/i.exec(word);
    if (!m) continue;
    const text = m[2] ?? '';
    if (!/[\p{L}\p{N}]/u.test(text)) continue;
    const phrase = `"${text.replaceAll('"', '""')}"${m[3] ? '*' : ''}`;
    const field = m[1] ? fields[m[1].toLowerCase()] : undefined;
    parts.push(field ? `${field} : ${phrase}` : phrase);
  }
  return parts.length ? parts.join(' AND ') : null;
}
