// Starts the review server: opens the database, builds the app, listens. Nothing else.
import { randomBytes } from 'node:crypto';
import { DatabaseError, openDatabase } from '../store/database.ts';
import type { Db } from '../store/database.ts';
import { buildApp } from './app.ts';

export interface StartOptions {
  dbFile: string;
  host?: string;
  port?: number;
  /** Access token; generated when listening on a non-loopback address and none is given. */
  token?: string;
  /** Told when a review waits for another writer (an import). */
  onWait?: (note: string) => void;
}

export interface RunningServer {
  url: string;
  /** The token every request needs, null when none is required (loopback without --token). */
  token: string | null;
  /** The database could only be opened read-only (write-protected media): reviews cannot be saved. */
  readOnly: boolean;
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export async function startServer(opts: StartOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? (isLoopback(host) ? null : randomBytes(24).toString('base64url'));
  const { db, readOnly } = openForReview(opts.dbFile, opts.onWait);
  const app = await buildApp({
    db,
    token,
    closeDb: true,
    // Logs go to stderr: stdout carries data only.
    logger: { level: 'warn', stream: process.stderr },
  });
  try {
    await app.listen({ host, port: opts.port ?? 8080 });
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 8080);
  const shown = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${shown}:${port}/`, token, readOnly, close: () => app.close() };
}

/** Reviews are written when the database can be; evidence on write-protected media is still served, read-only. */
function openForReview(file: string, onWait?: (note: string) => void): { db: Db; readOnly: boolean } {
  try {
    return { db: openDatabase(file, { mode: 'update', onWait }), readOnly: false };
  } catch (error) {
    if (!(error instanceof DatabaseError) || error.code !== 'db/read-only') throw error;
    return { db: openDatabase(file, { mode: 'read' }), readOnly: true };
  }
}
