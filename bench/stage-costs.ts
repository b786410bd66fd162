// Where an import's CPU goes, stage by stage, per message (not a test; issue 8). On 2 cores the
// import is CPU-bound, so its speed is the sum of these costs over the cores: this says which stage
// a change would have to shrink. Each stage runs alone on this thread over the same messages, best
// of several passes (the shared machine's noise only ever adds time), so the figures are lower than
// what the same work costs inside an import, where threads share caches, GC and the cores.
//   node bench/stage-costs.ts [--small 1000] [--mixed 200] [--passes 8]
// Inputs are generated deterministically (bench/dumps.ts) into a temporary folder, removed after.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { deserialize, serialize } from 'node:v8';
import { writeMixedDump, writeSmallDump } from './dumps.ts';
import { looksLikeMessage } from '../src/import/detect.ts';
import { SNIFF_BYTES } from '../src/import/limits.ts';
import { analyseMessage, hashBytes } from '../src/pipeline/analyse-message.ts';
import { readMessage } from '../src/parse/parse-message.ts';
import { verifyMessage } from '../src/verify/verify-message.ts';
import { runChecks } from '../src/checks/index.ts';
import { collectMessageFacts } from '../src/checks/message-facts.ts';
import { readKeyFile } from '../src/verify/key-files.ts';
import { KeyIndex } from '../src/verify/key-index.ts';
import { beginBulkWrites, beginWrite, commitWrite, endBulkWrites, openDatabase } from '../src/store/database.ts';
import { catchUpSearchIndex, deferIndexes } from '../src/store/search-index.ts';
import { addSource, insertMessageRows } from '../src/store/messages-repo.ts';
import { takeMessageKey } from '../src/store/message-key.ts';
import { recordManifestEntries } from '../src/store/manifest-repo.ts';
import { encodeAnalysis } from '../src/pipeline/worker-protocol.ts';
import type { EncodedAnalysis } from '../src/pipeline/worker-protocol.ts';
import { startRun } from '../src/store/runs-repo.ts';
import type { AnalysedMessage } from '../src/model.ts';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    small: { type: 'string', default: '1000' },
    mixed: { type: 'string', default: '200' },
    passes: { type: 'string', default: '8' },
  },
});
const passes = Number(values.passes);
const keys = new KeyIndex(readKeyFile(readFileSync(join(ROOT, 'test-corpus/keys/corpus.zone'), 'utf8'), 'corpus.zone').records);
const verify = { keys, now: Date.now() };

function emlFiles(dir: string): Buffer[] {
  const out: Buffer[] = [];
  for (const folder of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()))
    for (const f of readdirSync(join(dir, folder.name))) out.push(readFileSync(join(dir, folder.name, f)));
  return out;
}

/** Microseconds per message of `stage` over `items`, best of the passes. */
async function cost<T>(items: T[], stage: (item: T) => unknown): Promise<number> {
  let best = Infinity;
  for (let p = 0; p < passes; p++) {
    const start = performance.now();
    for (const item of items) await stage(item);
    best = Math.min(best, ((performance.now() - start) * 1000) / items.length);
  }
  return best;
}

/** An analysis as a worker hands it over (its rows encoded), with its bytes. */
type Handed = { encoded: EncodedAnalysis; bytes: Buffer };

const handed = (a: AnalysedMessage): Handed => ({ encoded: encodeAnalysis(a, a.bytes.length), bytes: a.bytes });

/**
 * Writing as an import's main thread does, from the rows a worker encoded: manifest entry, message
 * and its rows, source; 1,000 per transaction, through a rollback journal (database.ts, leaveWal);
 * then the search index.
 * The write's time is wall time, which includes waiting for the disk (each commit fsyncs it on this
 * thread); `writeCpu` is this process's CPU time over the same writes.
 */
