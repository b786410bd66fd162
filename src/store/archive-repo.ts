// Queries for the archive-wide checks: copies sharing a Message-ID, replies and their parents.
import type { Db } from './database.ts';
import type { ArchiveMessage, VerdictName } from '../model.ts';

interface Row {
  sha256: string;
  message_id: string | null;
  verdict: VerdictName;
  subject: string | null;
  from_address: string | null;
  date_header: string | null;
  date_epoch: number | null;
  body_text?: string | null;
  in_reply_to: string | null;
}

function toArchiveMessage(r: Row): ArchiveMessage {
  return {
    sha256: r.sha256,
    messageId: r.message_id,
    verdict: r.verdict,
    subject: r.subject,
    from: r.from_address,
    dateHeader: r.date_header,
    dateEpoch: r.date_epoch,
    bodyText: r.body_text ?? null,
    inReplyTo: r.in_reply_to,
  };
}

const LIGHT = 'sha256, message_id, verdict, subject, from_address, date_header, date_epoch, in_reply_to';

/** Groups of messages that share a Message-ID but not their bytes (read whole, before any write). */
export function listSharedMessageIdGroups(db: Db): ArchiveMessage[][] {
  const ids = db
    .prepare('SELECT message_id FROM messages WHERE message_id IS NOT NULL GROUP BY message_id HAVING count(*) > 1')
    .pluck()
    .all() as string[];
  const copies = db.prepare(`SELECT ${LIGHT}, body_text FROM messages WHERE message_id = ? ORDER BY sha256`);
  return ids.map((id) => (copies.all(id) as Row[]).map(toArchiveMessage));
}

/** Replies whose In-Reply-To names a message of the archive, with that parent. */
export function listRepliesWithParents(db: Db): { reply: ArchiveMessage; parent: ArchiveMessage }[] {
  const cols = LIGHT.split(', ');
  const rows = db
    .prepare(
      `SELECT ${cols.map((c) => `r.${c} AS r_${c}`).join(', ')}, ${cols.map((c) => `p.${c} AS p_${c}`).join(', ')}
       FROM messages r JOIN messages p ON p.message_id = r.in_reply_to
       WHERE r.in_reply_to IS NOT NULL AND r.date_epoch IS NOT NULL AND p.date_epoch IS NOT NULL`,
    )
    .all() as Record<string, unknown>[];
  const pick = (row: Record<string, unknown>, prefix: string): ArchiveMessage =>
    toArchiveMessage(Object.fromEntries(cols.map((c) => [c, row[prefix + c]])) as unknown as Row);
  return rows.map((row) => ({ reply: pick(row, 'r_'), parent: pick(row, 'p_') }));
}

/** Every message that has findings of these checks, so stale ones can be cleared. */
export function listMessagesWithChecks(db: Db, checkIds: string[]): string[] {
  return db
    .prepare(`SELECT DISTINCT sha256 FROM findings WHERE check_id IN (${checkIds.map(() => '?').join(',')})`)
    .pluck()
    .all(...checkIds) as string[];
}
