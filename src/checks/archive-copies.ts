// Archive-wide: messages that share a Message-ID but differ. A forger who edits a real message
// usually keeps its Message-ID; when the archive also holds a verified copy, the edit shows.
import type { ArchiveCheck, ArchiveMessage, CodeDoc, Finding } from '../model.ts';

const codes: Record<string, CodeDoc> = {
  'archive-copies/differs-from-verified': {
    severity: 'strong',
    meaning:
      'Another message with the same Message-ID is verified, and this one differs from it in body, From, Subject or Date: this copy was altered.',
  },
  'archive-copies/conflicting-copies': {
    severity: 'weak',
    meaning: 'Messages with the same Message-ID differ in body, From, Subject or Date, and none of them is verified.',
  },
  'archive-copies/other-copies': {
    severity: 'info',
    meaning:
      'Other messages with the same Message-ID exist; they differ only in trace headers (Received and the like) or are identical in content.',
  },
};

/** What a reader would call the content; trace headers differ between copies of one real message. */
function contentKey(m: ArchiveMessage): string {
  const body = (m.bodyText ?? '').replace(/\s+/g, ' ').trim();
  return JSON.stringify([m.from ?? '', (m.subject ?? '').trim(), m.dateEpoch, body]);
}

function differences(a: ArchiveMessage, b: ArchiveMessage): string[] {
  const out: string[] = [];
  if ((a.from ?? '') !== (b.from ?? '')) out.push('From');
  if ((a.subject ?? '').trim() !== (b.subject ?? '').trim()) out.push('Subject');
  if (a.dateEpoch !== b.dateEpoch) out.push('Date');
  if ((a.bodyText ?? '').replace(/\s+/g, ' ').trim() !== (b.bodyText ?? '').replace(/\s+/g, ' ').trim()) out.push('body');
  return out;
}

function run(group: ArchiveMessage[]): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  const add = (sha: string, f: Finding): void => void out.set(sha, [...(out.get(sha) ?? []), f]);
  const verified = group.filter((m) => m.verdict === 'verified');
  const keys = new Set(group.map(contentKey));
  for (const m of group) {
    const others = group.filter((o) => o.sha256 !== m.sha256);
    const reference = verified.find((v) => v.sha256 !== m.sha256 && contentKey(v) !== contentKey(m));
    if (reference && m.verdict !== 'verified') {
      const diff = differences(m, reference);
      add(m.sha256, {
        check: 'archive-copies',
        code: 'archive-copies/differs-from-verified',
        severity: 'strong',
        detail: `A verified message with the same Message-ID (${m.messageId}) exists, and this one differs from it in ${diff.join(', ')}: this copy was altered.`,
        evidence: { messageId: m.messageId, verifiedCopy: reference.sha256, differs: diff },
      });
    } else if (keys.size > 1 && verified.length === 0) {
      const conflicting = others.filter((o) => contentKey(o) !== contentKey(m));
      add(m.sha256, {
        check: 'archive-copies',
        code: 'archive-copies/conflicting-copies',
        severity: 'weak',
        detail: `${conflicting.length} other message(s) carry the same Message-ID (${m.messageId}) with different ${differences(m, conflicting[0]!).join(', ')}; none of them is verified.`,
        evidence: { messageId: m.messageId, copies: conflicting.map((o) => o.sha256) },
      });
    } else {
      add(m.sha256, {
        check: 'archive-copies',
        code: 'archive-copies/other-copies',
        severity: 'info',
        detail: `${others.length} other message(s) carry the same Message-ID; ${others.every((o) => contentKey(o) === contentKey(m)) ? 'their content is the same (only trace headers differ)' : 'some differ in content'}.`,
        evidence: { messageId: m.messageId, copies: others.map((o) => o.sha256) },
      });
    }
  }
  return out;
}

export const archiveCopies: ArchiveCheck<ArchiveMessage[]> = { id: 'archive-copies', title: 'Copies sharing a Message-ID', codes, run };
