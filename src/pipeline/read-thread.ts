// The readers (src/import) in a thread of their own: walking folders, opening files, splitting
// mboxes and inflating zips stay off the main thread, which coordinates and writes. Each message's
// bytes are copied once, into a slab of shared memory that the main thread and the workers read in
// place and that this thread fills again once the main thread has released it (byte-slabs.ts).
// At most a few items wait between this thread and the main thread (credit-based back-pressure).
// Items cross in batches, and the main thread acknowledges them in batches: one message each way
// per item cost more CPU than reading a small file (see BATCH_ITEMS).
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { InputItem, SourceRef } from '../model.ts';
import { measureInputs, readInputs } from '../import/read-inputs.ts';
import { type Place, SlabReader, SlabWriter } from './byte-slabs.ts';

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

/** An item as posted: a message's bytes stay in their slab, and only their place is sent. */
type PostedItem = Exclude<InputItem, { kind: 'message' }> | { kind: 'message'; source: SourceRef; place: Place };

/**
 * Each item with the reader's byte count when it was read (the progress the main thread shows), and
 * the slabs made (or dropped) since the last batch: the main thread learns of a slab before any place in it.
 */
type ToMain =
  | { type: 'items'; items: PostedItem[]; bytesRead: number[]; slabs: ReturnType<SlabWriter['takeNews']> }
  | { type: 'total'; bytes: number }
  | { type: 'end'; bytesRead: number }
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

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'reader') {
  const { paths, slabBytes } = workerData as { paths: string[]; slabBytes?: number };
  const progress = { bytesRead: 0 };
  const slabs = new SlabWriter(slabBytes);
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
  let postedAny = false;
  const flush = (): void => {
    if (batch.length === 0) return;
    parentPort!.postMessage({ type: 'items', items: batch, bytesRead: batchRead, slabs: slabs.takeNews() } satisfies ToMain);
    postedAny = true;
    batch = [];
    batchRead = [];
    batchBytes = 0;
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
      let out: PostedItem;
      if (item.kind === 'message') {
        out = { kind: 'message', source: item.message.source, place: slabs.place(item.message.bytes) };
        size = item.message.bytes.length;
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
    parentPort!.postMessage({ type: 'end', bytesRead: progress.bytesRead } satisfies ToMain);
  } catch (err) {
    flush();
    parentPort!.postMessage({ type: 'error', error: String((err as Error)?.stack ?? err) } satisfies ToMain);
  }
}

/**
 * readInputs, run in a reader thread; `progress.bytesRead` follows the reader's count, and `onTotal`
 * receives measureInputs' byte total (before the stream ends; never when reading fails or stops early).
 * Each message's bytes are a view of a slab: its `done` must be called once nothing will read them
 * again (after they are stored), and never before, since the reader then writes other bytes there.
 * `slabBytes`: the slabs' size (byte-slabs.ts' SLAB_BYTES unless a test makes them small).
 */
export async function* readInputsInThread(
  paths: string[],
  progress: { bytesRead: number },
  onTotal: (bytes: number) => void,
  options: { slabBytes?: number } = {},
): AsyncGenerator<InputItem> {
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { role: 'reader', paths, slabBytes: options.slabBytes },
    resourceLimits: { maxYoungGenerationSizeMb: READER_YOUNG_MB },
  });
  const inbox: ToMain[] = [];
  const slabs = new SlabReader();
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
        return;
      }
      slabs.learn(m.slabs);
      let bytes = 0;
      for (let i = 0; i < m.items.length; i++) {
        const posted = m.items[i]!;
        progress.bytesRead = m.bytesRead[i]!;
        if (posted.kind !== 'message') {
          yield posted;
          continue;
        }
        const { place } = posted;
        const message = { bytes: slabs.bytesAt(place), source: posted.source, done: () => release(place) };
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
