// PDFs are read in a worker thread of their own (src/parse/pdf-adapter.ts, the only place that
// imports PDF.js), because a hostile PDF can make any reader spin or swell inside one synchronous
// call: an xref stream that inflates to gigabytes kept PDF.js busy for 30 s and 4 GB here, and no
// timer in the same thread can stop that. The worker has a heap limit, each document a deadline,
// and a worker that overruns either is ended and replaced; the PDF gets a plain reason instead.
import { Worker } from 'node:worker_threads';

/**
 * Longest one PDF may take. Reading the metadata of a 2 MB, 300-page PDF takes ~50 ms of CPU here,
 * a 25 MB one well under a second; five seconds leaves room for a machine busy with other workers
 * and still ends a bomb before it eats the message's own analysis time (60 s).
 */
export const PDF_TIMEOUT_MS = 5_000;

/**
 * Longest the PDFs of one message may take together. Each has PDF_TIMEOUT_MS, but a message can
 * carry any number: 25 cross-reference bombs (180 KB of base64 each, 2.2 s each to the heap limit)
 * took 56.7 s, and a few more would take the message past its own limit (60 s, ANALYSE_TIMEOUT_MS):
 * it would be stored unanalysed, without any check of its sender, dates or signatures. Past this,
 * the PDFs left are recorded as not read (20 such bombs: 20.1 s).
 */
export const MESSAGE_PDF_MS = 20_000;

/** Starting the worker loads PDF.js (~0.5 s here, ~1 s on the first document); more means it is stuck. */
export const PDF_STARTUP_TIMEOUT_MS = 20_000;

/**
 * Heap of the PDF worker. PDF.js keeps the document's cross-reference table and the few objects the
 * metadata needs; 256 MB is ten times what a 25 MB PDF needs, and a bomb's tables hit it quickly.
 */
export const PDF_HEAP_MB = 256;

/**
 * Young generation of the PDF worker, as large as that of the analysis worker that starts it
 * (WORKER_YOUNG_MB); left to V8, it would grow with the machine's memory.
 */
const PDF_YOUNG_MB = 16;

/** What the PDF says about itself, in PDF.js's decoding (PDFDocEncoding or UTF-16 to text). */
export interface PdfFields {
  title: string | null;
  author: string | null;
  creator: string | null;
  producer: string | null;
  /** As written, e.g. "D:20170428100000+03'00'". */
  creationDate: string | null;
  modDate: string | null;
  /** The catalog's /Lang. */
  lang: string | null;
  /** The XMP packet of the catalog's /Metadata stream, as text, cut at the adapter's limit. */
  xmp: string | null;
}

export type PdfRequest = { id: number; data: Uint8Array };
export type PdfReply = { ready: true } | { id: number; fields: PdfFields } | { id: number; problem: string };
export type PdfOutcome = { fields: PdfFields } | { problem: string };

const ADAPTER_URL = new URL('./pdf-adapter.ts', import.meta.url);

interface Sandbox {
  worker: Worker;
  ready: Promise<void>;
}

let current: Sandbox | null = null;
let queue: Promise<unknown> = Promise.resolve();
let nextId = 1;

/**
 * Reads one PDF in the sandbox; documents are read one after the other, each with its own deadline
 * (PDF_TIMEOUT_MS) and within `until` (performance.now() time: the end of its message's MESSAGE_PDF_MS).
 */
export function readPdfInSandbox(bytes: Uint8Array, until = Infinity): Promise<PdfOutcome> {
  const run = queue.then(() => readOne(bytes, until));
  queue = run.catch(() => undefined);
  return run;
}

function startSandbox(): Sandbox {
  if (current) return current;
  // The adapter silences its console itself: taking the worker's stdout here (`stdout: true`) would
  // keep the process alive even with the worker unref'd (seen on Node 24.21).
  // No flags inherited: the parent's (`--input-type`, a test runner's loaders) can stop it starting.
  const worker = new Worker(ADAPTER_URL, {
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: PDF_HEAP_MB, maxYoungGenerationSizeMb: PDF_YOUNG_MB },
  });
  worker.unref(); // an idle sandbox never keeps the process alive; a pending read's timer does
  worker.on('error', () => undefined); // reported by the read in progress; never an uncaught event
  const sandbox: Sandbox = {
    worker,
    ready: new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`it did not start within ${PDF_STARTUP_TIMEOUT_MS / 1000} s`));
        discard(sandbox);
      }, PDF_STARTUP_TIMEOUT_MS);
      worker.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      worker.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      worker.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`it exited with code ${code}`));
      });
    }),
  };
  current = sandbox;
  return sandbox;
}

function discard(s: Sandbox): void {
  if (current === s) current = null;
  void s.worker.terminate();
}

async function readOne(bytes: Uint8Array, until: number): Promise<PdfOutcome> {
  const spent = (): PdfOutcome => ({
    problem: `not read: the PDFs before it in this message took the ${MESSAGE_PDF_MS / 1000} s allowed for one message's PDFs`,
  });
  if (performance.now() >= until) return spent();
  const s = startSandbox();
  try {
    await s.ready;
  } catch (err) {
    discard(s);
    return { problem: `the PDF reader could not start: ${(err as Error).message}` };
  }
  const left = until - performance.now();
  if (left <= 0) return spent();
  const id = nextId++;
  const data = new Uint8Array(bytes); // our own copy, handed over to the worker
  return new Promise<PdfOutcome>((resolve) => {
    const finish = (outcome: PdfOutcome, end: boolean): void => {
      clearTimeout(timer);
      s.worker.off('message', onMessage);
      s.worker.off('error', onError);
      s.worker.off('exit', onExit);
      if (end) discard(s);
      resolve(outcome);
    };
    const onMessage = (reply: PdfReply): void => {
      if ('id' in reply && reply.id === id) finish('fields' in reply ? { fields: reply.fields } : { problem: reply.problem }, false);
    };
    const onError = (err: Error & { code?: string }): void => {
      const memory = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      finish(
        {
          problem: memory
            ? `reading the PDF needed more than ${PDF_HEAP_MB} MB of memory; it was stopped`
            : `the PDF reader failed: ${err.message}`,
        },
        true,
      );
    };
    const onExit = (): void => finish({ problem: 'the PDF reader stopped while reading this PDF' }, true);
    // Its own limit, or what is left of its message's, whichever ends first.
    const stopped =
      left < PDF_TIMEOUT_MS
        ? `reading the PDF took longer than what was left (${(left / 1000).toFixed(1)} s) of the ${MESSAGE_PDF_MS / 1000} s allowed for one message's PDFs; it was stopped`
        : `reading the PDF took longer than ${PDF_TIMEOUT_MS / 1000} s; it was stopped`;
    const timer = setTimeout(() => finish({ problem: stopped }, true), Math.min(left, PDF_TIMEOUT_MS));
    s.worker.on('message', onMessage);
    s.worker.on('error', onError);
    s.worker.on('exit', onExit);
    s.worker.postMessage({ id, data } satisfies PdfRequest, [data.buffer]);
  });
}
