// Reviewers' decisions: appended, never updated, so the history of a message's review is kept.
import type { Db } from './database.ts';

export const REVIEW_DECISIONS = ['confirm', 'override'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

export interface ReviewInput {
  sha256: string;
  decision: ReviewDecision;
  /** For an override: the reviewer's verdict. A confirmation takes the machine verdict. */
  verdict: string | null;
  note: string;
  reviewer: string;
}

export interface ReviewRow {
  id: number;
  sha256: string;
  decision: ReviewDecision;
  verdict: string;
  note: string;
  reviewer: string;
  created_at: string;
}

/**
 * Records a decision; undefined when the message does not exist. A confirmation stores the machine
 * verdict as it is at this moment, so a later re-verification cannot change what was confirmed.
 */
export function insertReview(db: Db, r: ReviewInput, now: Date = new Date()): ReviewRow | undefined {
  const info = db
    .prepare(
      `INSERT INTO reviews (sha256, decision, verdict, note, reviewer, created_at)
       SELECT sha256, ?, CASE WHEN ? = 'confirm' THEN verdict ELSE ? END, ?, ?, ?
       FROM messages WHERE sha256 = ?`,
    )
    .run(r.decision, r.decision, r.verdict, r.note, r.reviewer, now.toISOString(), r.sha256);
  if (info.changes === 0) return undefined;
  return db.prepare('SELECT * FROM reviews WHERE id = ?').get(info.lastInsertRowid) as ReviewRow;
}

/** A message's decisions, newest first. */
export function listReviews(db: Db, sha256: string): ReviewRow[] {
  return db.prepare('SELECT * FROM reviews WHERE sha256 = ? ORDER BY id DESC').all(sha256) as ReviewRow[];
}
