// The readers (src/import) in a thread of their own: walking folders, opening files, splitting
// mboxes and inflating zips stay off the main thread, which coordinates and writes. Each message's
// bytes are copied once, into a slab of shared memory (byte-slabs.ts: the main thread's pool) that
// the main thread and the workers read in place and that this thread fills again once the main thread
// has released it; when no slab has room, into a buffer of their own, transferred (owned()).
// At most a few items wait between this thread and the main thread (credit-based back-pressure).
// Items cross in batches, and the main thread acknowledges them in batches: one message each way
// per item cost more CPU than reading a small file (see BATCH_ITEMS).
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { startThread } from '../common/start-thread.ts';
import { threadCpuMicros } from '../common/thread-cpu.ts';
import type { InputItem, SourceRef } from '../model.ts';
import { measureInputs, readInputs } from '../import/read-inputs.ts';
import { type Place, SLAB_BYTES, SLAB_COUNT, SlabReader, SlabWriter, makeSlabs } from './byte-slabs.ts';

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

/**
 * An item as posted: a message's bytes stay in their slab, and only their place is sent; or, when no
 * slab had room, they come in a buffer of their own (transferred).
 */
type PostedItem =
  | Exclude<InputItem, { kind: 'message' }>
  | { kind: 'message'; source: SourceRef; place: Place }
  | { kind: 'message'; source: SourceRef; bytes: Uint8Array<ArrayBuffer> };

/** Each item with the reader's byte count when it was read (the progress the main thread shows). */
type ToMain =
  | { type: 'items'; items: PostedItem[]; bytesRead: number[] }
  | { type: 'total'; bytes: number }
  | { type: 'end'; bytesRead: number; cpuMicros: number }
  | { type: 'error'; error: string };
/**
 * Items the main thread has taken since its last acknowledgement, and their bytes; and the slab of
 * each message it is done with since then (byte-slabs.ts: one entry per message).
 */
type ToReader = { type: 'ack'; items: number; bytes: number; released: number[] };

/**
 * Messages released before the main thread tells the reader without waiting for its next
 * acknowledgement: while it takes no batch (its workers are busy), the slabs still come back.
 */
const RELEASE_BATCH = 32;

/**
 * A copy of a message's bytes that found no room in a slab, in an ArrayBuffer of its own,
 * transferred to the main thread: once posted, this thread holds nothing of them (the readers may
 * still hold the chunk they came from, so that is never handed over itself).
 */
function owned(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(new ArrayBuffer(bytes.length));
  copy.set(bytes);
  return copy;
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'reader') {
  const { paths, slabs: memories } = workerData as { paths: string[]; slabs: SharedArrayBuffer[] };
  const progress = { bytesRead: 0 };
  const slabs = new SlabWriter(memories);
  let aheadItems = 0;
  let aheadBytes = 0;
  let wake: (() => void) | null = null;
  parentPort!.on('message', (m: ToReader) => {
    aheadItems -= m.items;
    aheadBytes -= m.bytes;
    slabs.release(m.released);
    wake?.();
  });
  let batch: PostedItem[] = [];
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
    for await (const item of readInputs(paths, { progress, allocate: (size) => slabs.reserve(size) })) {
      if (aheadItems >= AHEAD_ITEMS || (aheadBytes >= AHEAD_BYTES && aheadItems > 0)) {
        // What is batched is counted ahead already: the main thread must have it to make room.
        flush();
        while (aheadItems >= AHEAD_ITEMS || (aheadBytes >= AHEAD_BYTES && aheadItems > 0)) await new Promise<void>((r) => (wake = r));
        wake = null;
      }
      let size = 0;
      let out: PostedItem;
      if (item.kind === 'message') {
        const { bytes, source } = item.message;
        const place = slabs.place(bytes);
        if (place !== null) out = { kind: 'message', source, place };
        else {
          const copy = owned(bytes);
          transfer.push(copy.buffer);
          out = { kind: 'message', source, bytes: copy };
        }
        size = bytes.length;
      } else out = item;
      aheadItems++;
      aheadBytes += size;
      batch.push(out);
      batchRead.push(progress.bytesRead);
      batchBytes += size;
      if (!postedAny || item.kind !== 'message' || batch.length >= BATCH_ITEMS || batchBytes >= BATCH_BYTES) flush();
    }
    flush();
    await measured;
    parentPort!.postMessage({ type: 'end', bytesRead: progress.bytesRead, cpuMicros: threadCpuMicros() } satisfies ToMain);
  } catch (err) {
    flush();
    parentPort!.postMessage({ type: 'error', error: String((err as Error)?.stack ?? err) } satisfies ToMain);
  }
}

/**
 * readInputs, run in a reader thread; `progress.bytesRead` follows the reader's count, and `onTotal`
 * receives measureInputs' byte total (before the stream ends; never when reading fails or stops early).
 * A message's bytes are a view of a slab, or a buffer of their own: its `done` must be called once
 * nothing will read them again (after they are stored), and never before, since the reader then
 * writes other bytes there. The slabs are made here and outlive the reader (byte-slabs.ts);
 * `slabBytes` and `slabCount` change the pool's shape (tests make it small). `onCpu` hears the CPU time
 * the reader thread used, in milliseconds, when it has read everything (never when it fails or stops early).
 */
export async function* readInputsInThread(
  paths: string[],
  progress: { bytesRead: number },
  onTotal: (bytes: number) => void,
  options: { slabBytes?: number; slabCount?: number; onCpu?: (ms: number) => void } = {},
): AsyncGenerator<InputItem> {
  const memories = makeSlabs(options.slabCount ?? SLAB_COUNT, options.slabBytes ?? SLAB_BYTES);
  const worker = startThread(new URL(import.meta.url), {
    workerData: { role: 'reader', paths, slabs: memories },
    resourceLimits: { maxYoungGenerationSizeMb: READER_YOUNG_MB },
  });
  const inbox: ToMain[] = [];
  const slabs = new SlabReader(memories);
  const ack = (items: number, bytes: number): void =>
    worker.postMessage({ type: 'ack', items, bytes, released: slabs.takeReleases() } satisfies ToReader);
  let notify: (() => void) | null = null;
  let failed: Error | null = null;
  let ended = false;
  const release = (place: Place): void => {
    slabs.release(place);
    if (slabs.waiting >= RELEASE_BATCH && !ended) ack(0, 0);
  };
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
        options.onCpu?.(m.cpuMicros / 1000);
        return;
      }
      let bytes = 0;
      for (let i = 0; i < m.items.length; i++) {
        const posted = m.items[i]!;
        progress.bytesRead = m.bytesRead[i]!;
        if (posted.kind !== 'message') {
          yield posted;
          continue;
        }
        if ('bytes' in posted) {
          // A buffer of its own: nothing to release.
          const message = { bytes: Buffer.from(posted.bytes.buffer, 0, posted.bytes.byteLength), source: posted.source };
          bytes += message.bytes.length;
          yield { kind: 'message', message };
          continue;
        }
        const { place } = posted;
        // Once only: a second release would let the reader write over another message of the slab.
        let released = false;
        const done = (): void => {
          if (released) return;
          released = true;
          release(place);
        };
        const message = { bytes: slabs.bytesAt(place), source: posted.source, done };
        bytes += message.bytes.length;
        yield { kind: 'message', message };
      }
      // The whole batch taken: one acknowledgement for it.
      ack(m.items.length, bytes);
    }
  } finally {
    ended = true;
    await worker.terminate();
  }
}
