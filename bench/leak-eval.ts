// Scores a leaktriage build on a generated leak (test-corpus/leak): imports DIR/dump with the key
// files of DIR/keys through the given CLI, exports NDJSON, joins the rows with DIR/truth.json on
// SHA-256 and prints a Markdown report — recall per forgery technique, false alarms per honest tag,
// validly signed mail that is (not) verified, and the reason codes behind false alarms and misses.
//
//   npx node bench/leak-eval.ts --dump DIR [--bin PATH/bin/leaktriage.js] [--db FILE] [--workers N] [--json]
//
// `evaluateLeak` runs the whole thing; `scoreLeak` is the pure scoring a test can call on rows.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

/** The part of truth.json the scoring reads (see test-corpus/leak/truth.ts). */
export interface TruthFile {
  generator: { seed: string; messages: number; version: number };
  messages: Record<
    string,
    | { sha256: string; kind: 'authentic'; tags: string[]; validlySigned: boolean }
    | { sha256: string; kind: 'forgery'; technique: string; note: string }
  >;
}

/** The export columns the scoring reads. */
export interface ExportRow {
  sha256: string;
  verdict: string;
  reasons: string | null;
  source_path?: string | null;
}

export interface Rate {
  n: number;
  hits: number;
  /** hits / n, 0 when n = 0. */
  rate: number;
}

export interface TechniqueScore {
  technique: string;
  n: number;
  flagged: number;
  recall: number;
  verdicts: Record<string, number>;
  /** Reason codes of the forgeries of this technique that were not flagged. */
  missReasons: Record<string, number>;
}

export interface TagScore {
  tag: string;
  n: number;
  flagged: number;
  rate: number;
  tampered: number;
  suspicious: number;
  reasons: Record<string, number>;
}

export interface LeakScore {
  messages: number;
  authentic: number;
  forgeries: number;
  /** Truth entries whose SHA-256 is not in the export (not imported, or failed). */
  missingFromExport: string[];
  /** Export rows that the truth does not know. */
  unknownRows: number;
  recall: Rate;
  forgeriesVerified: Rate;
  falseAlarms: Rate;
  validlySignedVerified: Rate;
  listModifiedTampered: Rate;
  verdicts: { authentic: Record<string, number>; forgery: Record<string, number> };
  techniques: TechniqueScore[];
  tags: TagScore[];
  falseAlarmReasons: Record<string, number>;
  missReasons: Record<string, number>;
}

const FLAGGED = new Set(['tampered', 'suspicious']);

function rate(n: number, hits: number): Rate {
  return { n, hits, rate: n === 0 ? 0 : hits / n };
}

