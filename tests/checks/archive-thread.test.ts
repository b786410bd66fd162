import { describe, expect, it } from 'vitest';
import { archiveThread } from '../../src/checks/archive-thread.ts';
import { record } from './archive-fixtures.ts';

const parentHeaders = (date: string) => [
  'From: ana@example.org',
  'To: bo@example.org',
  'Subject: Plan',
  `Date: ${date}`,
  'Message-ID: <plan-1@example.org>',
];
const replyHeaders = (date: string) => [
  'From: bo@example.org',
  'To: ana@example.org',
  'Subject: Re: Plan',
  `Date: ${date}`,
  'Message-ID: <plan-2@example.org>',
  'In-Reply-To: <plan-1@example.org>',
];

describe('archive-thread', () => {
  it('flags a reply dated before its parent beyond clock skew, not within it', async () => {
    const parent = await record({ sha256: 'p', headers: parentHeaders('Tue, 4 Mar 2025 12:00:00 +0000') });
    const early = await record({ sha256: 'r', headers: replyHeaders('Tue, 4 Mar 2025 09:00:00 +0000') });
    const skew = await record({ sha256: 's', headers: replyHeaders('Tue, 4 Mar 2025 11:55:00 +0000') });
    const out = archiveThread.run([
      { reply: early, parent },
      { reply: skew, parent },
    ]);
    expect(out.get('r')!.map((f) => f.code)).toEqual(['archive-thread/reply-before-parent']);
    expect(out.get('r')![0]!.detail).toContain('3 hours');
    expect(out.has('s')).toBe(false);
  });
});
