// A worker thread that analyses messages (parse, verify, check, decide): the CPU-bound part of an
// import, off the thread that reads inputs and writes the database.
import { parentPort, workerData } from 'node:worker_threads';
import { resolveTxt } from 'node:dns/promises';
import type { KeyRecord } from '../model.ts';
import { KeyIndex } from '../verify/key-index.ts';
import { analyseMessage } from './analyse-message.ts';
import type { AnalyseRequest, AnalyseReply, WorkerSetup } from './worker-protocol.ts';

const setup = workerData as WorkerSetup;
const keys = new KeyIndex(setup.keys);
const liveLookup = setup.dnsLive ? (name: string) => resolveTxt(name) : undefined;

let queue: Promise<void> = Promise.resolve();

parentPort!.on('message', (msg: AnalyseRequest | { type: 'keys'; keys: KeyRecord[] }) => {
  if (msg.type === 'keys') {
    for (const k of msg.keys) keys.add(k);
    return;
  }
  const bytes = Buffer.from(msg.bytes.buffer, msg.bytes.byteOffset, msg.bytes.byteLength);
  // One message at a time, in arrival order: the pool times the oldest outstanding message.
  queue = queue
    .then(() => analyseMessage(bytes, { keys, liveLookup, now: setup.now }, msg.sha256))
    .then(
      (a) => {
        const reply: AnalyseReply = { type: 'done', id: msg.id, result: { ...a, bytes: undefined } };
        parentPort!.postMessage(reply);
      },
      (err: unknown) => {
        const reply: AnalyseReply = { type: 'error', id: msg.id, error: String((err as Error)?.stack ?? err) };
        parentPort!.postMessage(reply);
      },
    );
});
