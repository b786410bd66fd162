// Archive records for the archive checks' tests, made the way the pipeline makes them: a message
// written as bytes, read by the real parser, its facts collected by src/checks/message-facts.ts.
import type { ArchiveRecord, CopyPlace, Finding, VerdictName } from '../../src/model.ts';
import type { CopyRecord } from '../../src/checks/archive-copies.ts';
import { collectMessageFacts } from '../../src/checks/message-facts.ts';
import { unpackGrams } from '../../src/checks/text-forms.ts';
import { message } from './fixtures.ts';
import type { MessageSpec } from './fixtures.ts';

export interface RecordSpec extends MessageSpec {
  sha256: string;
  /** The verdict the message's own findings gave; default unverifiable. */
  selfVerdict?: VerdictName;
  places?: CopyPlace[];
  /** The message's own findings (their weak and strong codes become facts.selfFlags). */
  selfFindings?: Finding[];
}

/** A place: "alice/Sent" as mailbox "/dump/alice/Sent" of account "/dump/alice". */
export function place(where: string, role: CopyPlace['role']): CopyPlace {
  const account = `/dump/${where.split('/')[0]}`;
  return { mailbox: `/dump/${where}`, account, role };
}

export async function record(spec: RecordSpec): Promise<CopyRecord> {
  const input = await message(spec);
  const p = input.parsed;
  const facts = collectMessageFacts(input, { verdict: spec.selfVerdict ?? 'unverifiable', findings: spec.selfFindings ?? [] });
  const r: ArchiveRecord = {
    sha256: spec.sha256,
    messageId: p.messageId,
    subject: p.subject,
    fromDomain: p.from[0]?.domain ?? null,
    dateHeader: p.dateRaw,
    dateEpoch: p.dateEpoch,
    asOf: input.verification.asOf,
    listId: p.listId,
    inReplyTo: p.inReplyTo,
    facts,
    signatures: input.verification.signatures.map((s) => ({
      index: s.index,
      domain: s.domain,
      selector: s.selector,
      algorithm: s.algorithm,
      keyType: s.keyType,
      keyBits: s.keyBits,
      result: s.result,
      aligned: s.aligned,
      bodyHash: s.bodyHash,
      signedHeaders: s.signedHeaders,
      keyFirstSeen: s.keyFirstSeen,
      keyLastSeen: s.keyLastSeen,
      keyMade: s.keyMade,
    })),
    places: spec.places ?? [],
  };
  return { ...r, text: p.text, html: p.html, textGrams: unpackGrams(facts.textGrams), quoteGrams: unpackGrams(facts.quoteGrams) };
}
