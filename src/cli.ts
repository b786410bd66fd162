// The command line: the only place that prints. stdout carries data (summaries, exports, key
// lists); progress, warnings and errors go to stderr.
import { parseArgs } from 'node:util';
import { createWriteStream, accessSync, constants, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DatabaseError, openDatabase, rollbackWrite, translateError, WRITE_WAIT_MS } from './store/database.ts';
import type { Db, OpenMode } from './store/database.ts';
import { findLatestRunOfProcess, stopRunsOfProcess } from './store/runs-repo.ts';
import { insertKeys, listKeys } from './store/keys-repo.ts';
import { countVerdicts } from './store/messages-repo.ts';
import { readKeyFile, KeyFileError } from './verify/key-files.ts';
import { describeKey } from './verify/key-index.ts';
import { importPaths, MAX_WORKERS } from './pipeline/run-import.ts';
import { ArchivePassMemoryError } from './pipeline/archive-thread.ts';
import type { ImportProgress, ImportSummary } from './pipeline/run-import.ts';
import { EXPORT_FORMATS, type ExportFormat, type ExportTally } from './export/encode-rows.ts';
import { encodeVerdictExport } from './export/verdict-export.ts';
import { TOOL_VERSION } from './common/version.ts';
import { formatDuration, formatTime } from './common/time.ts';
import { encodeManifest } from './export/write-manifest.ts';
import { bundleFileName, writeBundle } from './export/bundle.ts';
import { getBundleEvidence } from './store/bundle-repo.ts';
import { transcribeVerification } from './verify/transcribe-verification.ts';
import { getRunManifest, iterateManifestHashes } from './store/manifest-repo.ts';
import { VERDICTS } from './model.ts';
import { HELP } from './cli-help.ts';

const DEFAULT_DB = './leaktriage.sqlite';

class UsageError extends Error {}

const out = (s: string): void => void process.stdout.write(s + '\n');
const err = (s: string): void => void process.stderr.write(s + '\n');

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      out(HELP.main ?? '');
      return command ? 0 : 2;
    }
    if (command === '--version') return (out(TOOL_VERSION), 0);
    if (rest.includes('--help') || rest.includes('-h')) {
      const key = command === 'keys' && rest[0] && !rest[0].startsWith('-') ? `keys ${rest[0]}` : command;
      const text = HELP[key] ?? HELP[command];
      if (!text) throw new UsageError(`unknown command "${command}"`);
      out(text);
      return 0;
    }
    switch (command) {
      case 'import':
        return await runImport(rest);
      case 'keys':
        return await runKeys(rest);
      case 'export':
        return await runExport(rest);
      case 'serve':
        return await runServe(rest);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`leaktriage: ${(e as Error).message}\nTry 'leaktriage ${command ?? ''} --help'.`);
      return 2;
    }
    if (e instanceof KeyFileError) {
      err(`leaktriage: ${e.message}`);
      return 1;
    }
    if (e instanceof ArchivePassMemoryError) {
      err(`leaktriage: ${sentence(e.message)}`);
      return 1;
    }
    const plain = translateError('the database', e);
    if (plain instanceof DatabaseError) {
      err(`leaktriage: ${sentence(plain.message)}`);
      return 1;
    }
    if ((e as NodeJS.ErrnoException).code === 'ENOSPC') {
      err(`leaktriage: the disk is full (${(e as Error).message}); the output is incomplete.`);
      return 1;
    }
    throw e;
  }
}

/**
 * Opens the database for a command. Only import and keys import may create one; writers queue
 * behind another writer (another import, the review server) and say so on stderr.
 */
function open(file: string | undefined, mode: OpenMode): Db {
  return openDatabase(file ?? DEFAULT_DB, {
    mode,
    busyTimeoutMs: mode === 'read' ? undefined : WRITE_WAIT_MS,
    onWait: (note) => err(`leaktriage: ${note}`),
  });
}

function sentence(message: string): string {
  return message.replace(/\.?$/, '.');
}

