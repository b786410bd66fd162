// Evidence bundles (issue 7): what is inside, that it re-verifies with mailauth's own command line
// from the bundle alone, that the bytes are the same on every build and in every time zone, and
// that the CLI writes nothing outside its output folder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { openDatabase, type Db } from '../../src/store/database.ts';
import { importPaths } from '../../src/pipeline/run-import.ts';
import { insertKeys } from '../../src/store/keys-repo.ts';
import { readKeyFile } from '../../src/verify/key-files.ts';
import { getBundleEvidence } from '../../src/store/bundle-repo.ts';
import { transcribeVerification } from '../../src/verify/transcribe-verification.ts';
import { bundleFileName, writeBundle } from '../../src/export/bundle.ts';
import type { VerificationTranscript } from '../../src/common/verification-transcript.ts';
import { buildApp } from '../../src/server/app.ts';
import { readZipEntries } from '../helpers/read-zip.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/leaktriage.js');
const require = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'lt-bundle-'));
const dbFile = join(dir, 'demo.sqlite');
let db: Db;
let verified: string;
let tampered: string;

beforeAll(async () => {
  db = openDatabase(dbFile);
  insertKeys(db, readKeyFile(readFileSync(join(ROOT, 'test-corpus/keys/demo.zone'), 'utf8'), 'demo.zone').records);
  await importPaths(db, [join(ROOT, 'test-corpus/demo')], { workers: 0, now: 1_732_000_000 });
  const pick = (v: string): string =>
    db
      .prepare("SELECT sha256 FROM messages WHERE verdict = ? AND signature_count = 1 AND reasons LIKE 'dkim/%' ORDER BY sha256 LIMIT 1")
      .pluck()
      .get(v) as string;
  verified = pick('verified');
  tampered = pick('tampered');
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function bundle(sha: string): Promise<{ zip: Buffer; files: Map<string, Buffer>; transcript: VerificationTranscript }> {
  const evidence = getBundleEvidence(db, sha)!;
  const transcript = await transcribeVerification(sha, evidence.raw, evidence.keys, evidence.asOf);
  const zip = await writeBundle(evidence, transcript);
  return { zip, files: await readZipEntries(zip), transcript };
}

describe('evidence bundle', () => {
  it('holds the exact bytes, the transcript, the findings, the keys and a README', async () => {
    const { files } = await bundle(tampered);
    expect([...files.keys()]).toEqual(['README.md', 'message.eml', 'verification.json', 'findings.json', 'keys.zone', 'dns-cache.json']);
    const raw = db.prepare('SELECT raw FROM full_messages WHERE sha256 = ?').pluck().get(tampered) as Buffer;
    expect(files.get('message.eml')!.equals(raw)).toBe(true);
    expect(createHash('sha256').update(files.get('message.eml')!).digest('hex')).toBe(tampered);
    const t = JSON.parse(files.get('verification.json')!.toString()) as VerificationTranscript;
    const s = t.signatures[0]!;
    expect(s.result).toBe('fail');
    expect(s.bodyHash.result).toBe('fail');
    expect(s.bodyHash.computed).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(s.bodyHash.computed).not.toBe(s.bodyHash.expected);
    expect(s.bodyHash.expected).toBe(s.tags.bh);
    expect(s.canonicalization).toEqual({ header: 'relaxed', body: 'relaxed' });
    expect(s.key?.source).toBe('zone:demo.zone');
    expect(t.asOfSource).toBe('received');
    const findings = JSON.parse(files.get('findings.json')!.toString()) as {
      verdict: string;
      findings: { code: string }[];
      summary: string;
    };
    expect(findings.verdict).toBe('tampered');
    expect(findings.findings.map((f) => f.code)).toContain('dkim/body-hash-mismatch');
    const readme = files.get('README.md')!.toString();
    expect(readme).toContain(`sha256sum message.eml      # must print ${tampered}`);
    expect(readme).toContain('npx mailauth report --dns-cache dns-cache.json message.eml');
    expect(readme).toMatch(/dkimpy[\s\S]*dnsfunc/);
    expect(readme).toContain('## What the as-of time means');
  });

  it("a verified message's transcript agrees with the verdict stored at import, and its keys import back", async () => {
    const { files, transcript } = await bundle(verified);
    const s = transcript.signatures[0]!;
    expect(s.result).toBe('pass');
    expect(s.bodyHash.computed).toBe(s.bodyHash.expected);
    const stored = db.prepare('SELECT result FROM signatures WHERE sha256 = ? AND idx = 0').pluck().get(verified);
    expect(s.result).toBe(stored);
    const back = readKeyFile(files.get('keys.zone')!.toString(), 'keys.zone').records;
    expect(back.map((k) => k.value)).toEqual([s.key!.record]);
    const cache = readKeyFile(files.get('dns-cache.json')!.toString(), 'dns-cache.json').records;
    expect(cache.map((k) => [k.name, k.value])).toEqual([[s.key!.name, s.key!.record]]);
  });

  it("re-verifies with mailauth's command line from the bundle alone (its --dns-cache, no network)", async () => {
    const { files } = await bundle(verified);
    const out = mkdtempSync(join(dir, 'unpacked-'));
    for (const [name, data] of files) writeFileSync(join(out, name), data);
    const cli = join(dirname(require.resolve('mailauth/package.json')), 'bin/mailauth.js');
    const r = spawnSync(process.execPath, [cli, 'report', '--dns-cache', 'dns-cache.json', 'message.eml'], { cwd: out, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      dkim: { results: { status: { result: string }; bodyHash: string; bodyHashExpecting: string }[] };
    };
    expect(report.dkim.results[0]!.status.result).toBe('pass');
    const t = JSON.parse(files.get('verification.json')!.toString()) as VerificationTranscript;
    expect(report.dkim.results[0]!.bodyHash).toBe(t.signatures[0]!.bodyHash.computed);
  });

  it('gives the same bytes on every build, from the CLI, the server and in any time zone', async () => {
    const first = (await bundle(verified)).zip;
    expect((await bundle(verified)).zip.equals(first)).toBe(true);
    for (const tz of ['UTC', 'Pacific/Kiritimati', 'America/St_Johns']) {
      const out = join(dir, `cli-${tz.replace('/', '-')}`);
      const r = spawnSync(process.execPath, [BIN, 'export', '--db', dbFile, '--bundle', verified, '--out', out], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, TZ: tz },
      });
      expect(r.status, r.stderr).toBe(0);
      expect(readdirSync(out)).toEqual([bundleFileName(verified)]);
      expect(readFileSync(join(out, bundleFileName(verified))).equals(first), tz).toBe(true);
    }
    const app = await buildApp({ db });
    const res = await app.inject({ url: `/messages/${verified}/bundle.zip` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toContain(bundleFileName(verified));
    expect(res.rawPayload.equals(first)).toBe(true);
    expect((await app.inject({ url: `/messages/${'0'.repeat(64)}/bundle.zip` })).statusCode).toBe(404);
    await app.close();
  });

  it('writes only into the output folder: a link planted under the bundle name is replaced, its target untouched', () => {
    const out = join(dir, 'out-links');
    mkdirSync(out);
    const outside = join(dir, 'precious.txt');
    writeFileSync(outside, 'keep me');
    symlinkSync(outside, join(out, bundleFileName(tampered)));
    const r = spawnSync(process.execPath, [BIN, 'export', '--db', dbFile, '--bundle', tampered, verified.toUpperCase(), '--out', out], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(outside, 'utf8')).toBe('keep me');
    expect(readdirSync(out).sort()).toEqual([bundleFileName(tampered), bundleFileName(verified)].sort());
    expect(readdirSync(dir).filter((f) => f.endsWith('.zip') || f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses an id that is not a SHA-256 (exit 2) and names a message that is not there (exit 1)', () => {
    const bad = spawnSync(process.execPath, [BIN, 'export', '--db', dbFile, '--bundle', '../../etc/passwd'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('is not a message id');
    const out = join(dir, 'out-missing');
    const missing = spawnSync(process.execPath, [BIN, 'export', '--db', dbFile, '--bundle', 'a'.repeat(64), '--out', out], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`there is no message ${'a'.repeat(64)}`);
    expect(readdirSync(out)).toEqual([]);
  });
});

describe("the README's dkimpy recipe", () => {
  // dkimpy is not a dependency: the recipe runs where a python3 with it is installed (Debian:
  // python3-dkim), and is skipped, saying so, elsewhere.
  const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import dkim']).status === 0);
  it.skipIf(!python)(`gives dkimpy's answer from the bundle alone${python ? '' : ' (skipped: no python3 with dkimpy here)'}`, async () => {
    for (const [sha, expected] of [
      [verified, /^signature 1 pass$/m],
      [tampered, /^signature 1 fail: body hash mismatch/m],
    ] as const) {
      const { files } = await bundle(sha);
      const out = mkdtempSync(join(dir, 'dkimpy-'));
      for (const [name, data] of files) writeFileSync(join(out, name), data);
      const script = /python3 - <<'PY'\n([\s\S]*?)\nPY/.exec(files.get('README.md')!.toString())![1]!;
      const r = spawnSync(python!, ['-'], { cwd: out, input: script, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(expected);
    }
  });
});
