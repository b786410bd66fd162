// The archive facts of each message (src/checks/message-facts.ts): written with the message,
// recomputed by the archive pass where missing or out of date.
import { cachedStatement } from './database.ts';
import type { Db } from './database.ts';
import type { MessageFacts } from '../model.ts';

/**
 * Writes (or replaces) the facts and references of the message of rowid `message`. Call inside a
 * transaction. `fresh`: the message was inserted by this transaction, so it has no facts yet (an
 * import's hot path). Otherwise the old rows are deleted first rather than replaced through the
 * tables' unique indexes, which an import running beside may have dropped (migration 011).
 *
 * The facts' row takes its message's rowid, as the message's content row takes it for its id
 * (migration 012), so that the archive pass finds it by rowid, not through the hash key
 * (archive-repo.ts FACTS_OF_MESSAGE). A database written before this may hold another message's
 * facts under that rowid: the row then takes the next free one, and the pass finds it by hash.
 * The word grams go to message_grams, under the message's rowid (migration 018): only the comparison
 * of copies and of replies reads them, and the pass's scans of the facts need not read them too.
 */
export function insertFacts(db: Db, message: number, sha256: string, facts: MessageFacts, fresh = false): void {
  insertEncodedFacts(db, message, sha256, encodeFacts(facts), fresh);
}

/** A message's facts as their rows keep them (encodeFacts): made where the message is analysed. */
export interface EncodedFacts {
  version: number;
  /** JSON of what places a copy (from, Delivered-To, recipients, receiving hops, labels). */
  placement: string;
  /** JSON of the facts but their word grams. */
  facts: string;
  quoteGrams: string;
  textGrams: string;
  /** The Message-IDs the message refers to, each once. */
  references: string[];
}

/** The values insertEncodedFacts writes, worked out from the facts (an analysis worker does it off the writing thread). */
export function encodeFacts(facts: MessageFacts): EncodedFacts {
  const { quoteGrams, textGrams, ...rest } = facts;
  return {
    version: facts.version,
    placement: JSON.stringify([facts.from, facts.deliveredTo, facts.recipients, facts.receivingHops, facts.labels]),
    facts: JSON.stringify(rest),
    quoteGrams,
    textGrams,
    references: [...new Set(facts.references)],
  };
}

/** insertFacts, from facts already encoded (encodeFacts). */
export function insertEncodedFacts(db: Db, message: number, sha256: string, facts: EncodedFacts, fresh = false): void {
  if (!fresh) {
    cachedStatement(db, 'DELETE FROM message_facts WHERE sha256 = ?').run(sha256);
    cachedStatement(db, 'DELETE FROM message_refs WHERE sha256 = ?').run(sha256);
  }
  cachedStatement(
    db,
    `INSERT INTO message_facts (rowid, sha256, version, placement, facts)
     VALUES (iif(EXISTS (SELECT 1 FROM message_facts WHERE rowid = ?), NULL, ?), ?, ?, ?, ?)`,
  ).run(message, message, sha256, facts.version, facts.placement, facts.facts);
  // Replaced, not deleted first: the grams' row is the message's, under its rowid (migration 018).
  cachedStatement(db, 'INSERT OR REPLACE INTO message_grams (id, sha256, quote_grams, text_grams) VALUES (?, ?, ?, ?)').run(
    message,
    sha256,
    facts.quoteGrams,
    facts.textGrams,
  );
  const ref = cachedStatement(db, 'INSERT INTO message_refs (ref, sha256) VALUES (?, ?)');
  for (const id of facts.references) ref.run(id, sha256);
}

/** Messages whose facts are missing or were collected by an older version of the collector. */
export function listMessagesNeedingFacts(db: Db, version: number): string[] {
  // The usual case, every message with current facts, is told by two counts over indexes (the
  // second over message_facts_version, migration 017).
  const messages = db.prepare('SELECT count(*) FROM messages').pluck().get() as number;
  const current = db.prepare('SELECT count(*) FROM message_facts WHERE version >= ?').pluck().get(version) as number;
  if (current === messages) return [];
  return db
    .prepare(
      `SELECT m.sha256 FROM messages m LEFT JOIN message_facts f ON f.sha256 = m.sha256
       WHERE f.sha256 IS NULL OR f.version < ? ORDER BY m.sha256`,
    )
    .pluck()
    .all(version) as string[];
}
