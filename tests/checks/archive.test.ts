import { describe, expect, it } from 'vitest';
import { archiveCopies } from '../../src/checks/archive-copies.ts';
import { archiveThread } from '../../src/checks/archive-thread.ts';
import type { ArchiveMessage } from '../../src/model.ts';

const base: ArchiveMessage = {
  sha256: 'a',
  messageId: '<m@x>',
  verdict: 'verified',
  subject: 'Plan',
  from: 'ana@x.org',
  dateHeader: 'd',
  dateEpoch: 1000,
  bodyText: 'Meet at 10.',
  inReplyTo: null,
};

describe('archive-copies', () => {
  it('marks a copy that differs from a verified copy as altered, naming what differs', () => {
    const forged = { ...base, sha256: 'b', verdict: 'unverifiable' as const, bodyText: 'Meet at 11.' };
    const out = archiveCopies.run([base, forged]);
    expect(out.get('b')!.map((f) => f.code)).toEqual(['archive-copies/differs-from-verified']);
    expect(out.get('b')![0]!.evidence).toMatchObject({ verifiedCopy: 'a', differs: ['body'] });
    expect(out.get('a')!.map((f) => f.code)).toEqual(['archive-copies/other-copies']);
  });

  it('treats copies that differ only in bytes (trace headers) as the same message', () => {
    const copy = { ...base, sha256: 'b', verdict: 'unverifiable' as const, bodyText: 'Meet  at 10.\n' };
    expect(
      archiveCopies
        .run([base, copy])
        .get('b')!
        .map((f) => f.code),
    ).toEqual(['archive-copies/other-copies']);
  });

  it('flags conflicting copies when none is verified', () => {
    const a = { ...base, verdict: 'unverifiable' as const };
    const b = { ...a, sha256: 'b', subject: 'Plan B' };
    const out = archiveCopies.run([a, b]);
    expect(out.get('a')![0]!.code).toBe('archive-copies/conflicting-copies');
    expect(out.get('b')![0]!.detail).toContain('Subject');
  });
});

describe('archive-thread', () => {
  it('flags a reply dated before its parent beyond clock skew, not within it', () => {
    const parent = { ...base, sha256: 'p', dateEpoch: 100_000 };
    const early = { ...base, sha256: 'r', inReplyTo: '<m@x>', dateEpoch: 100_000 - 3 * 3600 };
    const skew = { ...early, sha256: 's', dateEpoch: 100_000 - 300 };
    const out = archiveThread.run([
      { reply: early, parent },
      { reply: skew, parent },
    ]);
    expect(out.get('r')!.map((f) => f.code)).toEqual(['archive-thread/reply-before-parent']);
    expect(out.get('r')![0]!.detail).toContain('3 hours');
    expect(out.has('s')).toBe(false);
  });
});
