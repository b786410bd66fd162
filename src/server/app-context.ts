// What every route module gets: the database and the server's secrets and registries.
import type { MessageCheck } from '../model.ts';

/** What the checks page shows of a check, per-message or archive-wide. */
export type CheckDoc = Pick<MessageCheck, 'id' | 'title' | 'codes'>;
import type { Db } from '../store/database.ts';

export interface AppContext {
  db: Db;
  /** Key of the CSRF tokens' HMAC (per server process unless given). */
  secret: Buffer;
  /** The checks and their codes (null: none, the checks page then lists the codes found in the database). */
  checks: readonly CheckDoc[] | null;
}
