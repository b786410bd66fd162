import { describe, expect, it } from 'vitest';
import { check } from '../../src/checks/arc.ts';
import { codesOf, runCheck } from './fixtures.ts';

const headers = ['From: a@example.org', 'Subject: x'];

describe('arc check', () => {
  it('says nothing without an ARC chain', async () => {
    expect(await runCheck(check, { headers })).toEqual([]);
  });
  it('notes a valid chain and flags a broken one', async () => {
    const seals = [{ instance: 1, domain: 'google.com', selector: 'arc-2016', result: 'none' }];
    expect(codesOf(await runCheck(check, { headers, arc: { result: 'pass', instances: 1, seals } }))).toEqual(['arc/pass']);
    const broken = await runCheck(check, { headers, arc: { result: 'fail', instances: 3, comment: 'i=3 seal does not verify', seals } });
    expect(codesOf(broken)).toEqual(['arc/fail']);
    expect(broken[0]!.detail).toContain('i=3 seal does not verify');
  });
});
