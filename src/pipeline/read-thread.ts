// The readers (src/import) in a thread of their own: walking folders, opening files, splitting
// mboxes and inflating zips stay off the main thread, which coordinates and writes. Each message's
// bytes are copied once into a buffer of their own and transferred to the main thread (owned()).
// At most a few items wait between this thread and the main thread (credit-based back-pressure).
// Items cross in batches, and the main thread acknowledges them in batches: one message each way
// per item cost more CPU than reading a small file (see BATCH_ITEMS).
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { InputItem } from '../model.ts';
import { measureInputs, readInputs } from '../import/read-inputs.ts';

/**
 * Items the reader may run ahead of the main thread, and the bytes they may hold. Several batches
 * (BATCH_ITEMS) of small messages fit, so the reader need not wait for each acknowledgement. With
 * 32 MB of bytes allowed ahead (64 items before), the main thread used 3-5 CPU-s more on the mixed
 * dump in four alternated pairs (31.8-34.4 s against 24.3-29.7 s; the cause was not pinned down);
 * with 8 MB, about what 64 of its messages held, the same as before.
 */
const AHEAD_ITEMS = 256;
const AHEAD_BYTES = 8 * 1024 * 1024;

/**
 * Items posted together, at most (and a batch is posted as soon as its bytes reach BATCH_BYTES): each
 * postMessage, and each acknowledgement back, costs both threads an event and a wake-up. 20,000 small
 * files read through this thread by a main thread that only counts them: 157-212 CPU-µs a message
 * in the two threads posted one by one, 98-142 µs in batches (readInputs alone on one thread: about
 * 50 µs). The first item of a run, and any item that is not a message (a failure, a skipped file),
 * is posted at once; so is a batch that must wait for the main thread, and whatever is batched
 * when the readers end or fail.
 */
const BATCH_ITEMS = 32;
const BATCH_BYTES = 1024 * 1024;

/**
 * Young generation of the reader thread: it allocates chunk after chunk and keeps few (under 30 MB
 * live in the fuzz run), but V8 let its young generation grow to ~80 MB, committed for good.
 */
const READER_YOUNG_MB = 16;

/** Each item with the reader's byte count when it was read (the progress the main thread shows). */
type ToMain =
  | { type: 'items'; items: InputItem[]; bytesRead: number[] }
  | { type: 'total'; bytes: number }
  | { type: 'end'; bytesRead: number }
  | { type: 'error'; error: string };
/** Items the main thread has taken since its last acknowledgement, and their bytes. */
type ToReader = { type: 'ack'; items: number; bytes: number };

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
    aheadItems -= m.items;
    aheadBytes -= m.bytes;
    wake?.();
  });
  let batch: InputItem[] = [];
  let batchRead: number[] = [];
  let batchBytes = 0;
  let transfer: ArrayBuffer[] = [];
  let postedAny = false;
  const flush = (): void => {
    if (batch.length === 0) return;
    parentPort!.postMessage({ type: 'items', items: batch, bytesRead: batchRead } satisfies ToMain, transfer);
    postedAny = true;
    batch = [];
    batchRead = [];
    batchBytes = 0;
    transfer = [];
  };
  // The total for the ETA is measured here too, beside the reading: one lstat per file on the main
  // thread cost 1.2 s of its time per 20,000 small files. It is sent before 'end', so that it arrives.
  const measured = measureInputs(paths).then((total) => parentPort!.postMessage({ type: 'total', bytes: total.bytes } satisfies ToMain));
  try {
    for await (const item of readInputs(paths, { progress })) {
      if (aheadItems >= AHEAD_ITEMS || (aheadBytes >= AHEAD_BYTES && aheadItems > 0)) {
        // What is batched is counted ahead already: the main thread must have it to make room.
        flush();
        while (aheadItems >= AHEAD_ITEMS || (aheadBytes >= AHEAD_BYTES && aheadItems > 0)) await new Promise<void>((r) => (wake = r));
        wake = null;
      }
      let size = 0;
      let out = item;
      if (item.kind === 'message') {
        const bytes = owned(item.message.bytes);
        transfer.push(bytes.buffer);
        out = { kind: 'message', message: { ...item.message, bytes: bytes as Buffer } };
        size = bytes.length;
      }
      aheadItems++;
      aheadBytes += size;
      batch.push(out);
      batchRead.push(progress.bytesRead);
      batchBytes += size;
      if (!postedAny || item.kind !== 'message' || batch.length >= BATCH_ITEMS || batchBytes >= BATCH_BYTES) flush();
    }
    flush();
    await measured;
    parentPort!.postMessage({ type: 'end', bytesRead: progress.bytesRead } satisfies ToMain);
  } catch (err) {
    flush();
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
      if (m.type === 'end') {
        progress.bytesRead = m.bytesRead;
        return;
      }
      let bytes = 0;
      for (let i = 0; i < m.items.length; i++) {
        const item = m.items[i]!;
        progress.bytesRead = m.bytesRead[i]!;
        if (item.kind === 'message') {
          item.message.bytes = Buffer.from(item.message.bytes.buffer, 0, item.message.bytes.byteLength);
          bytes += item.message.bytes.length;
        }
        yield item;
      }
      // The whole batch taken: one acknowledgement for it.
      worker.postMessage({ type: 'ack', items: m.items.length, bytes } satisfies ToReader);
    }
  } finally {
    await worker.terminate();
  }
}
