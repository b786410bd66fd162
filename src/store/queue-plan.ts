// How a queue query is run: which filter drives it and which index orders it. Kept apart from the
// repository so the choices can be tested with EXPLAIN QUERY PLAN.
import type { Db } from './database.ts';

export interface QueueFilter {
  /** Machine verdicts (any of). */
  verdicts?: string[];
  /** Final verdicts: the latest review's, else the machine's (any of). */
  finals?: string[];
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
  /** Date header range, Unix seconds, inclusive. */
  fromEpoch?: number;
  toEpoch?: number;
  signed?: boolean;
  reviewed?: boolean;
  /** An FTS5 query (see toFtsQuery). */
  fts?: string;
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

function totalMessages(db: Db): number {
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
function rowsMatching(table: string, alias: string, column: (prefix: string) => string, value: unknown): SetFilter {
  return {
    driver: `SELECT DISTINCT sha256 AS id FROM ${table} WHERE ${column('')} = ?`,
    on: 'sha256',
    check: `EXISTS (SELECT 1 FROM ${table} ${alias} WHERE ${column(`${alias}.`)} = ? AND ${alias}.sha256 = m.sha256)`,
    count: `SELECT 1 FROM ${table} WHERE ${column('')} = ?`,
    params: [value],
  };
}

function setFilters(f: QueueFilter): SetFilter[] {
  const sets: SetFilter[] = [];
  if (f.code !== undefined) sets.push(rowsMatching('findings', 'f', (p) => `${p}code`, f.code));
  if (f.mailbox !== undefined) sets.push(rowsMatching('sources', 's', (p) => `coalesce(${p}mailbox, ${p}folder, '')`, f.mailbox));
  if (f.role !== undefined) sets.push(rowsMatching('sources', 's', (p) => `${p}role`, f.role));
  if (f.key !== undefined) sets.push(rowsMatching('signatures', 'g', (p) => `${p}key_name`, f.key));
  if (f.reviewed === true) {
    sets.push({
      driver: 'SELECT DISTINCT sha256 AS id FROM reviews',
      on: 'sha256',
      check: 'EXISTS (SELECT 1 FROM reviews r WHERE r.sha256 = m.sha256)',
      count: 'SELECT 1 FROM reviews',
      params: [],
    });
  }
  if (f.fts !== undefined) {
    sets.push({
      driver: 'SELECT rowid AS id FROM messages_fts WHERE messages_fts MATCH ?',
      on: 'rowid',
      // A rowid-constrained MATCH is a seek in the index, not a scan of the matches.
      check: 'EXISTS (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ? AND rowid = m.rowid)',
      count: 'SELECT 1 FROM messages_fts WHERE messages_fts MATCH ?',
      params: [f.fts],
    });
  }
  return sets;
}

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
}

function placeholders(values: unknown[]): string {
  return values.map(() => '?').join(', ');
}

/** Chooses how to run a filtered, ordered, paged query. `byRowid`: the order is import order. */
export function planQueue(db: Db, f: QueueFilter, byRowid: boolean, setDriverMax?: number): QueuePlan {
  const max = setDriverMax ?? setDriverMaxFor(totalMessages(db));
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.domain !== undefined) {
    where.push('m.from_domain = ?');
    params.push(f.domain);
  }
  if (f.fromEpoch !== undefined) {
    where.push('m.date_epoch >= ?');
    params.push(f.fromEpoch);
  }
  if (f.toEpoch !== undefined) {
    where.push('m.date_epoch <= ?');
    params.push(f.toEpoch);
  }
  if (f.signed !== undefined) where.push(f.signed ? 'm.signature_count > 0' : 'm.signature_count = 0');
  if (f.reviewed === false) where.push('NOT EXISTS (SELECT 1 FROM reviews r WHERE r.sha256 = m.sha256)');
  if (f.finals?.length) {
    where.push(`${FINAL_VERDICT} IN (${placeholders(f.finals)})`);
    params.push(...f.finals);
  }

  const sets = setFilters(f).map((s) => ({ s, n: countUpTo(db, s, max) }));
  sets.sort((a, b) => a.n - b.n);
  const small = sets[0] && sets[0].n <= max ? sets[0] : null;
  for (const { s } of small ? sets.slice(1) : sets) {
    where.push(s.check);
    params.push(...s.params);
  }
  const verdicts = f.verdicts ?? [];
  let splitVerdicts: string[] | null = null;
  if (verdicts.length === 1 || (verdicts.length > 1 && small)) {
    where.push(`m.verdict IN (${placeholders(verdicts)})`);
    params.push(...verdicts);
  } else if (verdicts.length > 1) {
    // An IN list cannot keep the index order; one ordered range per verdict, merged, can.
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
    };
  }
  // In import order, an index on another column would need a sort of its whole range.
  const from = byRowid ? 'messages m NOT INDEXED' : 'messages m';
  return { from, fromParams: [], where, params, splitVerdicts, driver: null };
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
