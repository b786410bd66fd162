// The manifests of import runs: every message a run read, and the Merkle root sealed at its end.
import { MERKLE_CONSTRUCTION, MerkleRootBuilder } from '../common/merkle-root.ts';
import { cachedStatement } from './database.ts';
import type { Db } from './database.ts';

export interface RunManifest {
  runId: number;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  inputs: string[];
  toolVersion: string;
  leaves: number;
  root: string;
  construction: string;
  /** False when the run did not finish (killed): the root is computed now over what it recorded. */
  sealed: boolean;
  sealedAt: string | null;
}

/**
 * Lists messages the run read (call inside the write transaction). A message read twice may be listed
 * twice (the table's index is away while an import writes, migration 011): readers take the distinct
 * digests.
 */
export function recordManifestEntries(db: Db, runId: number, sha256s: Iterable<string>): void {
  const insert = cachedStatement(db, 'INSERT INTO run_manifest_entries (run_id, sha256) VALUES (?, ?)');
  for (const sha of sha256s) insert.run(runId, sha);
}

/** The run's distinct digests in ascending order, streamed (a run may list millions). */
export function* iterateManifestHashes(db: Db, runId: number): Generator<string> {
  yield* cachedStatement(db, 'SELECT DISTINCT sha256 FROM run_manifest_entries WHERE run_id = ? ORDER BY sha256')
    .pluck()
    .iterate(runId) as Iterable<string>;
}

/** The Merkle root over the run's distinct digests, as its seal records it (reads only the manifest). */
export function computeRoot(db: Db, runId: number): { leaves: number; root: string } {
  const builder = new MerkleRootBuilder();
  for (const sha of iterateManifestHashes(db, runId)) builder.add(sha);
  return { leaves: builder.count, root: builder.root() };
}

/**
 * Stores the run's root, computed now or passed in (computeRoot, once the run lists nothing more); a
 * run is sealed once (a second call keeps the first seal).
 */
export function sealManifest(db: Db, runId: number, computed = computeRoot(db, runId)): { leaves: number; root: string } {
  const { leaves, root } = computed;
  cachedStatement(db, 'INSERT OR IGNORE INTO run_manifests (run_id, leaves, root, construction, sealed_at) VALUES (?, ?, ?, ?, ?)').run(
    runId,
    leaves,
    root,
    MERKLE_CONSTRUCTION,
    new Date().toISOString(),
  );
  return { leaves, root };
}

interface RunRow {
  id: number;
  status: string;
  started_at: string;
  finished_at: string | null;
  inputs: string;
  tool_version: string;
  leaves: number | null;
  root: string | null;
  construction: string | null;
  sealed_at: string | null;
}

/** A run's manifest header; undefined when there is no such run. An unsealed run's root is computed now. */
export function getRunManifest(db: Db, runId: number): RunManifest | undefined {
  const row = cachedStatement(
    db,
    `SELECT r.id, r.status, r.started_at, r.finished_at, r.inputs, r.tool_version, m.leaves, m.root, m.construction, m.sealed_at
     FROM import_runs r LEFT JOIN run_manifests m ON m.run_id = r.id WHERE r.id = ?`,
  ).get(runId) as RunRow | undefined;
  if (!row) return undefined;
  const computed = row.root === null ? computeRoot(db, runId) : null;
  let inputs: string[];
  try {
    inputs = (JSON.parse(row.inputs) as unknown[]).map(String);
  } catch {
    inputs = [row.inputs];
  }
  return {
    runId: row.id,
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    inputs,
    toolVersion: row.tool_version,
    leaves: computed?.leaves ?? row.leaves ?? 0,
    root: computed?.root ?? row.root ?? '',
    construction: row.construction ?? MERKLE_CONSTRUCTION,
    sealed: computed === null,
    sealedAt: row.sealed_at,
  };
}