function writeAll(file: string, analysed: Handed[]): { write: number; writeCpu: number; search: number } {
  rmSync(file, { force: true });
  const db = openDatabase(file);
  const runId = startRun(db, [], {}, 'stage-costs');
  // As an import into an empty database: without the hash key of messages (message-key.ts).
  if (takeMessageKey(db)) db.pragma('foreign_keys = OFF');
  deferIndexes(db);
  beginBulkWrites(db, { rollbackJournal: true });
  const start = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < analysed.length; i += 1000) {
    beginWrite(db);
    for (const { encoded, bytes } of analysed.slice(i, i + 1000)) {
      const { sha256 } = encoded.rows;
      recordManifestEntries(db, runId, [sha256]);
      insertMessageRows(db, runId, encoded.rows, bytes);
      addSource(db, sha256, runId, {
        path: `/in/${sha256}.eml`,
        container: null,
        mailbox: null,
        folder: 'in',
        offset: null,
        length: bytes.length,
      });
    }
    commitWrite(db);
  }
  const written = performance.now();
  const { user, system } = process.cpuUsage(cpu);
  while (catchUpSearchIndex(db, 20_000) > 0);
  const indexed = performance.now();
  endBulkWrites(db);
  db.close();
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
  return {
    write: ((written - start) * 1000) / analysed.length,
    writeCpu: (user + system) / analysed.length,
    search: ((indexed - written) * 1000) / analysed.length,
  };
}

async function measure(name: string, messages: Buffer[], dir: string): Promise<void> {
  const prepared = [];
  for (const bytes of messages) {
    const { parsed, layout } = await readMessage(bytes);
    const verification = await verifyMessage(bytes, parsed, verify, layout);
    prepared.push({ bytes, parsed, layout, verification, context: { signingDomains: keys.signingDomains() } });
  }
  const analysed: AnalysedMessage[] = [];
  for (const bytes of messages) analysed.push(await analyseMessage(bytes, verify));
  const rows: [string, number][] = [
    ['sniff (is it mail?)', await cost(messages, (b) => looksLikeMessage(b.subarray(0, SNIFF_BYTES)))],
    ['SHA-256 of the bytes', await cost(messages, (b) => hashBytes(b))],
    ['parse', await cost(prepared, (p) => readMessage(p.bytes))],
    ['verify (DKIM, ARC)', await cost(prepared, (p) => verifyMessage(p.bytes, p.parsed, verify, p.layout))],
    ['per-message checks', await cost(prepared, (p) => runChecks(p))],
    ['archive facts', await cost(prepared, (p) => collectMessageFacts(p, { verdict: 'unverifiable', findings: [] }))],
    ['whole analysis (the above and the verdict)', await cost(messages, (b) => analyseMessage(b, verify))],
    ['rows encoded for the store (in the worker)', await cost(analysed, (a) => encodeAnalysis(a, a.bytes.length))],
    ['worker to main thread (serialise + deserialise)', await cost(analysed.map(handed), (h) => deserialize(serialize(h.encoded)))],
  ];
  // The same writes with the three large values cut to a few bytes: what storing them costs.
  const lean = analysed.map((a) =>
    handed({ ...a, bytes: Buffer.from('x'), parsed: { ...a.parsed, text: null, headers: [], received: [] } }),
  );
  const writes = Math.min(passes, 3);
  for (const [label, list] of [
    ['', analysed.map(handed)],
    [', bytes/structure/text cut to a few bytes', lean],
  ] as const) {
    let best = { write: Infinity, writeCpu: Infinity, search: Infinity };
    for (let p = 0; p < writes; p++) {
      const r = writeAll(join(dir, `${name}.sqlite`), list);
      best = {
        write: Math.min(best.write, r.write),
        writeCpu: Math.min(best.writeCpu, r.writeCpu),
        search: Math.min(best.search, r.search),
      };
    }
    rows.push(
      [`write (rows, 1,000 per commit${label}), wall time`, best.write],
      ['  of which CPU (the rest: waiting for the disk)', best.writeCpu],
      [`full-text index${label ? ' (same)' : ''}`, best.search],
    );
  }
  const size = messages.reduce((n, b) => n + b.length, 0) / messages.length;
  console.log(
    `\n${name}: ${messages.length} messages, ${Math.round(size / 1024)} KB on average; µs per message, best of ${passes} passes (writes: ${writes})`,
  );
  for (const [stage, us] of rows) console.log(`  ${stage.padEnd(88)} ${us.toFixed(1).padStart(9)}`);
}

const dir = mkdtempSync(join(tmpdir(), 'lt-stage-costs-'));
try {
  if (Number(values.small) > 0) {
    await writeSmallDump(join(dir, 'small'), Number(values.small));
    await measure('small', emlFiles(join(dir, 'small')), dir);
  }
  if (Number(values.mixed) > 0) {
    await writeMixedDump(join(dir, 'mixed'), Number(values.mixed));
    await measure('mixed', emlFiles(join(dir, 'mixed')), dir);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
