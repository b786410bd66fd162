// Defects of issue 9, each reproduced through the command line as a user meets it: a wrong --db,
// missing inputs, read-only media, a full disk, stop signals, two imports at once. Every refusal is
// one sentence on stderr (no stack trace), exit 1, and nothing changed.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/database.ts';
import { createRequire } from 'node:module';
import { ROOT, runUnprivileged, startUnprivileged, whyNoUnprivilegedUser } from '../helpers/unprivileged.ts';
import { waitForServeUrl } from '../helpers/serve-url.ts';
import { expectCountsMatchRecount } from '../helpers/summary-state.ts';

const require = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'lt-harden-'));
chmodSync(dir, 0o755);
/** Mounted test disks, unmounted before the folder goes (a skipped suite runs no hook of its own). */
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) spawnSync('umount', [m]);
  rmSync(dir, { recursive: true, force: true });
});

const BIN = join(ROOT, 'bin/leaktriage.js');

function run(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** One plain sentence: no stack trace, no "SqliteError". */
function expectOneSentence(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/SqliteError|TypeError|node:internal/);
  expect(stderr.trim().split('\n')).toHaveLength(1);
}

/** An mbox of `n` small distinct messages: enough work for an import to be caught running. */
function writeMbox(file: string, n: number): void {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    parts.push(
      `From sender@example.org Mon Jan  1 10:00:00 2024\nFrom: Sender <sender@example.org>\nTo: r@example.net\n` +
        `Subject: note ${i}\nDate: Mon, 1 Jan 2024 10:00:00 +0000\nMessage-ID: <n${i}@example.org>\n\nThis is note ${i}.\n\n`,
    );
  }
  writeFileSync(file, parts.join(''));
}

const demoDb = join(dir, 'demo.sqlite');
function importDemo(db: string = demoDb): void {
  if (existsSync(db)) return;
  expect(run('import', 'test-corpus/demo', '--db', db, '--keys', 'test-corpus/keys/demo.zone', '--workers', '0').code).toBe(0);
}

describe('only import and keys import create a database', () => {
  it.each([
    ['export', '--format', 'csv'],
    ['serve', '--port', '0'],
    ['keys', 'list'],
  ])('%s refuses a missing --db, exit 1, and creates nothing', (...args) => {
    const d = mkdtempSync(join(dir, 'typo-'));
    const r = run(...args, '--db', join(d, 'typo.sqlite'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/there is no database at .*typo\.sqlite; only "leaktriage import" and "leaktriage keys import" create one/);
    expectOneSentence(r.stderr);
    expect(readdirSync(d)).toEqual([]);
  });
});

describe('--db that is not a leaktriage database', () => {
  it('refuses a text file, an image, a folder and a foreign SQLite file in one sentence, leaving them as they were', () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'Meeting notes\n');
    const jpeg = join(dir, 'photo.jpg');
    copyFileSync(join(ROOT, 'test-corpus/demo/photos', readdirSync(join(ROOT, 'test-corpus/demo/photos'))[0]!), jpeg);
    const folder = mkdtempSync(join(dir, 'folder-'));
    const foreign = join(dir, 'foreign.sqlite');
    const other = spawnSync(process.execPath, [
      '-e',
      `const D=require(${JSON.stringify(require.resolve('better-sqlite3'))});const d=new D(${JSON.stringify(foreign)});d.pragma('journal_mode=delete');d.exec('CREATE TABLE contacts (name TEXT)');d.close()`,
    ]);
    expect(other.status).toBe(0);
    for (const [db, why] of [
      [text, /is not a leaktriage database \(it is a text file\)/],
      [jpeg, /is not a leaktriage database \(it is a JPEG image\)/],
      [folder, /is a folder, not a database file/],
      [foreign, /SQLite database of another program \(its tables are contacts\)/],
    ] as const) {
      const before = db === folder ? null : readFileSync(db);
      for (const args of [
        ['import', 'test-corpus/demo/eml'],
        ['export', '--format', 'csv'],
        ['keys', 'list'],
      ]) {
        const r = run(...args, '--db', db);
        expect(r.code, `${args[0]} ${db}`).toBe(1);
        expect(r.stderr).toMatch(why);
        expectOneSentence(r.stderr);
        expect(r.stdout).toBe('');
      }
      if (before) expect(readFileSync(db).equals(before)).toBe(true);
    }
    expect(readdirSync(folder)).toEqual([]);
    expect(readdirSync(dir).filter((f) => /-(wal|shm|journal)$/.test(f))).toEqual([]);
  });
});

