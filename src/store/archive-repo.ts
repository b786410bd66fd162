// Reads and writes of the archive pass: the records the archive checks compare (facts, signatures,
// places), mailboxes and roles, copies sharing a Message-ID, replies and their parents. Large reads
// go page by page in key order, so memory stays bounded and writes can come between pages.
import { cachedStatement } from './database.ts';
import type { Db } from './database.ts';
import type { Statement } from 'better-sqlite3';
import type {
  ArcCheck,
  ArchiveRecord,
  AsOfSource,
  CopyPlace,
  DkimResult,
  Finding,
  MailboxRole,
  MessageFacts,
  SignatureSummary,
  StoredHtml,
  StoredStructure,
  Verification,
} from '../model.ts';
import { listFindings, SIGNATURE_CODEC } from './messages-repo.ts';
import { placeholders, readRow, selectList } from './row-codec.ts';
import { readStoredStructure } from './stored-structure.ts';
import { HTML_CHARS_SQL, HTML_COLUMNS_SQL, readStoredHtml, type HtmlColumns } from './stored-html.ts';
import { dateKeyOf, signedOf, tierOf, weekOf } from './search-index.ts';

/** Rows read per page of a large pass: big enough to amortise the query, small enough to bound memory. */
export const PAGE_SIZE = 2000;

// ---------------------------------------------------------------- sources, mailboxes, roles

export interface SourceForRoles {
  id: number;
  sha256: string;
  path: string;
  container: string | null;
  mailbox: string | null;
  folder: string | null;
  offset: number | null;
  mailboxKey: string | null;
  role: MailboxRole | null;
  from: string;
  deliveredTo: string[];
  recipients: string[];
  receivingHops: number;
  labels: string[];
}

interface SourceRow {
  id: number;
  sha256: string;
  path: string;
  container: string | null;
  mailbox: string | null;
  folder: string | null;
  offset: number | null;
  mailbox_key: string | null;
  role: MailboxRole | null;
  evidence: string;
}

/** Every source with the facts roles are learned from, in pages of PAGE_SIZE by source id. */
export function* iterateSourcesForRoles(db: Db): Generator<SourceForRoles[]> {
  const page = db.prepare(
    `SELECT s.id, s.sha256, s.path, s.container, s.mailbox, s.folder, s.offset, s.mailbox_key, s.role, f.placement AS evidence
     FROM sources s JOIN message_facts f ON f.sha256 = s.sha256
     WHERE s.id > ? ORDER BY s.id LIMIT ?`,
  );
  let after = 0;
  for (;;) {
    const rows = page.all(after, PAGE_SIZE) as SourceRow[];
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
    yield rows.map((r) => {
      const [from, deliveredTo, recipients, receivingHops, labels] = JSON.parse(r.evidence) as [
        string | null,
        string[] | null,
        string[] | null,
        number | null,
        string[] | null,
      ];
      return {
        id: r.id,
        sha256: r.sha256,
        path: r.path,
        container: r.container,
        mailbox: r.mailbox,
        folder: r.folder,
        offset: r.offset,
        mailboxKey: r.mailbox_key,
        role: r.role,
        from: from ?? '',
        deliveredTo: deliveredTo ?? [],
        recipients: recipients ?? [],
        receivingHops: receivingHops ?? 0,
        labels: labels ?? [],
      };
    });
  }
}

/**
 * Starts planning places: the mailboxes and the sources' new places wait in temporary tables (no
 * write lock needed, so a shared pass plans from a snapshot) until placePlaces writes them.
 */
export function startPlaces(db: Db): void {
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS planned_places (id INTEGER PRIMARY KEY, mailbox_key TEXT NOT NULL, role TEXT NOT NULL)`);
  db.exec('DELETE FROM planned_places');
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS planned_mailboxes (
    key TEXT PRIMARY KEY, name TEXT NOT NULL, account TEXT NOT NULL, name_role TEXT NOT NULL, owners TEXT NOT NULL, copies INTEGER NOT NULL)`);
  db.exec('DELETE FROM planned_mailboxes');
}

/** Plans the mailbox and role of sources whose place changed (startPlaces). */
export function planSourcePlaces(db: Db, changes: { id: number; mailboxKey: string; role: MailboxRole }[]): void {
  const ins = cachedStatement(db, 'INSERT INTO planned_places (id, mailbox_key, role) VALUES (?, ?, ?)');
  for (const c of changes) ins.run(c.id, c.mailboxKey, c.role);
}

export interface MailboxSummary {
  key: string;
  name: string;
  account: string;
  nameRole: MailboxRole;
  owners: string[];
  copies: number;
}

/** Plans the mailbox list (startPlaces). */
export function planMailboxes(db: Db, mailboxes: Iterable<MailboxSummary>): void {
  const ins = cachedStatement(
    db,
    'INSERT INTO planned_mailboxes (key, name, account, name_role, owners, copies) VALUES (?, ?, ?, ?, ?, ?)',
  );
  for (const m of mailboxes) ins.run(m.key, m.name, m.account, m.nameRole, JSON.stringify(m.owners), m.copies);
}

/** Writes what was planned since startPlaces: the mailbox list replaced, the changed places set. Call inside a transaction. */
export function placePlaces(db: Db): void {
  db.exec('DELETE FROM mailboxes');
  db.exec(
    'INSERT INTO mailboxes (key, name, account, name_role, owners, copies) SELECT key, name, account, name_role, owners, copies FROM planned_mailboxes ORDER BY rowid',
  );
  // Row by row in id order. Written as a join (UPDATE ... FROM), the planner walked sources along
  // sources_sha256 and wrote them at random: 7.8 s for the 1,000,000 sources of the bench's small
  // messages, against 1.0 s this way.
  db.exec(`UPDATE sources SET (mailbox_key, role) = (SELECT p.mailbox_key, p.role FROM planned_places p WHERE p.id = sources.id)
           WHERE id IN (SELECT id FROM planned_places)`);
}

