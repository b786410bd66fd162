// What every route module gets: the database and the server's secrets and registries.
import type { MessageCheck } from '../model.ts';
import type { Db } from '../store/database.ts';

export interface AppContext {
  db: Db;
  /** Key of the CSRF tokens' HMAC (per server process unless given). */
  secret: Buffer;
  /** The check registry (null: none, the checks page then lists the codes found in the database). */
  checks: readonly MessageCheck[] | null;
}
