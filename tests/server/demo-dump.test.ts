// The whole chain on real data: the demo dump imported through the pipeline, then every message of
// it through the review server. Each page renders, each raw download is the exact bytes (its
// SHA-256 is the id), each attachment is the part the parser hashed, and the hostile HTML message
// is served under a CSP that forbids scripts and remote loads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/common/sha256.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openDatabase } from '../../src/store/database.ts';
import type { Db } from '../../src/store/database.ts';
import { insertKeys } from '../../src/store/keys-repo.ts';
import { readKeyFile } from '../../src/verify/key-files.ts';
import { importPaths } from '../../src/pipeline/run-import.ts';
import { buildApp } from '../../src/server/app.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'lt-demo-server-'));
let db: Db;
let app: FastifyInstance;

beforeAll(async () => {
  db = openDatabase(join(dir, 'demo.sqlite'));
  insertKeys(db, readKeyFile(readFileSync(join(ROOT, 'test-corpus/keys/demo.zone'), 'utf8'), 'demo.zone').records);
  await importPaths(db, [join(ROOT, 'test-corpus/demo')], { workers: 1 });
  app = await buildApp({ db, closeDb: true });
}, 60_000);

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (url: string) => app.inject({ method: 'GET', url, headers: { host: '127.0.0.1:8080' } });

describe('the demo dump in the review server', () => {
  it('renders the overview, the queue and every message page with its JSON twin', async () => {
    expect((await get('/')).statusCode).toBe(200);
    const queue = await get('/messages.json?_size=1000');
    expect(queue.statusCode).toBe(200);
    const shas = db.prepare('SELECT sha256 FROM messages').pluck().all() as string[];
    expect(shas).toHaveLength(35);
    for (const sha of shas) {
      const page = await get(`/messages/${sha}`);
      expect(page.statusCode, sha).toBe(200);
      const json = await get(`/messages/${sha}.json`);
      expect(json.statusCode, sha).toBe(200);
    }
  });

  it('serves the exact stored bytes: the SHA-256 of every raw download is the message id', async () => {
    for (const sha of db.prepare('SELECT sha256 FROM messages').pluck().all() as string[]) {
      const raw = await get(`/messages/${sha}/raw`);
      expect(raw.statusCode).toBe(200);
      expect(sha256Hex(raw.rawPayload)).toBe(sha);
    }
  });

  it('serves each attachment as the part the parser hashed', async () => {
    const rows = db.prepare('SELECT sha256, idx, content_sha256 FROM attachments').all() as {
      sha256: string;
      idx: number;
      content_sha256: string;
    }[];
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      const res = await get(`/messages/${r.sha256}/attachments/${r.idx}`);
      expect(res.statusCode).toBe(200);
      expect(sha256Hex(res.rawPayload)).toBe(r.content_sha256);
    }
  });

  it('serves the hostile HTML body under a CSP that forbids scripts and remote loads', async () => {
    const sha = db
      .prepare("SELECT sha256 FROM full_messages WHERE html_chars IS NOT NULL AND CAST(raw AS TEXT) LIKE '%tracker.example%'")
      .pluck()
      .get() as string;
    expect(sha).toBeDefined();
    const html = await get(`/messages/${sha}/html`);
    expect(html.statusCode).toBe(200);
    const csp = String(html.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain('sandbox');
    expect(csp).not.toMatch(/script-src[^;]*(unsafe|https?:)/);
    expect(csp).not.toMatch(/img-src[^;]*https?:/);
    const page = (await get(`/messages/${sha}`)).body;
    expect(page).toMatch(/<iframe[^>]*sandbox/);
    expect(page).not.toMatch(/<script[^>]*>[^<]*tracker/);
  });
});