/** The inputs that do not exist or cannot be read, each said on stderr. */
function reportMissingInputs(paths: string[]): string[] {
  const missing: string[] = [];
  for (const path of paths) {
    try {
      statSync(path);
      accessSync(path, constants.R_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file or folder' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
      err(`leaktriage: ${path}: ${why}`);
      missing.push(path);
    }
  }
  return missing;
}

function importKeyFiles(db: Db, files: string[]): void {
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new KeyFileError(`cannot read key file ${file}: ${(e as Error).message}`);
    }
    const { records, ignored } = readKeyFile(text, file);
    const added = insertKeys(db, records);
    err(`keys: ${file}: ${records.length} record(s) read, ${added} new${ignored.length ? `, ${ignored.length} line(s) ignored` : ''}`);
    for (const i of ignored.slice(0, 5)) err(`  ignored: ${i}`);
    if (ignored.length > 5) err(`  … and ${ignored.length - 5} more`);
  }
}

async function runImport(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      keys: { type: 'string', multiple: true },
      dns: { type: 'string', default: 'off' },
      workers: { type: 'string' },
    },
  });
  if (positionals.length === 0) throw new UsageError('import needs at least one path');
  if (values.dns !== 'off' && values.dns !== 'live') throw new UsageError('--dns must be "off" or "live"');
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 0 || workers > MAX_WORKERS))
    throw new UsageError(
      `--workers must be an integer from 0 to ${MAX_WORKERS} (each analysis thread takes 100-150 MB at its peak on hostile input; more would take an import past 1 GB)`,
    );
  const missing = reportMissingInputs(positionals);
  if (missing.length === positionals.length) {
    err('leaktriage: none of the inputs could be read; nothing was imported.');
    return 1;
  }
  const dbFile = values.db ?? DEFAULT_DB;
  const db = open(dbFile, 'create');
  const controller = new AbortController();
  let interrupts = 0;
  // First Ctrl-C: finish the current batch and record the run as interrupted. A second one, or
  // SIGTERM, quits at once; the run is still recorded as stopped (what was committed stays).
  const quitNow = (reason: string, status: number): void => {
    try {
      // The import keeps a write transaction open between messages (pipeline/write-batch.ts): a
      // stop written into it would be lost at exit. Its uncommitted writes are dropped, as a kill
      // drops them, and the stop is committed on its own.
      rollbackWrite(db);
      stopRunsOfProcess(db, reason);
    } catch {
      // the database is failing; the next import marks the run as abandoned
    }
    process.exit(status);
  };
  const onSigint = (): void => {
    if (++interrupts > 1) return quitNow('stopped by the user (second Ctrl-C) before the end', 130);
    err('\nleaktriage: stopping after the current batch (Ctrl-C again to quit at once)…');
    controller.abort();
  };
  const onSigterm = (): void => quitNow('stopped by SIGTERM before the end', 143);
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  try {
    importKeyFiles(db, values.keys ?? []);
    if (values.dns === 'live')
      err('dns: live lookups are ON: every key not in the store is looked up in DNS, which the domain owner can see.');
    const tty = process.stderr.isTTY === true;
    let summary: ImportSummary;
    try {
      summary = await importPaths(db, positionals, {
        workers,
        dnsLive: values.dns === 'live',
        signal: controller.signal,
        onProgress: tty ? (p) => process.stderr.write(`\r${formatProgress(p)}\x1b[K`) : undefined,
      });
    } catch (e) {
      const plain = translateError(dbFile, e);
      if (!(plain instanceof DatabaseError)) throw e;
      if (tty) process.stderr.write('\n');
      err(`leaktriage: ${sentence(plain.message)}`);
      describeStoppedRun(db, plain.code);
      return 1;
    }
    if (tty) process.stderr.write('\n');
    printSummary(summary, dbFile, db);
    return summary.status === 'completed' ? 0 : 130;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    db.close();
  }
}

/** After an import stopped by a database failure (a full disk): what was kept and what to do. */
function describeStoppedRun(db: Db, code: string): void {
  let run;
  try {
    stopRunsOfProcess(db, code === 'db/full' ? 'stopped: the disk was full' : `stopped: ${code}`);
  } catch {
    // with a full disk even this may fail; the next import marks the run as abandoned
  }
  try {
    run = findLatestRunOfProcess(db);
  } catch {
    run = undefined;
  }
  const kept = run
    ? `Import run #${run.id} stopped; the ${run.messagesNew} new message(s) and ${run.failures + run.skipped} input record(s) written before that are kept, in whole batches.`
    : 'What was written before that is kept, in whole batches.';
  const next =
    code === 'db/full'
      ? 'Free some disk space and run the same command again: it completes the import without storing anything twice.'
      : 'Run the same command again to complete the import: nothing is stored twice.';
  err(`leaktriage: ${kept} ${next}`);
}