// ---------------------------------------------------------------- archive records

interface RecordRow {
  sha256: string;
  message_id: string | null;
  subject: string | null;
  from_domain: string | null;
  date_header: string | null;
  date_epoch: number | null;
  as_of: number;
  list_id: string | null;
  in_reply_to: string | null;
  facts: string;
  text_grams?: string | null;
  quote_grams?: string | null;
  /** JSON of SigTuples, or the tuples themselves (iterateArchiveRecords). */
  sigs: string | SigTuple[];
  places: string;
}

/** Reply pairs need neither signatures nor places: their records leave them empty. */
const LIGHT_COLUMNS = `m.sha256, m.message_id, m.subject, m.from_domain, m.date_header, m.date_epoch, m.as_of, m.list_id,
  m.in_reply_to, f.facts, '[]' AS sigs, '[]' AS places`;

/**
 * The join of a message `m` to its facts `f`: by rowid, which the facts take from their message
 * (facts-repo.ts insertFacts), checked by hash; through the hash key for a row that has another
 * rowid (a database written before). Through the hash key alone, each message was a lookup among
 * 64-character keys: on the database of 1,000,000 small messages a scan of messages with their
 * facts took 5.7-6.6 s that way, 2.6 s by rowid.
 */
const FACTS_OF_MESSAGE = `message_facts f ON f.rowid = coalesce(
  (SELECT a.rowid FROM message_facts a WHERE a.rowid = m.rowid AND a.sha256 = m.sha256),
  (SELECT b.rowid FROM message_facts b WHERE b.sha256 = m.sha256))`;

/**
 * The word grams of a message `m` (migration 018): under its rowid, checked by hash. Left-joined
 * where records are read, so that a message whose grams are missing reads as having none.
 */
const GRAMS_OF_MESSAGE = 'message_grams mg ON mg.id = m.rowid AND mg.sha256 = m.sha256';

/** A record's signature columns, in SigTuple's order. */
const SIG_COLUMNS = `g.idx, g.domain, g.selector, g.algorithm, g.key_type, g.key_bits, g.result,
  g.aligned, g.body_hash, g.signed_headers, g.key_first_seen, g.key_last_seen, g.key_made`;

/** A source's path when it is a file of a maildir (in its cur or new folder), whose name its delivery agent gave it. */
const MAILDIR_FILE = "CASE WHEN s.folder IN ('cur', 'new') AND s.offset IS NULL THEN s.path END";

/** A record's columns but its signatures (iterateArchiveRecords reads those apart). */
const RECORD_COLUMNS_BUT_SIGNATURES = `m.sha256, m.message_id, m.subject, m.from_domain, m.date_header, m.date_epoch, m.as_of, m.list_id,
  m.in_reply_to, f.facts,
  (SELECT json_group_array(json_array(s.mailbox_key, mb.account, s.role, ${MAILDIR_FILE}, s.length))
     FROM sources s LEFT JOIN mailboxes mb ON mb.key = s.mailbox_key WHERE s.sha256 = m.sha256) AS places`;

const RECORD_COLUMNS = `${RECORD_COLUMNS_BUT_SIGNATURES},
  (SELECT json_group_array(json_array(${SIG_COLUMNS})) FROM signatures g WHERE g.sha256 = m.sha256) AS sigs`;

type SigTuple = [
  number,
  string,
  string,
  string,
  string | null,
  number | null,
  DkimResult,
  number,
  SignatureSummary['bodyHash'],
  string,
  number | null,
  number | null,
  SignatureSummary['keyMade'],
];

/** The last part of a path as stored (a zip's members are named after "!/"). */
function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/** The S= and W= fields of a maildir name's unique part (made once: the archive pass reads every place's name on each of its passes). */
const NAMED_SIZE = /,S=(\d{1,15})(?=,|$)/;
const NAMED_CRLF_SIZE = /,W=(\d{1,15})(?=,|$)/;

/**
 * The sizes a maildir file's name gives it: the `S=` field that Dovecot and Courier write into the
 * unique part of the name (`1686038250.M363559P46325.host,S=1560,W=1602:2,S`), the file's size in
 * bytes as the delivery agent wrote it, and Dovecot's `W=`, its size with CRLF line breaks (null
 * without one); null when the name gives no `S=`.
 */
export function maildirNamedSize(path: string): { size: number; crlfSize: number | null } | null {
  const name = baseName(path);
  const info = name.indexOf(':');
  const unique = info === -1 ? name : name.slice(0, info);
  const size = NAMED_SIZE.exec(unique);
  if (!size) return null;
  const crlf = NAMED_CRLF_SIZE.exec(unique);
  return { size: Number(size[1]), crlfSize: crlf ? Number(crlf[1]) : null };
}