function count(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

function codesOf(row: ExportRow): string[] {
  return (row.reasons ?? '')
    .split(';')
    .map((c) => c.trim())
    .filter(Boolean);
}

/** Joins truth and export rows on SHA-256 and counts. Pure: no I/O. */
export function scoreLeak(truth: TruthFile, rows: readonly ExportRow[]): LeakScore {
  const bySha = new Map<string, ExportRow>();
  for (const row of rows) bySha.set(row.sha256, row);
  // The same bytes at two paths are one message to leaktriage: score each distinct message once.
  const entries = new Map<string, TruthFile['messages'][string]>();
  for (const entry of Object.values(truth.messages)) entries.set(entry.sha256, entry);

  const score: LeakScore = {
    messages: entries.size,
    authentic: 0,
    forgeries: 0,
    missingFromExport: [],
    unknownRows: rows.filter((r) => !entries.has(r.sha256)).length,
    recall: rate(0, 0),
    forgeriesVerified: rate(0, 0),
    falseAlarms: rate(0, 0),
    validlySignedVerified: rate(0, 0),
    listModifiedTampered: rate(0, 0),
    verdicts: { authentic: {}, forgery: {} },
    techniques: [],
    tags: [],
    falseAlarmReasons: {},
    missReasons: {},
  };
  const techniques = new Map<string, TechniqueScore>();
  const tags = new Map<string, TagScore>();
  let flaggedForgeries = 0;
  let verifiedForgeries = 0;
  let flaggedAuthentic = 0;
  let validly = 0;
  let validlyVerified = 0;
  let listModified = 0;
  let listTampered = 0;

  for (const [sha, entry] of entries) {
    const row = bySha.get(sha);
    if (!row) {
      score.missingFromExport.push(sha);
      continue;
    }
    const flagged = FLAGGED.has(row.verdict);
    const codes = codesOf(row);
    if (entry.kind === 'forgery') {
      score.forgeries++;
      count(score.verdicts.forgery, row.verdict);
      let t = techniques.get(entry.technique);
      if (!t)
        techniques.set(entry.technique, (t = { technique: entry.technique, n: 0, flagged: 0, recall: 0, verdicts: {}, missReasons: {} }));
      t.n++;
      count(t.verdicts, row.verdict);
      if (flagged) {
        t.flagged++;
        flaggedForgeries++;
      } else {
        for (const c of codes.length ? codes : ['(none)']) {
          count(t.missReasons, c);
          count(score.missReasons, c);
        }
      }
      if (row.verdict === 'verified') verifiedForgeries++;
    } else {
      score.authentic++;
      count(score.verdicts.authentic, row.verdict);
      if (flagged) {
        flaggedAuthentic++;
        for (const c of codes.length ? codes : ['(none)']) count(score.falseAlarmReasons, c);
      }
      if (entry.validlySigned) {
        validly++;
        if (row.verdict === 'verified') validlyVerified++;
      }
      if (entry.tags.includes('list-modified')) {
        listModified++;
        if (row.verdict === 'tampered') listTampered++;
      }
      for (const tag of entry.tags) {
        let s = tags.get(tag);
        if (!s) tags.set(tag, (s = { tag, n: 0, flagged: 0, rate: 0, tampered: 0, suspicious: 0, reasons: {} }));
        s.n++;
        if (flagged) {
          s.flagged++;
          if (row.verdict === 'tampered') s.tampered++;
          else s.suspicious++;
          for (const c of codes) count(s.reasons, c);
        }
      }
    }
  }
  for (const t of techniques.values()) t.recall = t.n ? t.flagged / t.n : 0;
  for (const s of tags.values()) s.rate = s.n ? s.flagged / s.n : 0;
  score.techniques = [...techniques.values()].sort((a, b) => a.technique.localeCompare(b.technique));
  score.tags = [...tags.values()].sort((a, b) => b.n - a.n || a.tag.localeCompare(b.tag));
  score.recall = rate(score.forgeries, flaggedForgeries);
  score.forgeriesVerified = rate(score.forgeries, verifiedForgeries);
  score.falseAlarms = rate(score.authentic, flaggedAuthentic);
  score.validlySignedVerified = rate(validly, validlyVerified);
  score.listModifiedTampered = rate(listModified, listTampered);
  return score;
}

// ---------------------------------------------------------------------------------------------
// Running leaktriage

export interface EvaluateOptions {
  /** The generated leak's folder (with dump/, keys/, truth.json). */
  dump: string;
  /** The leaktriage CLI to measure (default: this checkout's bin/leaktriage.js). */
  bin?: string;
  /** Database file to import into (default: a temporary one, removed afterwards). Must not exist. */
  db?: string;
  workers?: number;
  /** Let the CLI's progress through to stderr. */
  verbose?: boolean;
}

export interface LeakEvaluation {
  dump: string;
  bin: string;
  seed: string;
  importSeconds: number;
  /** What the import printed on stdout (its summary). */
  importSummary: string;
  score: LeakScore;
}

const ROOT = resolve(import.meta.dirname, '..');

function run(bin: string, args: string[], cwd: string, verbose: boolean): { stdout: string; seconds: number } {
  const started = performance.now();
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', verbose ? 'inherit' : 'pipe'],
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) {
    throw new Error(
      `leaktriage ${args[0]} exited with ${result.status ?? result.signal}: ${(result.stderr ?? '').toString().slice(-2000)}`,
    );
  }
  return { stdout: result.stdout, seconds };
}

