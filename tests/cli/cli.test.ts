// The command line as a user meets it: run as a child process through bin/leaktriage.js, so the
// README's commands, the help texts and the exit codes are what these tests see.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { HELP } from '../../src/cli-help.ts';
import { waitForServeUrl } from '../helpers/serve-url.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'lt-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/leaktriage.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('leaktriage command line', () => {
  it('runs the README demo command and prints the verdict summary on stdout', () => {
    const db = join(dir, 'demo.sqlite');
    const r = run('import', 'test-corpus/demo', '--db', db, '--keys', 'test-corpus/keys/demo.zone');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Import run #1 completed/);
    for (const v of ['verified', 'tampered', 'suspicious', 'unverifiable']) expect(r.stdout).toMatch(new RegExp(`^  ${v} +\\d+$`, 'm'));
    expect(r.stdout).toContain('input/empty');
    expect(r.stderr).toContain('keys: test-corpus/keys/demo.zone: 6 record(s) read');
    // Not a terminal: no progress line.
    expect(r.stderr).not.toContain('msg/s');
    // The README shows this very output: its verdict counts are the ones the demo gives.
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const shown = /## Run the demo[\s\S]*?Verdicts in demo\.sqlite \(\d+ message\(s\)\):\n((?: {2}\w+ +\d+\n)+)/.exec(readme)?.[1];
    const counted = /Verdicts in .*\n((?: {2}\w+ +\d+\n)+)/.exec(r.stdout)?.[1];
    expect(shown).toBeDefined();
    expect(counted).toBe(shown);
  });

  it('exports csv, json and ndjson with the same rows, and filters by verdict', () => {
    const db = join(dir, 'demo.sqlite');
    const csv = run('export', '--db', db, '--format', 'csv');
    const doc = JSON.parse(run('export', '--db', db, '--format', 'json').stdout) as {
      columns: string[];
      rows: Record<string, unknown>[];
      truncated: boolean;
    };
    expect(doc).toMatchObject({ ok: true, truncated: false });
    const json = doc.rows;
    const nd = run('export', '--db', db, '--format', 'ndjson')
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(csv.stdout.split('\r\n')[0]).toBe(
      'sha256,source_path,source_count,mailbox,role,message_id,from,subject,date,verdict,reasons,summary,dkim,arc,key_source,as_of,as_of_source,documents,review_decision,review_verdict,reviewer,review_note,reviewed_at,final_verdict',
    );
    expect(json).toHaveLength(35);
    expect(doc.columns.join(',')).toBe(csv.stdout.split('\r\n')[0]);
    expect(nd).toEqual(json);
    const tampered = (
      JSON.parse(run('export', '--db', db, '--format', 'json', '--verdict', 'tampered').stdout) as { rows: { verdict: string }[] }
    ).rows;
    expect(tampered.length).toBeGreaterThan(0);
    expect(tampered.every((r) => r.verdict === 'tampered')).toBe(true);
    const out = join(dir, 'out.csv');
    const toFile = run('export', '--db', db, '--format', 'csv', '--out', out);
    expect(toFile.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(csv.stdout);
  });

  it('imports and lists keys', () => {
    const db = join(dir, 'keys.sqlite');
    expect(run('keys', 'import', 'test-corpus/keys/archive.json', '--db', db).code).toBe(0);
    const list = run('keys', 'list', '--db', db).stdout.trim().split('\n');
    expect(list[0]).toBe('name\tkey\tsource\tfirst_seen\tlast_seen\tfetched\timported');
    expect(list[1]).toMatch(/^rot2023\._domainkey\.campaign\.example\trsa-2048\tarchive:archive\.json\t2023-05-02\t2024-03-01\t-\t/);
  });

  it('answers usage errors with exit 2 and a hint, and bad files with exit 1', () => {
    expect(run('import').code).toBe(2);
    expect(run('export', '--format', 'xml').stderr).toMatch(/--format must be csv, json or ndjson/);
    expect(run('frobnicate').code).toBe(2);
    const many = run('import', 'test-corpus/demo', '--db', join(dir, 'many.sqlite'), '--workers', '4');
    expect(many.code).toBe(2);
    expect(many.stderr).toMatch(
      /--workers must be an integer from 0 to 3 \(each analysis thread takes 100-150 MB at its peak on hostile input; more would take an import past 1 GB\)/,
    );
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ nope');
    const r = run('keys', 'import', bad, '--db', join(dir, 'k2.sqlite'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not valid JSON/);
  });

  it('starts, run as a program, with the memory settings of its first line', () => {
    // What `npx leaktriage` does: the kernel reads the first line, env sets the variables and starts
    // node with the flag. A preloaded script reports what the process got.
    const probe = join(dir, 'probe.cjs');
    writeFileSync(
      probe,
      'process.stderr.write(JSON.stringify([process.execArgv, process.env.MALLOC_ARENA_MAX, process.env.GLIBC_TUNABLES]) + "\\n");',
    );
    const r = spawnSync(join(ROOT, 'bin/leaktriage.js'), ['--version'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}`, NODE_OPTIONS: `--require "${probe}"` },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^leaktriage \d/);
    expect(JSON.parse(r.stderr.split('\n')[0]!)).toEqual([
      ['--max-semi-space-size=16'],
      '2',
      'glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=4194304:glibc.malloc.trim_threshold=33554432',
    ]);
  });

  it('prints help for every command', () => {
    for (const args of [
      ['--help'],
      ['import', '--help'],
      ['keys', '--help'],
      ['keys', 'import', '--help'],
      ['keys', 'list', '--help'],
      ['export', '--help'],
      ['serve', '--help'],
    ]) {
      const r = run(...args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(100);
    }
  });
});

describe('leaktriage serve', () => {
  it('serves the database on loopback, prints where on stderr, and stops on Ctrl-C', async () => {
    const db = join(dir, 'demo.sqlite');
    const child = spawn(process.execPath, [join(ROOT, 'bin/leaktriage.js'), 'serve', '--db', db, '--port', '0'], { cwd: ROOT });
    const { url } = await waitForServeUrl(child);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Overview');
    const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('refuses an empty or guessable token with a sentence that says how to make one', () => {
    const db = join(dir, 'demo.sqlite');
    for (const token of ['', 'letmein']) {
      const r = run('serve', '--db', db, '--host', '0.0.0.0', '--port', '0', '--token', token);
      expect(r.code, token).toBe(2);
      expect(r.stderr, token).toMatch(/access token .*at least 128 are needed.*openssl rand -base64 32/s);
    }
  });

  it('refuses to serve a database that does not exist', () => {
    const r = run('serve', '--db', join(dir, 'missing.sqlite'), '--port', '0');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no database at/);
  });
});

describe('README, --help and CI stay true', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');

  it('shows the same usage lines as --help', () => {
    const usage = HELP.main!.split('\n')
      .filter((l) => l.startsWith('  leaktriage '))
      .map((l) => l.trim());
    for (const line of usage) expect(readme).toContain(line);
  });

  it('has one setup and one test command, and .ci/run runs exactly those', () => {
    const block = (heading: string) => new RegExp(`## ${heading}[\\s\\S]*?\`\`\`sh\\n([^\\n]+)\\n\`\`\``).exec(readme)?.[1];
    expect(block('Setup')).toBe('npm ci');
    expect(block('Test')).toBe('npm test');
    const commands = ci.split('\n').filter((l) => l && !l.startsWith('#') && !/^\s/.test(l) && /^npm /.test(l));
    expect(commands).toEqual(['npm ci', 'npm test']);
  });

  it('names only npm scripts and files that exist', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const m of readme.matchAll(/npm run ([a-z:-]+)/g)) expect(pkg.scripts[m[1]!], m[0]).toBeDefined();
    for (const m of readme.matchAll(/\]\(((?:docs|src|tests)\/[^)]+)\)/g))
      expect(() => readFileSync(join(ROOT, m[1]!)), m[1]).not.toThrow();
    for (const m of readme.matchAll(/npx node (?:--expose-gc )?(bench\/[a-z-]+\.ts)/g))
      expect(() => readFileSync(join(ROOT, m[1]!)), m[1]).not.toThrow();
  });
});

describe('progress line', () => {
  it('shows messages, MB read of the total, rate and ETA', async () => {
    const { formatProgress } = await import('../../src/cli.ts');
    const line = formatProgress({
      messagesSeen: 12408,
      bytesRead: 1_841_200_000,
      bytesTotal: 9_012_700_000,
      elapsedMs: 30_000,
      messagesNew: 0,
      sourcesNew: 0,
      failures: 2,
      skipped: 1,
    });
    expect(line).toBe('12,408 messages · 1841.2 of 9012.7 MB · 414 msg/s · ETA 0:01:57 · 3 not mail/failed');
  });
});
