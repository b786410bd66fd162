// The readers (src/import) in a thread of their own: walking folders, opening files, splitting
// mboxes and inflating zips stay off the main thread, which coordinates and writes. Each message's
// bytes are copied once into a buffer of their own and transferred to the main thread (owned()).
// At most a few items wait between this thread and the main thread (credit-based back-pressure).
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { InputItem } from '../model.ts';
import { measureInputs, readInputs } from '../import/read-inputs.ts';

/** Items the reader may run ahead of the main thread, and the bytes they may hold. */
const AHEAD_ITEMS = 64;
const AHEAD_BYTES = 32 * 1024 * 1024;

/**
 * Young generation of the reader thread: it allocates chunk after chunk and keeps few (under 30 MB
 * live in the fuzz run), but V8 let its young generation grow to ~80 MB, committed for good.
 */
const READER_YOUNG_MB = 16;

type ToMain =
  | { type: 'item'; item: InputItem; bytesRead: number }
  | { type: 'total'; bytes: number }
  | { type: 'end'; bytesRead: number }
  | { type: 'error'; error: string };
type ToReader = { type: 'ack'; bytes: number };

/**
 * A copy of the message's bytes in an ArrayBuffer of its own, transferred to the main thread: once
 * posted, this thread holds nothing of them (the readers may still hold the chunk they came from, so
 * that is never handed over itself). The copy used to be a SharedArrayBuffer made here, but this
 * thread allocates little, so V8 collected its handles rarely, and each kept its message's bytes
 * alive after every other thread was done with them: on the mixed dump the thread held up to 468 MB
 * of array buffers, and the import's peak RSS went from about 670 MB to 1.1 GB in half the runs. The
 * main thread now makes the shared copy the workers read (toSharedBytes in worker-pool.ts, from dispatch.ts).
 */
function owned(bytes: Buffer): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(new ArrayBuffer(bytes.length));
  copy.set(bytes);
  return copy;
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'reader') {
  const { paths } = workerData as { paths: string[] };
  const progress = { bytesRead: 0 };
  let aheadItems = 0;
  let aheadBytes = 0;
  let wake: (() => void) | null = null;
  parentPort!.on('message', (m: ToReader) => {
    aheadItems--;
    aheadBytes -= m.bytes;
    wake?.();
  });
  // The total for the ETA is measured here too, beside the reading: one lstat per file on the main
  // thread cost 1.2 s of its time per 20,000 small files. It is sent before 'end', so that it arrives.
  const measured = measureInputs(paths).then((total) => parentPort!.postMessage({ type: 'total', bytes: total.bytes } satisfies ToMain));
  try {
    for await (const item of readInputs(paths, { progress })) {
      while (aheadItems >= AHEAD_ITEMS || (aheadBytes >= AHEAD_BYTES && aheadItems > 0)) await new Promise<void>((r) => (wake = r));
      wake = null;
      let size = 0;
      let out = item;
      const transfer: ArrayBuffer[] = [];
      if (item.kind === 'message') {
        const bytes = owned(item.message.bytes);
        transfer.push(bytes.buffer);
        out = { kind: 'message', message: { ...item.message, bytes: bytes as Buffer } };
        size = bytes.length;
      }
      aheadItems++;
      aheadBytes += size;
      parentPort!.postMessage({ type: 'item', item: out, bytesRead: progress.bytesRead } satisfies ToMain, transfer);
    }
    await measured;
    parentPort!.postMessage({ type: 'end', bytesRead: progress.bytesRead } satisfies ToMain);
  } catch (err) {
    parentPort!.postMessage({ type: 'error', error: String((err as Error)?.stack ?? err) } satisfies ToMain);
  }
}

/**
 * readInputs, run in a reader thread; `progress.bytesRead` follows the reader's count, and `onTotal`
 * receives measureInputs' byte total (before the stream ends; never when reading fails or stops early).
 */
export async function* readInputsInThread(
  paths: string[],
  progress: { bytesRead: number },
  onTotal: (bytes: number) => void,
): AsyncGenerator<InputItem> {
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { role: 'reader', paths },
    resourceLimits: { maxYoungGenerationSizeMb: READER_YOUNG_MB },
  });
  const inbox: ToMain[] = [];
  let notify: (() => void) | null = null;
  let failed: Error | null = null;
  worker.on('message', (m: ToMain) => {
    inbox.push(m);
    notify?.();
  });
  worker.on('error', (err) => {
    failed = err;
    notify?.();
  });
  try {
    for (;;) {
      while (inbox.length === 0 && !failed) await new Promise<void>((r) => (notify = r));
      notify = null;
      if (failed) throw failed;
      const m = inbox.shift()!;
      if (m.type === 'error') throw new Error(`the reader thread failed: ${m.error}`);
      if (m.type === 'total') {
        onTotal(m.bytes);
        continue;
      }
      progress.bytesRead = m.bytesRead;
      if (m.type === 'end') return;
      const item = m.item;
      if (item.kind === 'message') item.message.bytes = Buffer.from(item.message.bytes.buffer, 0, item.message.bytes.byteLength);
      worker.postMessage({ type: 'ack', bytes: item.kind === 'message' ? item.message.bytes.length : 0 } satisfies ToReader);
      yield item;
    }
  } finally {
    await worker.terminate();
  }
}
