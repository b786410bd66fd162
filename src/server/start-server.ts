// Starts the review server: opens the database, builds the app, listens. Nothing else.
import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { DatabaseError, openDatabase } from '../store/database.ts';
import type { Db } from '../store/database.ts';
import { buildApp } from './app.ts';
import { tokenProblem } from './token-strength.ts';

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
  /** The first of `urls`. */
  url: string;
  /** Where other machines (or this one) can open the pages: the real addresses behind 0.0.0.0 or ::. */
  urls: string[];
  /** The token every request needs, null when none is required (loopback without --token). */
  token: string | null;
  /** The database could only be opened read-only (write-protected media): reviews cannot be saved. */
  readOnly: boolean;
  close(): Promise<void>;
}

/** A token the reviewer chose that is too weak to guard the dump; the message says what to do. */
export class WeakTokenError extends Error {
  override name = 'WeakTokenError';
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function urlOf(address: string, port: number): string {
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}/`;
}

/**
 * The addresses a wildcard host listens on, LAN addresses first: `0.0.0.0` cannot be opened from
 * another machine, and a printed URL must be one a colleague can type. IPv6 link-local addresses are
 * left out (they need a zone id that differs per machine).
 */
export function listenUrls(host: string, port: number, interfaces = networkInterfaces()): string[] {
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  if (!wildcard) return [urlOf(host, port)];
  const all = Object.values(interfaces).flatMap((list) => list ?? []);
  const wanted = all.filter((a) => (a.family === 'IPv4' || host === '::') && !(a.family === 'IPv6' && /^fe80:/i.test(a.address)));
  const external = wanted.filter((a) => !a.internal).map((a) => urlOf(a.address, port));
  const internal = wanted.filter((a) => a.internal).map((a) => urlOf(a.address, port));
  const urls = [...new Set([...external, ...internal])];
  return urls.length ? urls : [urlOf(host === '::' ? '::1' : '127.0.0.1', port)];
}

export async function startServer(opts: StartOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  if (opts.token !== undefined) {
    const problem = tokenProblem(opts.token);
    if (problem) throw new WeakTokenError(problem);
  }
  // 32 random bytes: 256 bits, comfortably above MIN_TOKEN_BITS even by the conservative estimate.
  const token = opts.token ?? (isLoopback(host) ? null : randomBytes(32).toString('base64url'));
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
  const urls = listenUrls(host, port);
  return { url: urls[0] ?? urlOf(host, port), urls, token, readOnly, close: () => app.close() };
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
