// The only place that imports the PDF reader (pdfjs-dist, Mozilla's PDF.js, as in Firefox). It runs
// as the worker of src/parse/pdf-sandbox.ts, never in the parsing thread: it answers each request
// with the Info dictionary, the catalog's /Lang and the raw XMP packet, mapped field by field into
// our own type, or with a plain reason. Nothing is rendered and no font or script is evaluated.
import { parentPort } from 'node:worker_threads';
import type { PdfFields, PdfReply, PdfRequest } from './pdf-sandbox.ts';

// PDF.js warns with console.log, some of it while loading; a worker's console goes to the process's
// stdout, which carries exports. So the console is silenced first and PDF.js loaded after.
for (const name of ['log', 'info', 'warn', 'error', 'debug'] as const) console[name] = () => undefined;
const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');

/**
 * Longest XMP packet kept. Office and Acrobat write 3-20 KB (with padding); image editors that keep
 * an edit history reach a few hundred. Longer ones are cut, and the XML reader then says so.
 */
export const MAX_XMP_CHARS = 1024 * 1024;

/** Options that keep PDF.js to parsing: no eval, no fonts, no streaming or range requests. */
const OPTIONS = {
  verbosity: 0,
  isEvalSupported: false,
  disableFontFace: true,
  useSystemFonts: false,
  enableXfa: false,
  stopAtErrors: false,
  disableAutoFetch: true,
  disableStream: true,
  disableRange: true,
} as const;

async function readPdf(data: Uint8Array): Promise<{ fields: PdfFields } | { problem: string }> {
  let task: ReturnType<typeof getDocument> | null = null;
  try {
    task = getDocument({ ...OPTIONS, data });
    const doc = await task.promise;
    const { info, metadata } = await doc.getMetadata();
    const i = info as Record<string, unknown>;
    const xmp = metadata ? metadata.getRaw() : null;
    return {
      fields: {
        title: text(i.Title),
        author: text(i.Author),
        creator: text(i.Creator),
        producer: text(i.Producer),
        creationDate: text(i.CreationDate),
        modDate: text(i.ModDate),
        lang: text(i.Language),
        xmp: typeof xmp === 'string' ? xmp.slice(0, MAX_XMP_CHARS) : null,
      },
    };
  } catch (err) {
    const e = err as Error;
    if (e.name === 'PasswordException') return { problem: 'the PDF is encrypted with a password: its metadata cannot be read without it' };
    if (e.name === 'InvalidPDFException') return { problem: `not a readable PDF (${e.message})` };
    return { problem: `the PDF cannot be read (${e.name}: ${e.message})` };
  } finally {
    await task?.destroy().catch(() => undefined);
  }
}

function text(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

const port = parentPort;
if (port) {
  port.on('message', (req: PdfRequest) => {
    void readPdf(req.data)
      .catch((err: unknown) => ({ problem: `the PDF cannot be read (${String(err)})` }))
      .then((r) => port.postMessage({ id: req.id, ...r } satisfies PdfReply));
  });
  port.postMessage({ ready: true } satisfies PdfReply);
}
