import { describe, expect, it } from 'vitest';
import { decideVerdict } from '../../src/verdict/decide-verdict.ts';
import type { Finding, Severity } from '../../src/model.ts';

const f = (code: string, severity: Severity, signature?: number): Finding => ({
  check: code.split('/')[0]!,
  code,
  severity,
  detail: `Detail of ${code}.`,
  evidence: signature === undefined ? {} : { signature },
});

describe('decideVerdict', () => {
  it('is verified only with a dkim/pass finding, naming it first', () => {
    const v = decideVerdict([f('dkim/pass', 'info', 0)]);
    expect(v.verdict).toBe('verified');
    expect(v.reasons).toEqual(['dkim/pass']);
    expect(v.summary).toMatch(/^Verified: Detail of dkim\/pass\./);
  });

  it('stays verified beside a broken signature of another domain, but not beside an unsigned header copy', () => {
    expect(decideVerdict([f('dkim/pass', 'info', 1), f('dkim/body-hash-mismatch', 'strong', 0)]).verdict).toBe('verified');
    const v = decideVerdict([f('dkim/pass', 'info', 0), f('duplicate-headers/unsigned-copy', 'strong')]);
    expect(v.verdict).toBe('tampered');
    expect(v.reasons[0]).toBe('duplicate-headers/unsigned-copy');
  });

  it('mentions weak findings on a verified message without undoing it', () => {
    const v = decideVerdict([f('dkim/pass', 'info', 0), f('received-order/out-of-order', 'weak')]);
    expect(v.verdict).toBe('verified');
    expect(v.summary).toBe(
      'Verified: Detail of dkim/pass. Another finding does not undo the signature but is worth reading: Detail of received-order/out-of-order.',
    );
  });

  it('writes a summary with no codes in it, counting the findings it does not quote', () => {
    const v = decideVerdict([f('dkim/bad-signature', 'strong', 0), f('duplicate-headers/unsigned-copy', 'strong'), f('arc/fail', 'weak')]);
    expect(v.summary).toBe('Tampered: Detail of dkim/bad-signature. One more finding points the same way.');
    expect(v.reasons).toEqual(['dkim/bad-signature', 'duplicate-headers/unsigned-copy', 'arc/fail']);
    const s = decideVerdict([f('arc/fail', 'weak'), f('received-order/out-of-order', 'weak'), f('message-id/foreign', 'weak')]);
    expect(s.summary).toBe('Suspicious: Detail of arc/fail. 2 more findings point the same way.');
  });

  it('orders tampered > suspicious > unverifiable', () => {
    expect(decideVerdict([f('dkim/bad-signature', 'strong', 0), f('arc/fail', 'weak')]).verdict).toBe('tampered');
    expect(decideVerdict([f('arc/fail', 'weak'), f('dkim/unsigned', 'info')]).verdict).toBe('suspicious');
    const u = decideVerdict([f('dkim/key-unknown', 'info', 0)]);
    expect(u.verdict).toBe('unverifiable');
    expect(u.reasons).toEqual(['dkim/key-unknown']);
    expect(decideVerdict([]).verdict).toBe('unverifiable');
  });

  it('never gives verified on unknown or errored evidence', () => {
    for (const codes of [['dkim/key-unknown'], ['dkim/temperror'], ['verify/error'], ['dkim/weak-key'], ['dkim/sha1']]) {
      expect(decideVerdict(codes.map((c) => f(c, 'info', 0))).verdict).not.toBe('verified');
    }
  });
});

describe('decideVerdict on signed content whose time is contradicted', () => {
  it('stays verified (the signature proves the content, Date included) and names the time finding', () => {
    const v = decideVerdict([f('dkim/pass', 'info', 0), f('dkim-time/far-from-date', 'weak')]);
    expect(v.verdict).toBe('verified');
    expect(v.reasons).toEqual(['dkim/pass', 'dkim-time/far-from-date']);
    expect(v.summary).toContain('Detail of dkim-time/far-from-date');
  });
});