export async function evaluateLeak(options: EvaluateOptions): Promise<LeakEvaluation> {
  const dir = resolve(options.dump);
  const bin = resolve(options.bin ?? join(ROOT, 'bin/leaktriage.js'));
  const dumpDir = join(dir, 'dump');
  const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as TruthFile;
  const temp = options.db ? null : mkdtempSync(join(tmpdir(), 'leak-eval-'));
  const db = options.db ? resolve(options.db) : join(temp!, 'leak.sqlite');
  if (options.db && existsSync(db)) throw new Error(`${db} exists: give a new file (the evaluation imports into a fresh database)`);
  try {
    const keyArgs = readdirSync(join(dir, 'keys'))
      .sort()
      .flatMap((f) => ['--keys', join(dir, 'keys', f)]);
    // Imported from inside dump/ so that source paths read as the truth writes them.
    const entries = readdirSync(dumpDir).sort();
    const workers = options.workers !== undefined ? ['--workers', String(options.workers)] : [];
    const imported = run(bin, ['import', ...entries, '--db', db, ...keyArgs, ...workers], dumpDir, !!options.verbose);
    const out = join(temp ?? dir, `export-${process.pid}.ndjson`);
    run(bin, ['export', '--db', db, '--format', 'ndjson', '--out', out], dumpDir, !!options.verbose);
    const rows = readFileSync(out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ExportRow);
    if (!temp) rmSync(out, { force: true });
    return {
      dump: dir,
      bin,
      seed: truth.generator.seed,
      importSeconds: imported.seconds,
      importSummary: imported.stdout.trim(),
      score: scoreLeak(truth, rows),
    };
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// The report

const pct = (r: number): string => `${(100 * r).toFixed(1)} %`;
const top = (map: Record<string, number>, n = 4): string =>
  Object.entries(map)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([k, v]) => `${k} (${v})`)
    .join(', ') || '-';

export function formatReport(e: LeakEvaluation): string {
  const s = e.score;
  const lines = [
    '# leaktriage on a generated leak',
    '',
    `Dump \`${e.dump}\` (seed \`${e.seed}\`): ${s.messages} distinct messages, ${s.authentic} authentic, ${s.forgeries} forgeries. CLI \`${e.bin}\`; import took ${e.importSeconds.toFixed(1)} s.`,
    '',
    '| measure | value |',
    '|---|---|',
    `| forgeries flagged (tampered or suspicious) | ${pct(s.recall.rate)} (${s.recall.hits} / ${s.recall.n}) |`,
    `| forgeries verified (must be 0) | ${s.forgeriesVerified.hits} |`,
    `| authentic flagged (false alarms) | ${pct(s.falseAlarms.rate)} (${s.falseAlarms.hits} / ${s.falseAlarms.n}) |`,
    `| validly signed authentic verified | ${pct(s.validlySignedVerified.rate)} (${s.validlySignedVerified.hits} / ${s.validlySignedVerified.n}) |`,
    `| list-modified authentic called tampered | ${s.listModifiedTampered.hits} of ${s.listModifiedTampered.n} |`,
    `| messages of the truth missing from the export | ${s.missingFromExport.length} |`,
    `| export rows the truth does not know | ${s.unknownRows} |`,
    '',
    `Verdicts of authentic mail: ${top(s.verdicts.authentic, 5)}. Of forgeries: ${top(s.verdicts.forgery, 5)}.`,
    '',
    '## Forgeries by technique',
    '',
    '| technique | n | flagged | recall | verified | verdicts | reasons of the misses |',
    '|---|---:|---:|---:|---:|---|---|',
    ...s.techniques.map(
      (t) =>
        `| ${t.technique} | ${t.n} | ${t.flagged} | ${pct(t.recall)} | ${t.verdicts.verified ?? 0} | ${top(t.verdicts, 4)} | ${top(t.missReasons, 3)} |`,
    ),
    '',
    '## Authentic mail by honest tag',
    '',
    'A message has several tags; the rate is flagged / n for the tag.',
    '',
    '| tag | n | flagged | false-alarm rate | tampered | suspicious | reasons |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...s.tags.map((t) => `| ${t.tag} | ${t.n} | ${t.flagged} | ${pct(t.rate)} | ${t.tampered} | ${t.suspicious} | ${top(t.reasons, 3)} |`),
    '',
    '## Reason codes behind false alarms',
    '',
    '| code | authentic messages flagged with it |',
    '|---|---:|',
    ...Object.entries(s.falseAlarmReasons)
      .sort((a, b) => b[1] - a[1])
      .map(([c, n]) => `| ${c} | ${n} |`),
    '',
    '## Reason codes behind misses',
    '',
    '| code | forgeries not flagged with it |',
    '|---|---:|',
    ...Object.entries(s.missReasons)
      .sort((a, b) => b[1] - a[1])
      .map(([c, n]) => `| ${c} | ${n} |`),
    '',
    '## Import summary',
    '',
    '```',
    e.importSummary,
    '```',
    '',
  ];
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      dump: { type: 'string' },
      bin: { type: 'string' },
      db: { type: 'string' },
      workers: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.dump) {
    process.stderr.write('usage: leak-eval.ts --dump DIR [--bin PATH/bin/leaktriage.js] [--db FILE] [--workers N] [--json]\n');
    process.exit(2);
  }
  const evaluation = await evaluateLeak({
    dump: values.dump,
    ...(values.bin ? { bin: values.bin } : {}),
    ...(values.db ? { db: values.db } : {}),
    ...(values.workers ? { workers: Number(values.workers) } : {}),
    verbose: true,
  });
  process.stdout.write(values.json ? `${JSON.stringify(evaluation, null, 2)}\n` : formatReport(evaluation));
}
