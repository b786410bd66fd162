// The review server's only use of mailparser: cutting one attachment out of a message's stored bytes
// for download. The attachment is identified by the content hash the import recorded, so the order
// in which this parser lists parts does not matter.
import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';

export interface ExtractedAttachment {
  content: Buffer;
  sha256: string;
}

/** The decoded attachment whose SHA-256 is `sha256`, or null when the bytes hold none. */
export async function extractAttachment(raw: Buffer, sha256: string, hintIndex: number): Promise<ExtractedAttachment | null> {
  const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true });
  const found = parsed.attachments.map((a) => ({ content: a.content, sha256: createHash('sha256').update(a.content).digest('hex') }));
  const hinted = found[hintIndex];
  if (hinted && hinted.sha256 === sha256) return hinted;
  return found.find((a) => a.sha256 === sha256) ?? null;
}