describe('inputs that do not exist', () => {
  it('says so on stderr and exits 1 without creating a database when no input can be read', () => {
    const db = join(dir, 'none.sqlite');
    const r = run('import', join(dir, 'no-such-dump'), join(dir, 'no-such.mbox'), '--db', db);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`leaktriage: ${join(dir, 'no-such-dump')}: no such file or folder`);
    expect(r.stderr).toContain('none of the inputs could be read; nothing was imported');
    expect(existsSync(db)).toBe(false);
  });

  it('names a missing input among good ones and imports the rest', () => {
    const r = run('import', 'test-corpus/demo/eml', join(dir, 'typo'), '--db', join(dir, 'some.sqlite'), '--workers', '0');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`leaktriage: ${join(dir, 'typo')}: no such file or folder`);
    expect(r.stdout).toMatch(/input\/not-found +1/);
  });
});

/** Serves `db` as nobody on a free port, fetches the overview, stops the server. */
async function serveOnce(db: string): Promise<{ status: number; stderr: string }> {
  const child = startUnprivileged(['serve', '--db', db, '--port', '0']);
  const { url, stderr } = await waitForServeUrl(child);
  const status = (await fetch(url)).status;
  const exited = new Promise((ok) => child.once('exit', ok));
  // runuser passes SIGTERM on to the server (not SIGINT); serve stops on either.
  child.kill('SIGTERM');
  await exited;
  return { status, stderr: stderr() };
}

describe('a database on read-only media', () => {
  const why = whyNoUnprivilegedUser();
  it.skipIf(why !== null)(
    `export, keys list and serve read it in place; import refuses it in one sentence, unchanged${why ? ` (skipped: ${why})` : ''}`,
    async () => {
      const media = join(dir, 'evidence-disk');
      mkdirSync(media);
      const db = join(media, 'case.sqlite');
      importDemo(db);
      chmodSync(db, 0o444);
      chmodSync(media, 0o555);
      const before = readFileSync(db);
      try {
        const exported = runUnprivileged(['export', '--db', db, '--format', 'json']);
        expect(exported.stderr).toBe('');
        expect(exported.status).toBe(0);
        expect(JSON.parse(exported.stdout).rows).toHaveLength(35);
        const keys = runUnprivileged(['keys', 'list', '--db', db]);
        expect(keys.status).toBe(0);
        expect(keys.stdout.split('\n').length).toBeGreaterThan(5);
        const served = await serveOnce(db);
        expect(served.stderr).toContain('the database is read-only here');
        expect(served.status).toBe(200);
        const imported = runUnprivileged(['import', join(ROOT, 'test-corpus/generated'), '--db', db]);
        expect(imported.status).toBe(1);
        expect(imported.stderr).toMatch(/case\.sqlite cannot be written: the database file is read-only .*nothing was changed/);
        expectOneSentence(imported.stderr);
        expect(readFileSync(db).equals(before)).toBe(true);
        expect(readdirSync(media)).toEqual(['case.sqlite']);
      } finally {
        chmodSync(media, 0o755);
      }
    },
  );
});