function toRecord(r: RecordRow): ArchiveRecord {
  const facts = JSON.parse(r.facts) as MessageFacts;
  facts.textGrams = r.text_grams ?? '';
  facts.quoteGrams = r.quote_grams ?? '';
  const sigs = (typeof r.sigs === 'string' ? (JSON.parse(r.sigs) as SigTuple[]) : r.sigs)
    .map((t): SignatureSummary => ({
      index: t[0],
      domain: t[1],
      selector: t[2],
      algorithm: t[3],
      keyType: t[4],
      keyBits: t[5],
      result: t[6],
      aligned: t[7] === 1,
      bodyHash: t[8],
      signedHeaders: t[9] === '' ? [] : t[9].split(':'),
      keyFirstSeen: t[10],
      keyLastSeen: t[11],
      keyMade: t[12] ?? 'unknown',
    }))
    .sort((a, b) => a.index - b.index);
  const places = (JSON.parse(r.places) as [string | null, string | null, MailboxRole | null, string | null, number | null][])
    .filter((p) => p[0] !== null)
    .map((p): CopyPlace => {
      const named = p[3] ? maildirNamedSize(p[3]) : null;
      const place: CopyPlace = { mailbox: p[0]!, account: p[1] ?? p[0]!, role: p[2] ?? 'other' };
      if (named !== null && p[4] !== null)
        place.file = { name: baseName(p[3]!), namedSize: named.size, namedCrlfSize: named.crlfSize, bytes: p[4] };
      return place;
    });
  return {
    sha256: r.sha256,
    messageId: r.message_id,
    subject: r.subject,
    fromDomain: r.from_domain,
    dateHeader: r.date_header,
    dateEpoch: r.date_epoch,
    asOf: r.as_of,
    listId: r.list_id,
    inReplyTo: r.in_reply_to,
    facts,
    signatures: sigs,
    places,
  };
}

/**
 * Every message with facts, as ArchiveRecords, in pages (of PAGE_SIZE unless asked) in the order
 * messages were stored (grams left out unless asked). That is the order of the tables' own pages,
 * and of their facts, signatures and sources since migration 011, so a pass reads each page once:
 * paged by hash instead, it read them at random, 17.3 GB for 100,000 small messages (one page read
 * for every row it took).
 */
export function* iterateArchiveRecords(db: Db, options: { grams?: boolean; pageSize?: number } = {}): Generator<ArchiveRecord[]> {
  const grams = options.grams ? ', mg.text_grams, mg.quote_grams' : '';
  const page = db.prepare(
    `SELECT m.rowid AS row_id, m.signature_count, ${RECORD_COLUMNS_BUT_SIGNATURES}${grams} FROM messages m JOIN ${FACTS_OF_MESSAGE}
     ${options.grams ? `LEFT JOIN ${GRAMS_OF_MESSAGE}` : ''}
     WHERE m.rowid > ? ORDER BY m.rowid LIMIT ?`,
  );
  const signatures = new SignatureStream(db);
  let after = 0;
  for (;;) {
    // `sigs` is not a column of this query: each row gets its signatures from the stream below.
    const rows = page.all(after, options.pageSize ?? PAGE_SIZE) as (RecordRow & { row_id: number; signature_count: number })[];
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.row_id;
    const sigs = signatures.of(rows);
    for (const r of rows) r.sigs = sigs.get(r.sha256) ?? [];
    yield rows.map(toRecord);
  }
}

/**
 * The signatures of pages of messages read in rowid order, read alongside them in their own rowid
 * order. A message's signatures are written with it, in the same transaction and order
 * (messages-repo.ts insertMessage), so each page's are the next rows of the table: one range read.
 * Looked up message by message through signatures_message, they took about 4 of the 10 µs SQLite
 * spent on a record (200,000 records of the bench's 1,000,000 small messages, pages in memory).
 * Whatever does not fit that order (a message whose rows are elsewhere, as another program might
 * have written them) is looked up by hash, so the records are the same either way: a message has its
 * signatures when as many were found as its signature_count says, which insertMessage writes with
 * them. Rows out of order cost lookups on the pages after them too, never a wrong record.
 */
class SignatureStream {
  private after = 0;
  private readonly next: Statement;
  private readonly bySha: Statement;

  constructor(db: Db) {
    this.next = db.prepare(`SELECT g.rowid, g.sha256, ${SIG_COLUMNS} FROM signatures g WHERE g.rowid > ? ORDER BY g.rowid LIMIT ?`).raw();
    this.bySha = db.prepare(`SELECT ${SIG_COLUMNS} FROM signatures g WHERE g.sha256 = ?`).raw();
  }

  /** The signatures of a page of messages, by hash (each message's in no particular order: toRecord sorts them). */
  of(page: { sha256: string; signature_count: number }[]): Map<string, SigTuple[]> {
    const wanted = new Map<string, number>();
    let total = 0;
    for (const m of page)
      if (m.signature_count > 0) {
        wanted.set(m.sha256, m.signature_count);
        total += m.signature_count;
      }
    const out = new Map<string, SigTuple[]>();
    if (total === 0) return out;
    for (const row of this.next.all(this.after, total) as [number, string, ...SigTuple][]) {
      this.after = row[0];
      if (!wanted.has(row[1])) continue;
      const list = out.get(row[1]);
      const tuple = row.slice(2) as SigTuple;
      if (list) list.push(tuple);
      else out.set(row[1], [tuple]);
    }
    for (const [sha, count] of wanted) if (out.get(sha)?.length !== count) out.set(sha, this.bySha.all(sha) as SigTuple[]);
    return out;
  }
}

/** Message-IDs carried by more than one stored message (different bytes). */
export function listSharedMessageIds(db: Db): string[] {
  return db
    .prepare('SELECT message_id FROM messages WHERE message_id IS NOT NULL GROUP BY message_id HAVING count(*) > 1 ORDER BY message_id')
    .pluck()
    .all() as string[];
}

