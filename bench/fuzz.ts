// npm run fuzz: seeded hostile inputs from the test corpus (issue 9), imported in a child process.
// Asserts no crash, no hang (a time limit for the whole import), every input accounted for, and
// peak RSS under the budget. Not part of npm test (a small seeded slice is: tests/fuzz/fuzz-slice.test.ts).
//
//   npm run fuzz -- [--seed 1] [--count 10000] [--workers 2] [--scale 1] [--budget-mb 1024] [--timeout-s 1800] [--keep]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/store/database.ts';
import { commandRuntime } from './command-runtime.ts';
import { writeFuzzInputs } from './fuzz-inputs.ts';
import { checkAccounting } from './fuzz-check.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    count: { type: 'string', default: '10000' },
    workers: { type: 'string', default: '2' },
    scale: { type: 'string', default: '1' },
    'budget-mb': { type: 'string', default: '1024' },
    'timeout-s': { type: 'string', default: '1800' },
    keep: { type: 'boolean', default: false },
  },
});
const seed = Number(values.seed);
const count = Number(values.count);
const dir = mkdtempSync(join(tmpdir(), 'leaktriage-fuzz-'));
const inputDir = join(dir, 'inputs');
const dbFile = join(dir, 'fuzz.sqlite');

const t0 = Date.now();
const inputs = writeFuzzInputs(seed, count, inputDir, Number(values.scale));
const byMutation: Record<string, number> = {};
for (const i of inputs) byMutation[i.mutation] = (byMutation[i.mutation] ?? 0) + 1;
process.stderr.write(`fuzz: seed ${seed}: ${count} mutated messages in ${inputs.length} files (${Date.now() - t0} ms) in ${dir}\n`);
process.stderr.write(`fuzz: files per mutation ${JSON.stringify(byMutation)}\n`);

const t1 = Date.now();
// As the `leaktriage` command runs (its memory settings: bin/leaktriage.js).
const runtime = commandRuntime();
const child = spawn(
  process.execPath,
  [...runtime.execArgv, resolve(import.meta.dirname, 'fuzz-import.ts'), '--db', dbFile, '--input', inputDir, '--workers', values.workers],
  { stdio: ['ignore', 'pipe', 'inherit'], env: runtime.env },
);
let out = '';
child.stdout.on('data', (c: Buffer) => (out += c.toString()));
let hung = false;
let peakAtKillMb: number | null = null;
const timer = setTimeout(
  () => {
    hung = true;
    peakAtKillMb = readPeakRssMb(child.pid);
    child.kill('SIGKILL');
  },
  Number(values['timeout-s']) * 1000,
);
const code = await new Promise<number | null>((ok) => child.once('exit', ok));
clearTimeout(timer);
const seconds = (Date.now() - t1) / 1000;

const failures: string[] = [];
if (hung) failures.push(`the import did not finish within ${values['timeout-s']} s (a hang)`);
else if (code !== 0) failures.push(`the import crashed (exit ${code})`);
interface ChildReport {
  summary: { messagesSeen: number; messagesNew: number; failures: number; skipped: number; failuresByCode: Record<string, number> };
  maxRssMb: number;
}
const readReport = (): ChildReport | null => {
  try {
    return JSON.parse(out.trim().split('\n').at(-1) ?? '') as ChildReport;
  } catch {
    return null; // no report: the crash above says why
  }
};
const report = readReport();
const budget = Number(values['budget-mb']);
const peak = report?.maxRssMb ?? peakAtKillMb;
if (peak !== null && peak > budget) failures.push(`peak RSS ${peak} MB is over the budget of ${budget} MB`);
if (existsSync(dbFile)) {
  // What was committed is checked even after a crash or a hang: the batches before it must be whole.
  const db = openDatabase(dbFile, { mode: 'read' });
  const problems = checkAccounting(db, inputs);
  db.close();
  for (const p of problems.slice(0, 20)) failures.push(`${p.path} (${p.mutation}): ${p.problem}`);
  if (problems.length > 20) failures.push(`… and ${problems.length - 20} more inputs not accounted for`);
}
if (!report && peak !== null) process.stdout.write(`fuzz: peak RSS ${peak} MB when the import was stopped\n`);
if (report) {
  const s = report.summary;
  process.stdout.write(
    `fuzz: imported in ${seconds.toFixed(1)} s with ${values.workers} worker(s): ${s.messagesSeen} messages read, ${s.messagesNew} new, ` +
      `${s.failures} failures, ${s.skipped} skipped; peak RSS ${report.maxRssMb} MB\n` +
      `fuzz: records by code ${JSON.stringify(s.failuresByCode)}\n`,
  );
}
if (!values.keep) rmSync(dir, { recursive: true, force: true });
if (failures.length) {
  process.stdout.write(`fuzz: FAILED\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
  process.exitCode = 1;
} else {
  process.stdout.write(`fuzz: passed: no crash, no hang, all ${inputs.length} inputs accounted for\n`);
}

/** Peak resident memory of a running process (Linux VmHWM), in MB; null where /proc cannot tell. */
function readPeakRssMb(pid: number | undefined): number | null {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}
