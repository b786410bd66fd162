import { describe, expect, it } from 'vitest';
import { decideVerdict } from '../../src/verdict/decide-verdict.ts';
import type { Finding, Severity } from '../../src/model.ts';

const f = (code: string, severity: Severity, signature?: number, explains?: string[]): Finding => ({
  check: code.split('/')[0]!,
  code,
  severity,
  detail: `Detail of ${code}.`,
  evidence: {},
  ...(signature === undefined ? {} : { signature }),
  ...(explains === undefined ? {} : { explains }),
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
      'Verified: Detail of dkim/pass. Another finding does not undo the proof but is worth reading: Detail of received-order/out-of-order.',
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

  it('never gives verified on unknown evidence', () => {
    for (const code of ['dkim/key-unknown', 'dkim/temperror', 'dkim/weak-key', 'dkim/sha1', 'dkim/unaligned']) {
      expect(decideVerdict([f(code, 'info', 0)]).verdict).toBe('unverifiable');
    }
  });

  it('errored → never verified: a dkim/pass beside an errored stage or check does not prove the message', () => {
    // The pass alone is proof; the same pass with any stage error is not.
    expect(decideVerdict([f('dkim/pass', 'info', 0)]).verdict).toBe('verified');
    for (const errored of ['verify/error', 'check/error', 'analyse/failed', 'parse/failed']) {
      const v = decideVerdict([f('dkim/pass', 'info', 0), f(errored, 'info')]);
      expect(v.verdict, errored).toBe('unverifiable');
      expect(v.reasons).toContain(errored);
    }
    // Nor does a copy proof.
    expect(decideVerdict([f('archive-copies/same-as-verified', 'info'), f('check/error', 'info')]).verdict).toBe('unverifiable');
  });

  it('ties a broken signature to the signature index it is about, not to evidence', () => {
    const other: Finding = { ...f('dkim/body-hash-mismatch', 'strong'), evidence: { signature: 0 } };
    // Without the typed index the finding is about no signature: it cannot undo a proof of signature 0.
    expect(decideVerdict([f('dkim/pass', 'info', 0), other]).verdict).toBe('verified');
    expect(decideVerdict([f('dkim/pass', 'info', 0), f('dkim/body-hash-mismatch', 'strong', 0)]).verdict).toBe('tampered');
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

describe('decideVerdict with explanations', () => {
  it('sets an explained finding aside, keeps it among the reasons, and says why in the summary', () => {
    const v = decideVerdict([
      f('dkim/unsigned', 'info'),
      f('dkim/missing-signature', 'weak'),
      f('mailbox/sent-copy', 'info', undefined, ['dkim/missing-signature']),
    ]);
    expect(v.verdict).toBe('unverifiable');
    expect(v.reasons).toEqual(['dkim/unsigned', 'mailbox/sent-copy', 'dkim/missing-signature']);
    expect(v.summary).toContain('Detail of mailbox/sent-copy.');
    // Without the explanation the same finding decides.
    expect(decideVerdict([f('dkim/unsigned', 'info'), f('dkim/missing-signature', 'weak')]).verdict).toBe('suspicious');
  });

  it('explains only the signature it names', () => {
    const undo = f('list/author-text-verifies', 'info', 1, ['dkim/body-hash-mismatch']);
    expect(decideVerdict([f('dkim/body-hash-mismatch', 'weak', 1), undo]).verdict).toBe('unverifiable');
    expect(decideVerdict([f('dkim/body-hash-mismatch', 'weak', 0), undo]).verdict).toBe('suspicious');
  });

  it('never explains away a proof or a stage error, and never makes anything verified', () => {
    const sneaky = f('x/explainer', 'info', undefined, ['dkim/pass', 'check/error', 'dkim/bad-signature']);
    expect(decideVerdict([f('dkim/pass', 'info', 0), f('check/error', 'info'), sneaky]).verdict).toBe('unverifiable');
    expect(decideVerdict([f('dkim/bad-signature', 'strong', 0), sneaky]).verdict).toBe('unverifiable');
    expect(decideVerdict([sneaky]).verdict).toBe('unverifiable');
  });

  it('verifies through a copy proof with its own reason code, and a non-DKIM strong finding still undoes it', () => {
    const copy = f('archive-copies/same-as-verified', 'info');
    const v = decideVerdict([copy, f('dkim/unsigned', 'info')]);
    expect(v.verdict).toBe('verified');
    expect(v.reasons[0]).toBe('archive-copies/same-as-verified');
    expect(v.summary).toBe('Verified: Detail of archive-copies/same-as-verified.');
    expect(decideVerdict([copy, f('dkim/body-hash-mismatch', 'strong', 0)]).verdict).toBe('verified');
    expect(decideVerdict([copy, f('duplicate-headers/unsigned-copy', 'strong')]).verdict).toBe('tampered');
  });
});