describe('a full disk', () => {
  // A real full disk: a 6 MiB tmpfs (an empty database takes 2.7 MB with its 64 KiB pages). Mounting
  // needs root and a system that allows it.
  const mountPoint = join(dir, 'small-disk');
  mkdirSync(mountPoint);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mountPoint]).status === 0;
  if (mounted) mounts.push(mountPoint);

  it.skipIf(!mounted)(
    `stops with one sentence, says what was kept, and a re-run completes${mounted ? '' : ' (skipped: cannot mount a small tmpfs here)'}`,
    () => {
      const mbox = join(dir, 'many.mbox');
      writeMbox(mbox, 3000);
      const db = join(mountPoint, 'full.sqlite');
      const r = run('import', mbox, '--db', db, '--workers', '0');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^leaktriage: the disk holding .*full\.sqlite is full\.$/m);
      expect(r.stderr).toMatch(
        /Import run #1 stopped; the \d+ new message\(s\) .* are kept, in whole batches\. Free some disk space and run the same command again/,
      );
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(spawnSync('mount', ['-o', 'remount,size=64m', mountPoint]).status).toBe(0);
      const again = run('import', mbox, '--db', db, '--workers', '0');
      expect(again.code).toBe(0);
      const check = openDatabase(db, { mode: 'read' });
      expect(check.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(3000);
      // The first run is recorded as stopped (or failed, when the pipeline could still write that).
      expect(check.prepare('SELECT status FROM import_runs ORDER BY id').pluck().all()).toEqual([
        expect.stringMatching(/interrupted|failed/),
        'completed',
      ]);
      check.close();
    },
  );
});

describe('stop signals', () => {
  async function startAndSignal(signals: NodeJS.Signals[], name: string): Promise<{ code: number | null; db: string }> {
    const mbox = join(dir, `${name}.mbox`);
    // Long enough that the import commits by time (WRITE_BATCH_MS) before its end, so that the signal
    // lands while it holds the next write transaction open.
    writeMbox(mbox, 20_000);
    const db = join(dir, `${name}.sqlite`);
    const child = spawn(process.execPath, [BIN, 'import', mbox, '--db', db, '--workers', '2'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    // Wait until the run is recorded and has written a batch.
    for (let i = 0; i < 600; i++) {
      await new Promise((ok) => setTimeout(ok, 50));
      if (!existsSync(db)) continue;
      try {
        const probe = openDatabase(db, { mode: 'read' });
        const seen = probe.prepare("SELECT messages_new FROM import_runs WHERE status = 'running'").pluck().get() as number | undefined;
        probe.close();
        if (seen !== undefined && seen > 0) break;
      } catch {
        // still being created
      }
    }
    const [first, ...more] = signals;
    child.kill(first);
    if (more.length) {
      // The second Ctrl-C while the first is still finishing its batch.
      for (let i = 0; i < 200 && !stderr.includes('stopping after the current batch'); i++) await new Promise((ok) => setTimeout(ok, 5));
      for (const s of more) child.kill(s);
    }
    return { code: await exited, db };
  }

  it.each([
    [['SIGTERM'] as NodeJS.Signals[], 143, 'stopped by SIGTERM before the end'],
    [['SIGINT', 'SIGINT'] as NodeJS.Signals[], 130, 'stopped by the user (second Ctrl-C) before the end'],
  ])('%j marks the run stopped at once instead of leaving it running', async (signals, exitCode, reason) => {
    const { code, db } = await startAndSignal(signals, signals.join('-'));
    expect(code).toBe(exitCode);
    const check = openDatabase(db, { mode: 'read' });
    expect(check.prepare('SELECT status, error FROM import_runs').get()).toEqual({ status: 'interrupted', error: reason });
    check.close();
  });
});

describe('two imports into one database', () => {
  it('queue for the write lock and both complete (regression: "database is locked")', async () => {
    const db = join(dir, 'two.sqlite');
    const a = join(dir, 'a.mbox');
    const b = join(dir, 'b.mbox');
    writeMbox(a, 800);
    writeFileSync(b, readFileSync(a, 'latin1').replaceAll('note ', 'memo '), 'latin1');
    openDatabase(db).close();
    const start = (input: string) =>
      new Promise<{ code: number | null; stderr: string }>((ok) => {
        const child = spawn(process.execPath, [BIN, 'import', input, '--db', db, '--workers', '1'], { cwd: ROOT });
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.once('exit', (code) => ok({ code, stderr }));
      });
    const [ra, rb] = await Promise.all([start(a), start(b)]);
    expect(ra.stderr).not.toMatch(/locked|SqliteError/);
    expect(rb.stderr).not.toMatch(/locked|SqliteError/);
    expect([ra.code, rb.code]).toEqual([0, 0]);
    const check = openDatabase(db, { mode: 'read' });
    expect(check.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(1600);
    // Each import's archive pass ran while the other may still have been writing: the counts hold.
    expectCountsMatchRecount(check);
    check.close();
  });
});