/** Groups of copies sharing a Message-ID, a page of groups per query (IDs listed once into a temporary table). */
export function* iterateCopyGroups(db: Db): Generator<ArchiveRecord[][]> {
  db.exec('CREATE TEMP TABLE IF NOT EXISTS shared_ids (message_id TEXT NOT NULL)');
  db.exec('DELETE FROM shared_ids');
  db.exec('INSERT INTO shared_ids SELECT message_id FROM messages WHERE message_id IS NOT NULL GROUP BY message_id HAVING count(*) > 1');
  const ids = db.prepare('SELECT rowid, message_id FROM shared_ids WHERE rowid > ? ORDER BY rowid LIMIT ?');
  const rows = db.prepare(
    `SELECT ${RECORD_COLUMNS} FROM messages m JOIN message_facts f ON f.sha256 = m.sha256
     WHERE m.message_id IN (SELECT value FROM json_each(?)) ORDER BY m.message_id, m.sha256`,
  );
  let after = 0;
  for (;;) {
    const page = ids.all(after, PAGE_SIZE / 4) as { rowid: number; message_id: string }[];
    if (page.length === 0) return;
    after = page[page.length - 1]!.rowid;
    const groups = new Map<string, ArchiveRecord[]>();
    for (const r of (rows.all(JSON.stringify(page.map((p) => p.message_id))) as RecordRow[]).map(toRecord)) {
      const g = groups.get(r.messageId!);
      if (g) g.push(r);
      else groups.set(r.messageId!, [r]);
    }
    yield [...groups.values()];
  }
}

/** The copies carrying one Message-ID, with their grams. */
export function listCopies(db: Db, messageId: string): ArchiveRecord[] {
  const rows = cachedStatement(
    db,
    `SELECT ${RECORD_COLUMNS}, mg.text_grams, mg.quote_grams FROM messages m JOIN message_facts f ON f.sha256 = m.sha256
       LEFT JOIN ${GRAMS_OF_MESSAGE} WHERE m.message_id = ? ORDER BY m.sha256`,
  ).all(messageId) as RecordRow[];
  return rows.map(toRecord);
}

/** A message's decoded text, and its HTML as the store has it (stored-html.ts: the caller reads it again from the bytes). */
export interface StoredBodies {
  text: string | null;
  html: StoredHtml;
}

/**
 * The decoded text and HTML of some messages (for comparing and diffing copies that differ), at
 * most `maxChars` characters of them in all: a message whose text and HTML would go beyond it is
 * left out (the caller treats it as not loaded); a smaller one after it may still fit. Lengths are
 * asked of SQLite first, so what is left out is never read into memory.
 */
export function readBodies(db: Db, sha256s: string[], maxChars: number): Map<string, StoredBodies> {
  const size = cachedStatement(
    db,
    `SELECT coalesce(length(body_text), 0) + ${HTML_CHARS_SQL} AS chars FROM full_messages WHERE sha256 = ?`,
  );
  const q = cachedStatement(db, `SELECT body_text, ${HTML_COLUMNS_SQL} FROM full_messages WHERE sha256 = ?`);
  const out = new Map<string, StoredBodies>();
  let left = maxChars;
  for (const sha of sha256s) {
    const chars = (size.get(sha) as { chars: number } | undefined)?.chars;
    if (chars === undefined || chars > left) continue;
    const r = q.get(sha) as ({ body_text: string | null } & HtmlColumns) | undefined;
    if (!r) continue;
    left -= chars;
    out.set(sha, { text: r.body_text, html: readStoredHtml(r) });
  }
  return out;
}

/**
 * The codes of the weak and strong findings known so far for some messages: their own, and this
 * pass's archive ones; with them the codes of `context` (info findings of this pass's archive
 * checks that tell two copies apart, though they flag nothing alone).
 */
export function readFlags(db: Db, sha256s: string[], context: readonly string[] = []): Map<string, string[]> {
  const rows = cachedStatement(
    db,
    `SELECT sha256, code FROM findings WHERE sha256 IN (SELECT value FROM json_each(@list)) AND severity IN ('weak', 'strong')
       AND check_id NOT LIKE 'archive-%'
     UNION ALL
     SELECT sha256, code FROM new_findings WHERE sha256 IN (SELECT value FROM json_each(@list))
       AND (severity IN ('weak', 'strong') OR code IN (SELECT value FROM json_each(@context)))`,
  ).all({ list: JSON.stringify(sha256s), context: JSON.stringify(context) }) as { sha256: string; code: string }[];
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.sha256, [...(out.get(r.sha256) ?? []), r.code]);
  return out;
}

/** The word 4-grams of some messages (text and quote), for the few groups of copies compared in detail. */
export function readGrams(db: Db, sha256s: string[]): Map<string, { text: string; quote: string }> {
  const q = cachedStatement(db, `SELECT mg.text_grams, mg.quote_grams FROM messages m JOIN ${GRAMS_OF_MESSAGE} WHERE m.sha256 = ?`);
  const out = new Map<string, { text: string; quote: string }>();
  for (const sha of sha256s) {
    const r = q.get(sha) as { text_grams: string; quote_grams: string } | undefined;
    if (r) out.set(sha, { text: r.text_grams, quote: r.quote_grams });
  }
  return out;
}

/** The quote grams of the later messages of the thread that name this Message-ID (In-Reply-To or References). */
export function listReplyQuotes(db: Db, messageId: string): string[] {
  return cachedStatement(
    db,
    `SELECT mg.quote_grams FROM message_refs r JOIN messages m ON m.sha256 = r.sha256 JOIN ${GRAMS_OF_MESSAGE}
       WHERE r.ref = ? AND mg.quote_grams != ''`,
  )
    .pluck()
    .all(messageId) as string[];
}