export function formatProgress(p: ImportProgress): string {
  const mb = (n: number): string => (n / 1e6).toFixed(1);
  const secs = p.elapsedMs / 1000;
  const rate = secs > 0 ? p.messagesSeen / secs : 0;
  const byteRate = secs > 0 ? p.bytesRead / secs : 0;
  const eta = byteRate > 0 && p.bytesTotal > p.bytesRead ? (p.bytesTotal - p.bytesRead) / byteRate : 0;
  return `${p.messagesSeen.toLocaleString('en')} messages · ${mb(p.bytesRead)} of ${mb(p.bytesTotal)} MB · ${rate.toFixed(0)} msg/s · ETA ${formatDuration(eta, 'clock')} · ${p.failures + p.skipped} not mail/failed`;
}

function printSummary(s: ImportSummary, dbFile: string, db: Db): void {
  const known = s.messagesSeen - s.messagesNew;
  out(
    `Import run #${s.runId} ${s.status} in ${formatDuration(s.elapsedMs / 1000, 'seconds')}: ${s.messagesSeen} message(s) read, ${s.messagesNew} new, ${known} already known or repeated; ${s.failures} failure(s), ${s.skipped} skipped.`,
  );
  // After the archive-wide checks, which may change verdicts of messages from earlier runs too.
  const all = new Map(countVerdicts(db).map((r) => [r.verdict, r.n]));
  const total = [...all.values()].reduce((a, n) => a + n, 0);
  out('');
  out(`Verdicts in ${dbFile} (${total} message(s)):`);
  for (const v of VERDICTS) out(`  ${v.padEnd(13)} ${String(all.get(v) ?? 0).padStart(7)}`);
  const codes = Object.entries(s.failuresByCode).sort((a, b) => b[1] - a[1]);
  if (codes.length) {
    out('');
    out('Inputs of this run that are not mail or failed (each stored with its reason):');
    for (const [code, n] of codes) out(`  ${code.padEnd(24)} ${String(n).padStart(5)}`);
  }
  out('');
  out(`Next: leaktriage export --db ${dbFile} --format csv   or   leaktriage serve --db ${dbFile}`);
}

async function runKeys(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { db: { type: 'string' } } });
  if (sub === 'import') {
    if (positionals.length === 0) throw new UsageError('keys import needs at least one key file');
    const db = open(values.db, 'create');
    try {
      importKeyFiles(db, positionals);
      out(`The key store now holds ${listKeys(db).length} key record(s).`);
    } finally {
      db.close();
    }
    return 0;
  }
  if (sub === 'list') {
    if (positionals.length) throw new UsageError('keys list takes no arguments');
    const db = open(values.db, 'read');
    try {
      const day = (t: number | null): string => formatTime(t, 'day', '-');
      out(['name', 'key', 'source', 'first_seen', 'last_seen', 'fetched', 'imported'].join('\t'));
      for (const k of listKeys(db)) {
        const d = describeKey(k.value);
        const key = k.dnsError ? `dns:${k.dnsError}` : d.revoked ? 'revoked' : `${d.keyType ?? '?'}-${d.keyBits ?? '?'}`;
        out([k.name, key, k.source, day(k.firstSeen), day(k.lastSeen), day(k.fetchedAt), k.importedAt.slice(0, 10)].join('\t'));
      }
    } finally {
      db.close();
    }
    return 0;
  }
  throw new UsageError('keys needs a subcommand: import or list');
}

async function runExport(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      verdict: { type: 'string', multiple: true },
      manifest: { type: 'string' },
      bundle: { type: 'string', multiple: true },
    },
  });
  if (values.manifest !== undefined) {
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    return exportManifest(values.db, values.manifest, values.out);
  }
  if (values.bundle !== undefined) return exportBundles(values.db, [...values.bundle, ...positionals], values.out);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (!values.format || !(EXPORT_FORMATS as readonly string[]).includes(values.format))
    throw new UsageError('--format must be csv, json or ndjson');
  for (const v of values.verdict ?? [])
    if (!(VERDICTS as readonly string[]).includes(v)) throw new UsageError(`--verdict must be one of ${VERDICTS.join(', ')}`);
  const db = open(values.db, 'read');
  try {
    // The messages whose final verdict is one of --verdict, oldest first; no row cap on the command line.
    const tally: ExportTally = { rows: 0, truncated: false };
    const text = Readable.from(encodeVerdictExport(db, { final: values.verdict }, 'date', values.format as ExportFormat, { tally }));
    if (values.out) {
      await pipeline(text, createWriteStream(values.out));
      err(`export: ${tally.rows} row(s) written to ${values.out}`);
    } else {
      await pipeline(text, process.stdout, { end: false });
    }
  } finally {
    db.close();
  }
  return 0;
}

