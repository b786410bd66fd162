// The server reads a database that an import is still writing (WAL): each request sees what has
// landed, and no read transaction outlives its request.
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.ts';
import { openDatabase } from '../../src/store/database.ts';
import { updateRunCounts } from '../../src/store/runs-repo.ts';
import { SECRET } from './app-helpers.ts';
import { seedReviewDb } from '../helpers/review-corpus.ts';
import { insertFixture, openFixtureDb } from '../helpers/fixture-db.ts';

describe('reading while an import writes', () => {
  it('shows new messages and progress at once and leaves the writer free to checkpoint', async () => {
    const { db: serverDb, file } = openFixtureDb();
    seedReviewDb(serverDb);
    const app = await buildApp({ db: serverDb, secret: SECRET, checks: null });
    const importer = openDatabase(file);
    const running = (importer.prepare("SELECT id FROM import_runs WHERE status = 'running'").get() as { id: number }).id;

    expect((await app.inject('/messages.json')).json().total).toBe(9);
    const sha = insertFixture(importer, running, { subject: 'landed just now', date: 'Wed, 15 Mar 2023 10:00:00 +0000' });
    updateRunCounts(importer, running, { bytesRead: 900_000, messagesSeen: 43, messagesNew: 1, sourcesNew: 1, failures: 0, skipped: 0 });

    expect((await app.inject('/messages.json')).json().total).toBe(10);
    expect((await app.inject('/messages.json?q=landed')).json().rows[0].sha256).toBe(sha);
    const overview = (await app.inject('/.json')).json();
    expect(overview.total).toBe(10);
    expect(overview.runs[0]).toMatchObject({ status: 'running', bytesRead: 900_000, messagesSeen: 43 });
    expect((await app.inject('/messages.csv')).body.split('\r\n').filter(Boolean)).toHaveLength(11);
    expect((await app.inject(`/messages/${sha}`)).statusCode).toBe(200);

    // A checkpoint that must wait for no reader: the server holds no snapshot between requests.
    expect(importer.pragma('wal_checkpoint(TRUNCATE)')).toEqual([{ busy: 0, log: 0, checkpointed: 0 }]);
    importer.close();
    await app.close();
    serverDb.close();
  });
});
