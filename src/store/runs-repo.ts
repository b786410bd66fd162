// Import runs and the failure records of their inputs.
import { cachedStatement } from './database.ts';
import type { Db } from './database.ts';
import type { InputFailure } from '../model.ts';
import { column, insertSql, readRow, rowValues, selectList, type RowCodec } from './row-codec.ts';
import { isProcessAlive } from '../common/process-alive.ts';

export interface RunCounts {
  bytesRead: number;
  messagesSeen: number;
  messagesNew: number;
  sourcesNew: number;
  failures: number;
  skipped: number;
}

export type RunStatus = 'running' | 'completed' | 'interrupted' | 'failed';

/** An import run as recorded: what it was given, how far it got, how it ended. */
export interface ImportRun {
  id: number;
  /** ISO times. */
  startedAt: string;
  finishedAt: string | null;
  status: RunStatus;
  /** The paths given on the command line. */
  inputs: string[];
  /** The options that shape results (dns, workers). */
  options: Record<string, unknown>;
  toolVersion: string;
  pid: number | null;
  /** Measured before reading, for the ETA; null until known. */
  bytesTotal: number | null;
  bytesRead: number;
  messagesSeen: number;
  messagesNew: number;
  sourcesNew: number;
  failures: number;
  skipped: number;
  updatedAt: string | null;
  error: string | null;
}

const RUN_CODEC: RowCodec<ImportRun> = {
  id: column('id'),
  startedAt: column('started_at'),
  finishedAt: column('finished_at'),
  status: column('status'),
  inputs: { column: 'inputs', read: (v) => readJsonList(v) },
  options: { column: 'options', read: (v) => JSON.parse(String(v)) as Record<string, unknown> },
  toolVersion: column('tool_version'),
  pid: column('pid'),
  bytesTotal: column('bytes_total'),
  bytesRead: column('bytes_read'),
  messagesSeen: column('messages_seen'),
  messagesNew: column('messages_new'),
  sourcesNew: column('sources_new'),
  failures: column('failures'),
  skipped: column('skipped'),
  updatedAt: column('updated_at'),
  error: column('error'),
};

function readJsonList(v: unknown): string[] {
  const list: unknown = JSON.parse(String(v));
  return Array.isArray(list) ? list.map(String) : [String(v)];
}

/** An input of a run that failed or was skipped (not mail), as recorded. */
export interface StoredFailure extends InputFailure {
  id: number;
  runId: number;
  kind: 'failure' | 'skipped';
  /** The message the failure concerns, when it got that far. */
  sha256: string | null;
  /** ISO time. */
  createdAt: string;
}

const FAILURE_CODEC: RowCodec<StoredFailure> = {
  id: column('id'),
  runId: column('run_id'),
  kind: column('kind'),
  path: column('path'),
  offset: column('offset'),
  code: column('code'),
  reason: column('reason'),
  sha256: column('sha256'),
  createdAt: column('created_at'),
};

const { id: _failureId, ...NEW_FAILURE_CODEC } = FAILURE_CODEC;

export function startRun(db: Db, inputs: string[], options: object, toolVersion: string): number {
  const info = cachedStatement(
    db,
    `INSERT INTO import_runs (started_at, status, inputs, options, tool_version, pid, updated_at)
       VALUES (?, 'running', ?, ?, ?, ?, ?)`,
  ).run(nowIso(), JSON.stringify(inputs), JSON.stringify(options), toolVersion, process.pid, nowIso());
  return Number(info.lastInsertRowid);
}

export function setRunTotal(db: Db, runId: number, bytesTotal: number): void {
  cachedStatement(db, 'UPDATE import_runs SET bytes_total = ? WHERE id = ?').run(bytesTotal, runId);
}

export function updateRunCounts(db: Db, runId: number, c: RunCounts): void {
  cachedStatement(
    db,
    `UPDATE import_runs SET bytes_read = ?, messages_seen = ?, messages_new = ?, sources_new = ?,
       failures = ?, skipped = ?, updated_at = ? WHERE id = ?`,
  ).run(c.bytesRead, c.messagesSeen, c.messagesNew, c.sourcesNew, c.failures, c.skipped, nowIso(), runId);
}