/** The text grams of the stored copies of a message (a parent, for the quotes of its replies). */
export function listTextGrams(db: Db, messageId: string): string[] {
  return cachedStatement(db, `SELECT mg.text_grams FROM messages m JOIN ${GRAMS_OF_MESSAGE} WHERE m.message_id = ? AND mg.text_grams != ''`)
    .pluck()
    .all(messageId) as string[];
}

/** Replies whose In-Reply-To names a message of the archive, with that parent, in pages (one parent query per page). */
export function* iterateReplyPairs(db: Db): Generator<{ reply: ArchiveRecord; parent: ArchiveRecord }[]> {
  // The replies are found along the In-Reply-To and Message-ID indexes, without reading a message:
  // a small message's row fills a page of its own, so testing each row read every message whole.
  // (Sorted here: asked to sort them, SQLite scans the table in rowid order instead.)
  const ids = (
    db
      .prepare(
        `SELECT m.rowid FROM messages m
         WHERE m.in_reply_to IS NOT NULL AND EXISTS (SELECT 1 FROM messages p WHERE p.message_id = m.in_reply_to)`,
      )
      .pluck()
      .all() as number[]
  ).sort((a, b) => a - b);
  const replies = db.prepare(
    `SELECT ${LIGHT_COLUMNS}, mg.text_grams, mg.quote_grams FROM messages m JOIN message_facts f ON f.sha256 = m.sha256
     LEFT JOIN ${GRAMS_OF_MESSAGE} WHERE m.rowid IN (SELECT value FROM json_each(?)) ORDER BY m.rowid`,
  );
  const parents = db.prepare(
    `SELECT ${LIGHT_COLUMNS}, mg.text_grams, mg.quote_grams FROM messages m JOIN message_facts f ON f.sha256 = m.sha256
     LEFT JOIN ${GRAMS_OF_MESSAGE} WHERE m.message_id IN (SELECT value FROM json_each(?)) ORDER BY m.sha256`,
  );
  for (let at = 0; at < ids.length; at += PAGE_SIZE) {
    const rows = replies.all(JSON.stringify(ids.slice(at, at + PAGE_SIZE))) as RecordRow[];
    if (rows.length === 0) continue;
    const batch = rows.map(toRecord);
    const byId = new Map<string, ArchiveRecord[]>();
    for (const p of (parents.all(JSON.stringify([...new Set(batch.map((r) => r.inReplyTo))])) as RecordRow[]).map(toRecord)) {
      byId.set(p.messageId!, [...(byId.get(p.messageId!) ?? []), p]);
    }
    yield batch.flatMap((reply) => (byId.get(reply.inReplyTo!) ?? []).map((parent) => ({ reply, parent })));
  }
}

/** Every message that has findings of these checks, so stale ones can be cleared. */
export function listMessagesWithChecks(db: Db, checkIds: string[]): string[] {
  return db
    .prepare(`SELECT DISTINCT sha256 FROM findings WHERE check_id IN (${placeholders(checkIds)})`)
    .pluck()
    .all(...checkIds) as string[];
}

// ---------------------------------------------------------------- stored records rebuilt

interface StoredRow {
  id: number;
  parsed: string;
  body_text: string | null;
  body_html: string | null;
  html_chars: number | null;
  as_of: number;
  as_of_source: AsOfSource;
  arc: string;
  raw: Buffer;
}

/**
 * What the checks saw of a stored message, as its record keeps it (for facts missing from a database
 * written before they existed). The structure's header list is read again from `raw` by the caller
 * (src/parse/stored-headers.ts).
 */
export interface StoredCheckParts {
  /** The message's rowid. */
  message: number;
  structure: StoredStructure;
  text: string | null;
  html: StoredHtml;
  raw: Buffer;
  verification: Verification;
  findings: Finding[];
}

export function readStoredCheckParts(db: Db, sha256: string): StoredCheckParts | null {
  const row = db
    .prepare('SELECT id, parsed, body_text, body_html, html_chars, as_of, as_of_source, arc, raw FROM full_messages WHERE sha256 = ?')
    .get(sha256) as StoredRow | undefined;
  if (!row) return null;
  const signatures = (
    db.prepare(`SELECT ${selectList(SIGNATURE_CODEC)} FROM signatures WHERE sha256 = ? ORDER BY idx`).all(sha256) as Record<
      string,
      unknown
    >[]
  ).map((r) => readRow(SIGNATURE_CODEC, r));
  const verification: Verification = {
    asOf: row.as_of,
    asOfSource: row.as_of_source,
    signatures,
    arc: JSON.parse(row.arc) as ArcCheck,
    fetchedKeys: [],
  };
  return {
    message: row.id,
    structure: readStoredStructure(row.parsed),
    text: row.body_text,
    html: readStoredHtml({ ...row, html_raw: row.raw }),
    raw: row.raw,
    verification,
    findings: listFindings(db, sha256),
  };
}

// ---------------------------------------------------------------- archive findings and verdicts

/**
 * Starts a pass: the findings it makes are gathered in a temporary table (no triggers, no indexes)
 * and replace the stored ones only where they changed (markTouched, planVerdicts,
 * finishArchiveFindings). Call inside the pass's transaction or snapshot.
 */
