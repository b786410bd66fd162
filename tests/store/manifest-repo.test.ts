// Import-run manifests (issue 7): every message a run read, new or already known, and a Merkle root
// that this test recomputes with its own, recursive reading of RFC 6962 section 2.1.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../../src/store/database.ts';
import { importPaths } from '../../src/pipeline/run-import.ts';
import { getRunManifest, iterateManifestHashes, recordManifestEntries } from '../../src/store/manifest-repo.ts';
import { startRun } from '../../src/store/runs-repo.ts';
import { MerkleRootBuilder } from '../../src/common/merkle-root.ts';
import { buildApp } from '../../src/server/app.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'lt-manifest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (...parts: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();

/** RFC 6962 2.1, as written: MTH({}) = SHA-256(); MTH({d}) = SHA-256(0x00 || d); split at the largest power of two < n. */
function referenceRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return sha(Buffer.from([0]), leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha(Buffer.from([1]), referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

function rootOf(hexes: string[]): string {
  const b = new MerkleRootBuilder();
  for (const h of hexes) b.add(h);
  return b.root();
}

interface ManifestJson {
  run: number;
  status: string;
  sealed: boolean;
  leaves: number;
  merkle_root: string;
  sha256: string[];
}

describe('Merkle root', () => {
  it('equals the RFC 6962 tree hash for every size from 0 to 70 leaves', () => {
    for (let n = 0; n <= 70; n++) {
      const hexes = Array.from({ length: n }, () => randomBytes(32).toString('hex')).sort();
      expect(rootOf(hexes), `${n} leaves`).toBe(referenceRoot(hexes.map((h) => Buffer.from(h, 'hex'))).toString('hex'));
    }
    expect(rootOf([])).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('refuses leaves out of order or repeated, so one set of messages has one root', () => {
    const [a, b] = [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')].sort();
    const builder = new MerkleRootBuilder();
    builder.add(b!);
    expect(() => builder.add(a!)).toThrow(/ascending/);
    expect(() => rootOf([a!, a!])).toThrow(/once each/);
  });
});

describe('import run manifests', () => {
  it('lists every message a run read, new or already known, and seals a root anyone can recompute', async () => {
    const file = join(dir, 'demo.sqlite');
    const db = openDatabase(file);
    const first = await importPaths(db, [join(ROOT, 'test-corpus/demo')], { workers: 0, now: 1_732_000_000 });
    const second = await importPaths(db, [join(ROOT, 'test-corpus/demo/eml')], { workers: 0, now: 1_732_000_000 });
    expect(second.messagesNew).toBe(0);
    const all = db.prepare('SELECT sha256 FROM messages ORDER BY sha256').pluck().all() as string[];
    const fromEml = db
      .prepare('SELECT DISTINCT sha256 FROM sources WHERE path LIKE ? ORDER BY sha256')
      .pluck()
      .all(`${join(ROOT, 'test-corpus/demo/eml')}/%`) as string[];
    expect([...iterateManifestHashes(db, first.runId)]).toEqual(all);
    // The second run found nothing new: its manifest still lists what it saw.
    expect([...iterateManifestHashes(db, second.runId)]).toEqual(fromEml);
    for (const run of [first.runId, second.runId]) {
      const m = getRunManifest(db, run)!;
      expect(m.sealed).toBe(true);
      const leaves = [...iterateManifestHashes(db, run)];
      expect(m.leaves).toBe(leaves.length);
      expect(m.root).toBe(referenceRoot(leaves.map((h) => Buffer.from(h, 'hex'))).toString('hex'));
    }
    db.close();

    // Exported by the CLI and by the server, the same document; its root recomputes from its list.
    const cli = spawnSync(process.execPath, [join(ROOT, 'bin/leaktriage.js'), 'export', '--db', file, '--manifest', String(first.runId)], {
      encoding: 'utf8',
    });
    expect(cli.status, cli.stderr).toBe(0);
    const exported = JSON.parse(cli.stdout) as ManifestJson;
    expect(exported).toMatchObject({ run: first.runId, status: 'completed', sealed: true, leaves: all.length });
    expect(exported.sha256).toEqual(all);
    expect(exported.merkle_root).toBe(referenceRoot(exported.sha256.map((h) => Buffer.from(h, 'hex'))).toString('hex'));
    const reader = openDatabase(file, { mode: 'read' });
    const app = await buildApp({ db: reader });
    const page = await app.inject({ url: `/-/imports/${first.runId}/manifest.json` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toBe(cli.stdout);
    expect((await app.inject({ url: '/-/imports/99/manifest.json' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/-/imports' })).body).toContain(`href="/-/imports/${first.runId}/manifest.json"`);
    await app.close();
    reader.close();
  });

  it('gives an unfinished run a root computed over what it recorded, marked unsealed', () => {
    const db = openDatabase(join(dir, 'killed.sqlite'));
    const run = startRun(db, ['dump'], {}, 'test');
    const digests = [randomBytes(32).toString('hex'), randomBytes(32).toString('hex'), randomBytes(32).toString('hex')];
    recordManifestEntries(db, run, digests);
    const m = getRunManifest(db, run)!;
    expect(m).toMatchObject({ sealed: false, leaves: 3, status: 'running' });
    expect(m.root).toBe(referenceRoot(digests.sort().map((h) => Buffer.from(h, 'hex'))).toString('hex'));
    expect(getRunManifest(db, run + 1)).toBeUndefined();
    db.close();
  });

  it('the construction is documented where the export points', () => {
    const doc = readFileSync(join(ROOT, 'docs/chain-of-custody.md'), 'utf8');
    expect(doc).toContain('RFC 6962');
    expect(doc).toContain('SHA-256(0x00 || digest)');
  });
});
