// Additions at the top of a signed message: a tag before the subject, lines above the text. A
// receiving gateway marks external mail that way ("[EXTERNAL]", "CAUTION: This email originated
// from outside…"), and so could a forger who puts words above a genuine signed message. With them
// removed the signature verifies again (verify/mark-undo.ts), which proves what was added and that
// nothing else changed; it does not tell who added it. This check says what was added; the archive
// check archive-marks tells a gateway's habit from a single message's addition.
import type { CheckInput, CodeDoc, Finding, MarkUndo, MessageCheck } from '../model.ts';

const ID = 'top-additions';

const codes: Record<string, CodeDoc> = {
  [`${ID}/verifies-without`]: {
    severity: 'info',
    meaning:
      "A signature that failed verifies again once additions at the top are removed: a tag at the start of the subject, whole lines at the top of the text, or lines right after the HTML's <body>. The signed message differs from the stored one by those additions only, and the finding quotes them. When the signer's key is not known, only the body hash can be checked: it matches without the lines, and the finding says so. A receiving gateway marks external mail this way, and a forger could add lines above a genuine message the same way: on its own this explains nothing (the failure still counts); archive-marks/gateway-mark explains it when the same additions recur on the mail of several signers.",
  },
};

/** The additions in words: "the subject tag [EXTERNAL] and 3 lines at the top of the text". */
export function describeAdditions(u: Pick<MarkUndo, 'subjectTag' | 'listTag' | 'listWrapper' | 'textLineCount' | 'htmlLineCount'>): string {
  const parts: string[] = [];
  if (u.subjectTag !== null)
    parts.push(`the subject tag ${u.subjectTag}${u.listTag === null ? '' : ` (and the mailing list's tag ${u.listTag} after it)`}`);
  const lines = (n: number): string => `${n} line${n === 1 ? '' : 's'}`;
  if (u.textLineCount > 0)
    parts.push(
      `${lines(u.textLineCount)} at the top of the text${u.listWrapper ? ' (with the multipart wrapper the mailing list put around it)' : ''}`,
    );
  if (u.htmlLineCount > 0) parts.push(`${lines(u.htmlLineCount)} at the top of the HTML`);
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}`;
}

/** A removed block as a reader can check it in a sentence: one line, quoted, cut to 200 characters. */
export function quoteBlock(text: string | null): string | null {
  if (text === null) return null;
  const flat = text
    .replace(/=\r?\n/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return flat === '' ? null : `"${flat.length > 200 ? `${flat.slice(0, 199)}…` : flat}"`;
}

function run(input: CheckInput): Finding[] {
  const { verification } = input;
  const out: Finding[] = [];
  for (const u of verification.markUndo ?? []) {
    const sig = verification.signatures[u.signature];
    if (!sig) continue;
    const quoted = quoteBlock(u.textLines) ?? quoteBlock(u.htmlLines);
    out.push({
      check: ID,
      code: `${ID}/verifies-without`,
      severity: 'info',
      signature: u.signature,
      detail: `With ${describeAdditions(u)} removed, ${
        u.headerSignature === 'pass'
          ? `the signature of ${sig.domain} (selector ${sig.selector}) verifies again: the signed message differs from the stored one by these additions only`
          : `the body hash of the signature of ${sig.domain} (selector ${sig.selector}) matches again (${sig.keyMade === 'no' ? 'the key the store holds for it did not make it' : 'its key is not known'}, so the signature itself cannot be checked): the body differs from what it recorded by these additions only`
      }${quoted === null ? '' : `, which read ${quoted}`}${
        u.reencodedWidth === null
          ? ''
          : ` (the part is in base64: it was decoded, the lines taken out, and encoded again in lines of ${u.reencodedWidth} characters, as a gateway that adds a notice rebuilds such a part)`
      }. A receiving gateway marks external mail this way, and a forger could add lines above a genuine message the same way; who added them, this message alone does not tell.`,
      evidence: {
        signer: sig.domain,
        subjectTag: u.subjectTag,
        listTag: u.listTag,
        listWrapper: u.listWrapper,
        headerSignature: u.headerSignature,
        textLines: u.textLines,
        htmlLines: u.htmlLines,
        textLineCount: u.textLineCount,
        htmlLineCount: u.htmlLineCount,
        reencodedWidth: u.reencodedWidth,
      },
    });
  }
  return out;
}

export const check: MessageCheck = {
  id: ID,
  title: 'Additions at the top without which a signature verifies',
  codes,
  run,
};