export function startArchiveFindings(db: Db): void {
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS new_findings (
    seq INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, check_id TEXT NOT NULL, code TEXT NOT NULL, severity TEXT NOT NULL,
    detail TEXT NOT NULL, evidence TEXT NOT NULL, signature INTEGER, explains TEXT)`);
  db.exec('CREATE INDEX IF NOT EXISTS temp.new_findings_sha256 ON new_findings (sha256)');
  db.exec('DELETE FROM new_findings');
  // Keyed by the message's rowid: walked in that order, the rows of messages, findings and sources of
  // the marked messages are read in the order they were written, not at random as in hash order
  // (on 200,000 small messages planVerdicts and planCounts read 1.2 GB from the OS instead of 2.8 GB).
  db.exec('CREATE TEMP TABLE IF NOT EXISTS archive_touched (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE)');
  db.exec('DELETE FROM archive_touched');
  db.exec(
    'CREATE TEMP TABLE IF NOT EXISTS planned_verdicts (id INTEGER PRIMARY KEY, verdict TEXT NOT NULL, summary TEXT NOT NULL, reasons TEXT NOT NULL)',
  );
  db.exec('DELETE FROM planned_verdicts');
}

/** Adds findings of this pass. */
export function addArchiveFindings(db: Db, found: Map<string, Finding[]>): void {
  const ins = cachedStatement(
    db,
    'INSERT INTO new_findings (sha256, check_id, code, severity, detail, evidence, signature, explains) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  for (const [sha, fs] of found)
    for (const x of fs)
      ins.run(sha, x.check, x.code, x.severity, x.detail, JSON.stringify(x.evidence), x.signature ?? null, x.explains?.join(';') ?? null);
}

/** One message's findings as one comparable text (order-independent). */
const FINDINGS_KEY = `group_concat(check_id || char(31) || code || char(31) || severity || char(31) || detail || char(31) || evidence
  || char(31) || ifnull(signature, '') || char(31) || ifnull(explains, ''), char(30) ORDER BY check_id, code, detail, evidence)`;

/**
 * Marks the messages whose findings of these checks differ from the stored ones (new, gone or
 * changed, compared set-wise in SQL): those get the new ones and a new verdict (planVerdicts,
 * finishArchiveFindings); the others are left as they are, so a pass after a small import rewrites
 * little. It writes only temporary tables: a shared pass marks from its snapshot. The stored
 * findings of these checks are found by reading the table through (NOT INDEXED): walked along
 * findings_sha256, as the planner chose for the GROUP BY, each row was a read at random. On the
 * database of 1,000,000 small messages (1.3 M findings, 147,000 of them archive ones), the stored
 * side of the comparison took 6.8 and 10.7 s that way, 0.5 s this way.
 * Each side's keys go into a table of their own, joined by its primary key. As two views joined,
 * SQLite built an automatic covering index over each, copying every key into it again: where the
 * findings' evidence is large (the fuzzer's copy groups, 276 MB of it over 7,318 messages, diffs of
 * up to 2 MB), this took 11.2-12.7 s of a 29 s pass, against 3.1 s.
 */
export function markTouched(db: Db, checkIds: readonly string[]): void {
  const ids = placeholders(checkIds);
  for (const t of ['stored_keys', 'found_keys']) {
    db.exec(`DROP TABLE IF EXISTS temp.${t}`);
    db.exec(`CREATE TEMP TABLE ${t} (sha256 TEXT PRIMARY KEY, k TEXT)`);
  }
  db.prepare(
    `INSERT INTO stored_keys SELECT sha256, ${FINDINGS_KEY} FROM findings NOT INDEXED WHERE check_id IN (${ids}) GROUP BY sha256`,
  ).run(...checkIds);
  db.exec(`INSERT INTO found_keys SELECT sha256, ${FINDINGS_KEY} FROM new_findings GROUP BY sha256`);
  db.exec(
    `INSERT OR IGNORE INTO archive_touched (id, sha256) SELECT m.rowid, x.sha256 FROM (
       SELECT old.sha256 FROM stored_keys old LEFT JOIN found_keys new ON new.sha256 = old.sha256 WHERE new.k IS NULL OR new.k != old.k
       UNION SELECT new.sha256 FROM found_keys new LEFT JOIN stored_keys old ON old.sha256 = new.sha256 WHERE old.k IS NULL
     ) x CROSS JOIN messages m ON m.sha256 = x.sha256`,
  );
  for (const t of ['stored_keys', 'found_keys']) db.exec(`DROP TABLE temp.${t}`);
}

/**
 * Ends a pass: the marked messages (markTouched) get their new findings of these checks and the
 * verdicts planned for them (planVerdicts), set-wise. Meanwhile the summary triggers stand aside
 * (migration 013): the change in the counts and the triage rows that planCounts worked out are
 * written instead. Call inside the write transaction, with nothing written since the plans were made.
 */
export function finishArchiveFindings(db: Db, checkIds: readonly string[]): void {
  const ids = placeholders(checkIds);
  db.prepare('UPDATE index_state SET counts_paused = 1 WHERE id = 1').run();
  db.prepare(`DELETE FROM findings WHERE check_id IN (${ids}) AND sha256 IN (SELECT sha256 FROM archive_touched)`).run(...checkIds);
  db.exec(`INSERT INTO findings (sha256, check_id, code, severity, detail, evidence, signature, explains)
           SELECT sha256, check_id, code, severity, detail, evidence, signature, explains FROM new_findings
           WHERE sha256 IN (SELECT sha256 FROM archive_touched) ORDER BY seq`);
  // By rowid, in rowid order, rather than through the hash key, which would write each message's row at random.
  db.exec(`UPDATE messages SET (verdict, summary, reasons) = (SELECT p.verdict, p.summary, p.reasons FROM planned_verdicts p WHERE p.id = messages.rowid)
           WHERE rowid IN (SELECT id FROM planned_verdicts)`);
  db.exec(`INSERT INTO overview_counts (dimension, key, verdict, n) SELECT dimension, key, verdict, n FROM planned_counts WHERE true
           ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + excluded.n`);
  db.exec(`INSERT INTO finding_week_counts (week, severity, n) SELECT week, severity, n FROM planned_week_counts WHERE true
           ON CONFLICT (week, severity) DO UPDATE SET n = n + excluded.n`);
  db.exec(`UPDATE triage SET tier = x.tier, strong = x.strong, weak = x.weak, date_key = x.date_key, signed = x.signed
           FROM planned_triage AS x WHERE triage.sha256 = x.sha256`);
  db.prepare('UPDATE index_state SET counts_paused = 0 WHERE id = 1').run();
  for (const t of ['planned_counts', 'planned_week_counts', 'planned_triage']) db.exec(`DROP TABLE temp.${t}`);
}

/**
 * Works out, for finishArchiveFindings, how the marked messages' share of the summary counts that
 * their findings and verdicts decide changes, as the triggers of migrations 002 and 008 count them
 * (the same keys, the same expressions): their share with the verdicts and findings they have now
 * taken away, their share with the planned ones (planVerdicts; their findings of other checks and
 * their new ones of these) added, per verdict in each dimension and per finding, into
 * planned_counts and planned_week_counts; and their triage rows as they will be, where those
 * differ, into planned_triage. What depends on neither (a dimension's total over all verdicts)
 * does not change and is left alone. It writes only temporary tables: a shared pass works it out
 * from its snapshot, and the write lock is held only to add the result (on the database of 1,000,000
 * small messages, working it out under the lock, before and after the writes, took 4.4 and 5.9 s).
 */
export function planCounts(db: Db, checkIds: readonly string[]): void {
  // Its GROUP BYs sort in memory up to the connection's cache size before they spill to a file (SQLite
  // takes the sorter's budget from it): with the pass's 256 MB cache on 1,000,000 small messages, they
  // took the import's peak RSS from 787 MB to 928 MB (one run each). They run within PLAN_SORT_KIB
  // (801 MB in the next run).
  const cache = db.pragma('cache_size', { simple: true }) as number;
  const kib = cache < 0 ? -cache : (cache * (db.pragma('page_size', { simple: true }) as number)) / 1024;
  if (kib > PLAN_SORT_KIB) db.pragma(`cache_size = -${PLAN_SORT_KIB}`);
  try {
    planCountsWithin(db, checkIds);
  } finally {
    if (kib > PLAN_SORT_KIB) db.pragma(`cache_size = ${cache}`);
  }
}

/** The memory planCounts' sorts take at most (its connection's cache for that while). */
const PLAN_SORT_KIB = 16 * 1024;

function planCountsWithin(db: Db, checkIds: readonly string[]): void {
  const ids = placeholders(checkIds);
  for (const t of ['touched_sides', 'touched_side_findings', 'planned_counts', 'planned_week_counts', 'planned_triage'])
    db.exec(`DROP TABLE IF EXISTS temp.${t}`);
  // Each marked message twice: as it is (-1) and as it will be (+1). Each message is looked up once,
  // and its findings and sources once a side, in rowid order (archive_touched's), into temporary
  // tables that every count then reads.
  db.exec(`CREATE TEMP TABLE touched_sides AS
    SELECT m.sha256, s.sign, CASE s.sign WHEN -1 THEN m.verdict ELSE coalesce(p.verdict, m.verdict) END AS v,
      ifnull(m.from_domain, '') AS domain,
      ${weekOf('m.date_epoch')} AS week,
      ${signedOf('m.signature_count')} AS signed,
      ${dateKeyOf('m.date_epoch')} AS date_key
    FROM archive_touched t CROSS JOIN messages m ON m.rowid = t.id
      LEFT JOIN planned_verdicts p ON p.id = m.rowid
      CROSS JOIN (SELECT -1 AS sign UNION ALL SELECT 1) s`);
  db.exec(`CREATE TEMP TABLE touched_side_findings AS
    SELECT t.sha256, t.sign, f.code, f.severity, t.v, t.week FROM touched_sides t CROSS JOIN findings f ON f.sha256 = t.sha256
    WHERE t.sign = -1`);
  db.prepare(
    `INSERT INTO touched_side_findings SELECT t.sha256, t.sign, f.code, f.severity, t.v, t.week
     FROM (${findingsToBe(ids, 'archive_touched')}) f CROSS JOIN touched_sides t ON t.sha256 = f.sha256 AND t.sign = 1`,
  ).run(...checkIds);
  db.exec(`CREATE TEMP TABLE planned_counts AS
    SELECT d AS dimension, k AS key, v AS verdict, sum(n) AS n FROM (
      SELECT 'all' AS d, '' AS k, v, sum(sign) AS n FROM touched_sides GROUP BY 3
      UNION ALL SELECT 'domain', domain, v, sum(sign) FROM touched_sides GROUP BY 2, 3
      UNION ALL SELECT 'week', week, v, sum(sign) FROM touched_sides GROUP BY 2, 3
      UNION ALL SELECT 'signed', signed, v, sum(sign) FROM touched_sides GROUP BY 2, 3
      UNION ALL SELECT 'mailbox', coalesce(s.mailbox, s.folder, ''), t.v, sum(t.sign)
        FROM touched_sides t CROSS JOIN sources s ON s.sha256 = t.sha256 GROUP BY 2, 3
      UNION ALL SELECT 'code', code, '', sum(sign) FROM touched_side_findings GROUP BY 2
      UNION ALL SELECT 'code', code, v, sum(sign) FROM touched_side_findings GROUP BY 2, 3
    ) GROUP BY 1, 2, 3 HAVING sum(n) != 0`);
  db.exec(`CREATE TEMP TABLE planned_week_counts AS
    SELECT week, severity, sum(sign) AS n FROM touched_side_findings WHERE severity IN ('strong', 'weak')
    GROUP BY 1, 2 HAVING sum(sign) != 0`);
  db.exec(`CREATE TEMP TABLE planned_triage AS
    SELECT x.* FROM (
      SELECT t.sha256, ${tierOf('t.v')} AS tier, ifnull(f.strong, 0) AS strong, ifnull(f.weak, 0) AS weak, t.date_key,
        t.signed = 'yes' AS signed
      FROM touched_sides t LEFT JOIN (
        SELECT sha256, sum(severity = 'strong') AS strong, sum(severity = 'weak') AS weak FROM touched_side_findings
        WHERE sign = 1 GROUP BY sha256
      ) f ON f.sha256 = t.sha256
      WHERE t.sign = 1
    ) x JOIN triage r ON r.sha256 = x.sha256
    WHERE NOT (r.tier IS x.tier AND r.strong IS x.strong AND r.weak IS x.weak AND r.date_key IS x.date_key AND r.signed IS x.signed)`);
  db.exec('DROP TABLE temp.touched_sides');
  db.exec('DROP TABLE temp.touched_side_findings');
}

interface DecideRow {
  sha256: string;
  check_id: string;
  code: string;
  severity: Finding['severity'];
  detail: string;
  signature: number | null;
  explains: string | null;
}

/**
 * SQL for the findings that the messages of `touched` (a table, or a subquery bound twice, with one
 * row for each message and its hash as `sha256`) will have once the pass is written
 * (finishArchiveFindings): their stored findings of checks other than `ids` (placeholders for the
 * pass's check ids, bound between the two), then their new ones of these; `part` and `ord` give the
 * order they are stored in. Joined in the order of `touched`, not through IN (which walks its list
 * in hash order, so each message's findings were a read at random). The verdicts
 * (iterateTouchedFindings) and the counts (planCounts) are planned from the same findings.
 */
function findingsToBe(ids: string, touched: string): string {
  return `SELECT f.sha256, f.check_id, f.code, f.severity, f.detail, f.signature, f.explains, 0 AS part, f.id AS ord
       FROM ${touched} a CROSS JOIN findings f ON f.sha256 = a.sha256 WHERE f.check_id NOT IN (${ids})
     UNION ALL
     SELECT n.sha256, n.check_id, n.code, n.severity, n.detail, n.signature, n.explains, 1, n.seq
       FROM ${touched} a CROSS JOIN new_findings n ON n.sha256 = a.sha256`;
}

/**
 * The findings every message marked in this pass will have (markTouched), message by message in
 * pages: its stored findings of other checks, then its new ones of these, in the order they are
 * stored in (evidence left out: verdicts are decided from codes, severities and details).
 */
export function* iterateTouchedFindings(db: Db, checkIds: readonly string[]): Generator<{ sha256: string; findings: Finding[] }[]> {
  const touched = db.prepare('SELECT id, sha256 FROM archive_touched WHERE id > ? ORDER BY id LIMIT ?');
  const ids = placeholders(checkIds);
  const rows = db.prepare(`${findingsToBe(ids, '(SELECT value AS sha256 FROM json_each(?))')} ORDER BY 1, 8, 9`);
  let after = 0;
  for (;;) {
    const marked = touched.all(after, PAGE_SIZE) as { id: number; sha256: string }[];
    if (marked.length === 0) return;
    after = marked[marked.length - 1]!.id;
    const page = marked.map((m) => m.sha256);
    const list = JSON.stringify(page);
    const by = new Map<string, Finding[]>(page.map((s) => [s, []]));
    for (const r of rows.all(list, ...checkIds, list) as DecideRow[]) {
      const f: Finding = { check: r.check_id, code: r.code, severity: r.severity, detail: r.detail, evidence: {} };
      if (r.signature !== null) f.signature = r.signature;
      if (r.explains) f.explains = r.explains.split(';');
      by.get(r.sha256)!.push(f);
    }
    yield [...by].map(([sha256, findings]) => ({ sha256, findings }));
  }
}

/** The stored verdicts of some messages, with their rowids, to plan only those that change. */
export function readVerdicts(db: Db, sha256s: string[]): Map<string, { id: number; verdict: string; summary: string; reasons: string }> {
  const rows = cachedStatement(
    db,
    'SELECT rowid AS id, sha256, verdict, summary, reasons FROM messages WHERE sha256 IN (SELECT value FROM json_each(?))',
  ).all(JSON.stringify(sha256s)) as { id: number; sha256: string; verdict: string; summary: string; reasons: string }[];
  return new Map(rows.map((r) => [r.sha256, r]));
}

/** Plans a message's new verdict, which finishArchiveFindings writes. */
export function planVerdict(db: Db, id: number, v: { verdict: string; summary: string; reasons: string[] }): void {
  cachedStatement(db, 'INSERT INTO planned_verdicts (id, verdict, summary, reasons) VALUES (?, ?, ?, ?)').run(
    id,
    v.verdict,
    v.summary,
    v.reasons.join(';'),
  );
}
