// Reviewers' decisions: appended, never updated, so the history of a message's review is kept.
import type { Db } from './database.ts';
import type { VerdictName } from '../model.ts';
import { column, readRow, selectList, type RowCodec } from './row-codec.ts';
import { withoutMessageKeyChecks } from './message-key.ts';

export const REVIEW_DECISIONS = ['confirm', 'override'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

export interface ReviewInput {
  sha256: string;
  decision: ReviewDecision;
  /** For an override: the reviewer's verdict. A confirmation takes the machine verdict. */
  verdict: VerdictName | null;
  note: string;
  reviewer: string;
}

/** A recorded decision. */
export interface Review {
  id: number;
  sha256: string;
  decision: ReviewDecision;
  /** The verdict the reviewer settled on (for a confirmation, the machine verdict at that moment). */
  verdict: VerdictName;
  note: string;
  reviewer: string;
  /** ISO time. */
  createdAt: string;
}

const REVIEW_CODEC: RowCodec<Review> = {
  id: column('id'),
  sha256: column('sha256'),
  decision: column('decision'),
  verdict: column('verdict'),
  note: column('note'),
  reviewer: column('reviewer'),
  createdAt: column('created_at'),
};

/**
 * Records a decision; undefined when the message does not exist. A confirmation stores the machine
 * verdict as it is at this moment, so a later re-verification cannot change what was confirmed.
 */
export function insertReview(db: Db, r: ReviewInput, now: Date = new Date()): Review | undefined {
  // The SELECT is the check that the message exists, also while an import has its key away.
  const info = withoutMessageKeyChecks(db, () =>
    db
      .prepare(
        `INSERT INTO reviews (sha256, decision, verdict, note, reviewer, created_at)
       SELECT sha256, ?, CASE WHEN ? = 'confirm' THEN verdict ELSE ? END, ?, ?, ?
       FROM messages WHERE sha256 = ?`,
      )
      .run(r.decision, r.decision, r.verdict, r.note, r.reviewer, now.toISOString(), r.sha256),
  );
  if (info.changes === 0) return undefined;
  const row = db.prepare(`SELECT ${selectList(REVIEW_CODEC)} FROM reviews WHERE id = ?`).get(info.lastInsertRowid) as Record<
    string,
    unknown
  >;
  return readRow(REVIEW_CODEC, row);
}

/** A message's decisions, newest first. */
export function listReviews(db: Db, sha256: string): Review[] {
  const rows = db.prepare(`SELECT ${selectList(REVIEW_CODEC)} FROM reviews WHERE sha256 = ? ORDER BY id DESC`).all(sha256) as Record<
    string,
    unknown
  >[];
  return rows.map((r) => readRow(REVIEW_CODEC, r));
}