export function finishRun(db: Db, runId: number, status: 'completed' | 'interrupted' | 'failed', error?: string): void {
  cachedStatement(db, 'UPDATE import_runs SET status = ?, finished_at = ?, error = ?, updated_at = ? WHERE id = ?').run(
    status,
    nowIso(),
    error ?? null,
    nowIso(),
    runId,
  );
}

/** A run left 'running' by a process that no longer exists was killed: say so. */
export function markAbandonedRuns(db: Db): number {
  const rows = cachedStatement(db, "SELECT id, pid FROM import_runs WHERE status = 'running'").all() as {
    id: number;
    pid: number | null;
  }[];
  let n = 0;
  for (const r of rows) {
    if (r.pid !== null && r.pid !== process.pid && isProcessAlive(r.pid)) continue;
    if (r.pid === process.pid) continue;
    finishRun(db, r.id, 'interrupted', 'the import process stopped before the end (killed or crashed)');
    n++;
  }
  return n;
}

export function recordFailure(db: Db, runId: number, kind: 'failure' | 'skipped', f: InputFailure, sha256: string | null = null): void {
  const failure: Omit<StoredFailure, 'id'> = { ...f, runId, kind, sha256, createdAt: nowIso() };
  cachedStatement(db, insertSql('failures', NEW_FAILURE_CODEC)).run(rowValues(NEW_FAILURE_CODEC, failure));
}

/** An import run with the first of its failures and skipped inputs. */
export interface RunWithFailures extends ImportRun {
  /** The first failures and skipped inputs of the run, in the order they were met. */
  failureList: StoredFailure[];
  /** How many failures and skipped inputs the run recorded in all. */
  failureTotal: number;
}

/** Import runs, newest first, each with its first `failuresPerRun` failures. */
export function listRunsWithFailures(db: Db, failuresPerRun: number): RunWithFailures[] {
  const runs = (db.prepare(`SELECT ${selectList(RUN_CODEC)} FROM import_runs ORDER BY id DESC`).all() as Record<string, unknown>[]).map(
    (r) => readRow(RUN_CODEC, r),
  );
  const list = db.prepare(`SELECT ${selectList(FAILURE_CODEC)} FROM failures WHERE run_id = ? ORDER BY id LIMIT ?`);
  const count = db.prepare('SELECT count(*) AS n FROM failures WHERE run_id = ?');
  return runs.map((r) => ({
    ...r,
    failureList: (list.all(r.id, failuresPerRun) as Record<string, unknown>[]).map((f) => readRow(FAILURE_CODEC, f)),
    failureTotal: (count.get(r.id) as { n: number }).n,
  }));
}

/** Every failure record, in chunks by id (the imports page's CSV twin). */
export function* iterateFailures(db: Db, chunk = 1000): Generator<StoredFailure[]> {
  const page = db.prepare(`SELECT ${selectList(FAILURE_CODEC)} FROM failures WHERE id > ? ORDER BY id LIMIT ?`);
  let after = 0;
  for (;;) {
    const rows = (page.all(after, chunk) as Record<string, unknown>[]).map((r) => readRow(FAILURE_CODEC, r));
    if (rows.length) yield rows;
    const last = rows.at(-1);
    if (!last || rows.length < chunk) return;
    after = last.id;
  }
}

function nowIso(): string {
  return new Date().toISOString();
}

/**
 * Marks the runs this process left 'running' as interrupted, with why: a hard stop (SIGTERM, a
 * second Ctrl-C) or a full disk ends the process before the pipeline can finish its run.
 */
export function stopRunsOfProcess(db: Db, reason: string, pid: number = process.pid): number[] {
  const ids = cachedStatement(db, "SELECT id FROM import_runs WHERE status = 'running' AND pid = ?").pluck().all(pid) as number[];
  for (const id of ids) finishRun(db, id, 'interrupted', reason);
  return ids;
}

/** The newest run this process started, with its counts as last written (for the message after a failure). */
export function findLatestRunOfProcess(db: Db, pid: number = process.pid): ImportRun | undefined {
  const row = cachedStatement(db, `SELECT ${selectList(RUN_CODEC)} FROM import_runs WHERE pid = ? ORDER BY id DESC LIMIT 1`).get(pid) as
    Record<string, unknown> | undefined;
  return row ? readRow(RUN_CODEC, row) : undefined;
}
