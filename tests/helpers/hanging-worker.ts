// An analysis worker for tests of the pool (src/pipeline/worker-pool.ts): it speaks the real
// protocol (worker-protocol.ts) and holds its answers as the real worker does while messages wait,
// but analyses nothing: a message whose first byte is "!" makes it hang, as a library spinning on
// hostile input would; every other message is answered as already known.
import { parentPort, workerData } from 'node:worker_threads';
import { threadCpuMicros } from '../../src/common/thread-cpu.ts';
import {
  CURRENT_TASK,
  type AnalyseAnswers,
  type AnalyseReply,
  type AnalyseRequest,
  type WorkerStart,
} from '../../src/pipeline/worker-protocol.ts';

const state = new Int32Array((workerData as WorkerStart).state);

parentPort!.on('message', (msg: AnalyseRequest | { type: string }) => {
  if (msg.type === 'close') {
    parentPort!.close();
    return;
  }
  if (msg.type !== 'analyse') return;
  const held: AnalyseReply[] = [];
  for (const task of (msg as AnalyseRequest).tasks) {
    Atomics.store(state, CURRENT_TASK, task.id);
    // eslint-disable-next-line no-empty
    if (task.bytes[0] === 0x21) for (;;) {}
    held.push({ type: 'known', id: task.id, sha256: `known-${task.id}` });
    Atomics.store(state, CURRENT_TASK, 0);
  }
  parentPort!.postMessage({ type: 'answers', replies: held, cpuMicros: threadCpuMicros() } satisfies AnalyseAnswers);
});