/**
 * One evidence bundle per message, written into `outDir` (default: the current folder) as
 * evidence-<sha256>.zip. The name is made from the checked id, and the file is written beside its
 * final name and renamed over it, so a link planted under that name is replaced, never followed.
 */
async function exportBundles(dbFile: string | undefined, ids: string[], outDir: string | undefined): Promise<number> {
  if (ids.length === 0) throw new UsageError('--bundle needs the SHA-256 of at least one message');
  for (const id of ids)
    if (!/^[0-9a-fA-F]{64}$/.test(id)) throw new UsageError(`"${id}" is not a message id (the 64 hex digits of its SHA-256)`);
  const dir = resolve(outDir ?? '.');
  const db = open(dbFile, 'read');
  let missing = 0;
  try {
    mkdirSync(dir, { recursive: true });
    for (const id of ids.map((i) => i.toLowerCase())) {
      const evidence = getBundleEvidence(db, id);
      if (!evidence) {
        err(`leaktriage: there is no message ${id} in ${dbFile ?? DEFAULT_DB}.`);
        missing++;
        continue;
      }
      const transcript = await transcribeVerification(id, evidence.raw, evidence.keys, evidence.asOf);
      const bytes = await writeBundle(evidence, transcript);
      const target = join(dir, bundleFileName(id));
      const temporary = join(dir, `.${bundleFileName(id)}.${process.pid}.tmp`);
      writeFileSync(temporary, bytes, { flag: 'wx' });
      renameSync(temporary, target);
      err(`export: ${target} (${bytes.length} bytes; ${evidence.verdict})`);
    }
  } finally {
    db.close();
  }
  return missing ? 1 : 0;
}

/** An import run's manifest as JSON: the Merkle root and every message digest it covers. */
async function exportManifest(dbFile: string | undefined, run: string, outFile: string | undefined): Promise<number> {
  if (!/^\d{1,15}$/.test(run)) throw new UsageError('--manifest needs an import run number (see /-/imports or the import summary)');
  const db = open(dbFile, 'read');
  try {
    const manifest = getRunManifest(db, Number(run));
    if (!manifest) {
      err(`leaktriage: there is no import run #${run} in ${dbFile ?? DEFAULT_DB}.`);
      return 1;
    }
    const target: Writable = outFile ? createWriteStream(outFile) : process.stdout;
    await pipeline(Readable.from(encodeManifest(manifest, iterateManifestHashes(db, manifest.runId))), target, { end: !!outFile });
    if (outFile)
      err(`export: manifest of run #${manifest.runId} (${manifest.leaves} message(s), root ${manifest.root}) written to ${outFile}`);
  } finally {
    db.close();
  }
  return 0;
}

async function runServe(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
      token: { type: 'string' },
    },
  });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be a port number');
  const dbFile = values.db ?? DEFAULT_DB;
  const { startServer, WeakTokenError } = await import('./server/start-server.ts');
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({ dbFile, host: values.host!, port, token: values.token, onWait: (note) => err(`leaktriage: ${note}`) });
  } catch (e) {
    if (e instanceof WeakTokenError) throw new UsageError(e.message);
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL' && code !== 'EACCES') throw e;
    err(`leaktriage: cannot listen on ${values.host}:${port}: ${(e as Error).message}`);
    return 1;
  }
  const withToken = (url: string) => `${url}${server.token ? `?token=${server.token}` : ''}`;
  err(`leaktriage: review server on ${withToken(server.url)}`);
  for (const url of server.urls.slice(1)) err(`leaktriage:                also on ${withToken(url)}`);
  if (server.token) err(`leaktriage: access token (required on every request): ${server.token}`);
  if (server.readOnly)
    err('leaktriage: the database is read-only here (write-protected media?): pages and exports work, reviews cannot be saved.');
  err('leaktriage: Ctrl-C stops it.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await server.close();
  return 0;
}
