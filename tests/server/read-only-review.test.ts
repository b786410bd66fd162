// A database served read-only (write-protected media: `serve` falls back to read-only) answers a
// review with one sentence and 503, not an internal error; nothing is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.ts';
import { openDatabase, type Db } from '../../src/store/database.ts';
import { SECRET, cookiesOf, csrfFrom, seededApp, type TestApp } from './app-helpers.ts';

let seeded: TestApp;
let reader: Db;
let app: FastifyInstance;
beforeAll(async () => {
  seeded = await seededApp();
  reader = openDatabase(seeded.file, { mode: 'read' });
  app = await buildApp({ db: reader, secret: SECRET, checks: null });
});
afterAll(async () => {
  await app.close();
  reader.close();
  await seeded.app.close();
});

describe('reviews on a read-only database', () => {
  it('answer 503 with a plain sentence and store nothing', async () => {
    const page = await app.inject(`/messages/${seeded.ids.tampered}`);
    expect(page.statusCode).toBe(200);
    const res = await app.inject({
      method: 'POST',
      url: `/messages/${seeded.ids.tampered}/reviews`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookiesOf(page) },
      payload: new URLSearchParams({ _csrf: csrfFrom(page.body), decision: 'confirm', reviewer: 'Ana', note: 'x' }).toString(),
    });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ ok: false, error: { status: 503, code: 'database-unavailable' } });
    expect(res.json().error.message).toMatch(/the database cannot be written: it is read-only.*; nothing was saved/);
    expect(seeded.db.prepare('SELECT count(*) FROM reviews').pluck().get()).toBe(0);
  });
});
