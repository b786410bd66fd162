// A conversation as the thread page shows it: the messages linked to one message by Message-ID,
// In-Reply-To and References, found through the indexes on message_id and in_reply_to.
import type { Db } from './database.ts';
import type { VerdictName } from '../model.ts';
import { withSnapshot } from './transaction.ts';

/** One message of a thread, with what links it to the others. */
export interface ThreadMessage {
  sha256: string;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  fromAddress: string | null;
  fromName: string | null;
  subject: string | null;
  dateHeader: string | null;
  dateEpoch: number | null;
  verdict: VerdictName;
  summary: string;
  bodyText: string | null;
}

/** A thread larger than this is cut (a mailing list's whole archive can share one References root). */
export const MAX_THREAD = 300;

const COLUMNS = `sha256, message_id AS messageId, in_reply_to AS inReplyTo,
  json_extract(parsed, '$.references') AS refs, from_address AS fromAddress, from_name AS fromName, subject,
  date_header AS dateHeader, date_epoch AS dateEpoch, verdict, summary, substr(body_text, 1, 4000) AS bodyText`;

function read(row: Record<string, unknown>): ThreadMessage {
  let references: string[] = [];
  try {
    const v: unknown = typeof row.refs === 'string' ? JSON.parse(row.refs) : [];
    if (Array.isArray(v)) references = v.filter((x): x is string => typeof x === 'string');
  } catch {
    references = [];
  }
  const { refs: _refs, ...rest } = row;
  return { ...(rest as Omit<ThreadMessage, 'references'>), references };
}

/**
 * The messages of the thread around `sha256` (undefined when there is no such message): every message
 * whose Message-ID it names or that answers one of the thread's Message-IDs, found by widening the set
 * until it stops growing or reaches `limit` (then `truncated`). A message that names its parent only in
 * References (no In-Reply-To) is found from above only when that parent is in the set.
 */
export function getThread(db: Db, sha256: string, limit = MAX_THREAD): { messages: ThreadMessage[]; truncated: boolean } | undefined {
  return withSnapshot(db, () => {
    const first = db.prepare(`SELECT ${COLUMNS} FROM full_messages WHERE sha256 = ?`).get(sha256) as Record<string, unknown> | undefined;
    if (!first) return undefined;
    const byId = db.prepare(`SELECT ${COLUMNS} FROM full_messages WHERE message_id = ? LIMIT ?`);
    const answers = db.prepare(`SELECT ${COLUMNS} FROM full_messages WHERE in_reply_to = ? LIMIT ?`);
    const found = new Map<string, ThreadMessage>();
    const asked = new Set<string>();
    const queue: string[] = [];
    const add = (m: ThreadMessage) => {
      if (found.has(m.sha256) || found.size >= limit) return;
      found.set(m.sha256, m);
      for (const id of [m.messageId, m.inReplyTo, ...m.references]) if (id && !asked.has(id)) queue.push(id);
    };
    add(read(first));
    let truncated = false;
    while (queue.length) {
      const id = queue.shift() as string;
      if (asked.has(id)) continue;
      asked.add(id);
      for (const stmt of [byId, answers]) {
        for (const row of stmt.all(id, limit) as Record<string, unknown>[]) {
          if (found.size >= limit && !found.has(row.sha256 as string)) truncated = true;
          add(read(row));
        }
      }
      if (asked.size > limit * 4) {
        truncated = true;
        break;
      }
    }
    return { messages: [...found.values()], truncated };
  });
}
