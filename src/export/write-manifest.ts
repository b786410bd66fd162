// An import run's manifest as JSON (docs/chain-of-custody.md): who, when, what inputs, the Merkle
// root and every message digest it covers, streamed one digest a line so a run of millions fits.
import type { RunManifest } from '../store/manifest-repo.ts';

export function* encodeManifest(m: RunManifest, hashes: Iterable<string>): Generator<string> {
  const head = {
    run: m.runId,
    status: m.status,
    started_at: m.startedAt,
    finished_at: m.finishedAt,
    inputs: m.inputs,
    tool_version: m.toolVersion,
    construction: m.construction,
    sealed: m.sealed,
    sealed_at: m.sealedAt,
    note: m.sealed
      ? 'The root was sealed when the run ended; recompute it from the sha256 list as docs/chain-of-custody.md says.'
      : 'The run did not finish (it was killed): this root is computed now over the messages it recorded.',
    leaves: m.leaves,
    merkle_root: m.root,
  };
  const text = JSON.stringify(head, null, 2);
  yield text.slice(0, -2) + ',\n  "sha256": [';
  let first = true;
  for (const sha of hashes) {
    yield `${first ? '' : ','}\n    ${JSON.stringify(sha)}`;
    first = false;
  }
  yield first ? ']\n}\n' : '\n  ]\n}\n';
}
