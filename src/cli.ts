// The command line: the only place that prints. stdout carries data (summaries, exports, key
// lists); progress, warnings and errors go to stderr.
import { parseArgs } from 'node:util';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openDatabase, UnknownMigrationError } from './store/database.ts';
import type { Db } from './store/database.ts';
import { insertKeys, listKeys } from './store/keys-repo.ts';
import { countVerdicts } from './store/messages-repo.ts';
import { readKeyFile, KeyFileError } from './verify/key-files.ts';
import { describeKey } from './verify/key-index.ts';
import { importPaths } from './pipeline/run-import.ts';
import type { ImportProgress, ImportSummary } from './pipeline/run-import.ts';
import { EXPORT_FORMATS, type ExportFormat, type ExportTally } from './export/encode-rows.ts';
import { encodeVerdictExport } from './export/verdict-export.ts';
import { TOOL_VERSION } from './common/version.ts';
import { formatDuration, formatTime } from './common/time.ts';
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
    if (e instanceof UnknownMigrationError || e instanceof KeyFileError) {
      err(`leaktriage: ${(e as Error).message}`);
      return 1;
    }
    throw e;
  }
}

function open(db: string | undefined): Db {
  return openDatabase(db ?? DEFAULT_DB);
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
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 0 || workers > 64))
    throw new UsageError('--workers must be an integer from 0 to 64');
  const dbFile = values.db ?? DEFAULT_DB;
  const db = open(dbFile);
  try {
    importKeyFiles(db, values.keys ?? []);
    if (values.dns === 'live')
      err('dns: live lookups are ON: every key not in the store is looked up in DNS, which the domain owner can see.');
    const controller = new AbortController();
    let interrupts = 0;
    const onSigint = (): void => {
      if (++interrupts > 1) process.exit(130);
      err('\nleaktriage: stopping after the current batch (Ctrl-C again to quit at once)…');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    const tty = process.stderr.isTTY === true;
    const summary = await importPaths(db, positionals, {
      workers,
      dnsLive: values.dns === 'live',
      signal: controller.signal,
      onProgress: tty ? (p) => process.stderr.write(`\r${formatProgress(p)}\x1b[K`) : undefined,
    });
    process.off('SIGINT', onSigint);
    if (tty) process.stderr.write('\n');
    printSummary(summary, dbFile, db);
    return summary.status === 'completed' ? 0 : 130;
  } finally {
    db.close();
  }
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
    const db = open(values.db);
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
    const db = open(values.db);
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
    options: { db: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, verdict: { type: 'string', multiple: true } },
  });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (!values.format || !(EXPORT_FORMATS as readonly string[]).includes(values.format))
    throw new UsageError('--format must be csv, json or ndjson');
  for (const v of values.verdict ?? [])
    if (!(VERDICTS as readonly string[]).includes(v)) throw new UsageError(`--verdict must be one of ${VERDICTS.join(', ')}`);
  const db = openDatabase(values.db ?? DEFAULT_DB);
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
  if (!existsSync(dbFile)) {
    err(`leaktriage: no database at ${dbFile} (run leaktriage import first)`);
    return 1;
  }
  const { startServer, WeakTokenError } = await import('./server/start-server.ts');
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({ dbFile, host: values.host!, port, token: values.token });
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
  err('leaktriage: Ctrl-C stops it.');
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await server.close();
  return 0;
}
