// Builds the exact app over a seeded database, and speaks to it like a browser would.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp, type AppOptions } from '../../src/server/app.ts';
import type { Db } from '../../src/store/database.ts';
import { seedReviewDb, type SeededIds } from '../helpers/review-corpus.ts';
import { openFixtureDb } from '../helpers/fixture-db.ts';

export const SECRET = Buffer.alloc(32, 7);

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  file: string;
  ids: SeededIds;
}

export async function seededApp(opts: Partial<AppOptions> = {}): Promise<TestApp> {
  const { db, file } = openFixtureDb();
  const ids = seedReviewDb(db);
  const app = await buildApp({ db, secret: SECRET, checks: null, closeDb: true, ...opts });
  return { app, db, file, ids };
}

/** Cookies set by a response, as a Cookie header value. */
export function cookiesOf(res: LightMyRequestResponse): string {
  const set = res.headers['set-cookie'];
  const list = set === undefined ? [] : Array.isArray(set) ? set : [set];
  return list.map((c) => c.split(';')[0]).join('; ');
}

/** The CSRF form token written into a page. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no CSRF token on the page');
  return m[1];
}
