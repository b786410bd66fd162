// Import runs and the failure records of their inputs.
import { cachedStatement } from './database.ts';
import type { Db } from './database.ts';
import type { InputFailure } from '../model.ts';

export interface RunCounts {
  bytesRead: number;
  messagesSeen: number;
  messagesNew: number;
  sourcesNew: number;
  failures: number;
  skipped: number;
}

export interface RunRow {
  id: number;
  started_at: string;
  finished_at: string | null;
  status: string;
  inputs: string;
  options: string;
  tool_version: string;
  pid: number | null;
  bytes_total: number | null;
  bytes_read: number;
  messages_seen: number;
  messages_new: number;
  sources_new: number;
  failures: number;
  skipped: number;
  updated_at: string | null;
  error: string | null;
}

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
    if (r.pid !== null && r.pid !== process.pid && isAlive(r.pid)) continue;
    if (r.pid === process.pid) continue;
    finishRun(db, r.id, 'interrupted', 'the import process stopped before the end (killed or crashed)');
    n++;
  }
  return n;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function recordFailure(db: Db, runId: number, kind: 'failure' | 'skipped', f: InputFailure, sha256: string | null = null): void {
  cachedStatement(
    db,
    `INSERT INTO failures (run_id, kind, path, offset, code, reason, sha256, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(runId, kind, f.path, f.offset, f.code, f.reason, sha256, nowIso());
}

export interface FailureRow {
  id: number;
  run_id: number;
  kind: string;
  path: string;
  offset: number | null;
  code: string;
  reason: string;
  sha256: string | null;
  created_at: string;
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
export function findLatestRunOfProcess(db: Db, pid: number = process.pid): RunRow | undefined {
  return cachedStatement(db, 'SELECT * FROM import_runs WHERE pid = ? ORDER BY id DESC LIMIT 1').get(pid) as RunRow | undefined;
}
