// The ARC chain (RFC 8617): intermediaries' seals vouching for what they received.
import type { CheckInput, CodeDoc, Finding, MessageCheck } from '../model.ts';

const codes: Record<string, CodeDoc> = {
  'arc/pass': {
    severity: 'info',
    meaning: 'The ARC chain of intermediaries validates (every seal and the newest message signature verify).',
  },
  'arc/fail': {
    severity: 'weak',
    meaning:
      'The ARC chain is broken: a seal or the newest ARC message signature does not verify, or the chain is malformed; the message changed between or after intermediaries.',
  },
};

function run(input: CheckInput): Finding[] {
  const a = input.verification.arc;
  const evidence = { instances: a.instances, comment: a.comment, seals: a.seals };
  if (a.result === 'pass') {
    const by = a.seals
      .map((s) => s.domain)
      .filter(Boolean)
      .join(', ');
    return [
      {
        check: 'arc',
        code: 'arc/pass',
        severity: 'info',
        detail: `The ARC chain of ${a.instances} set(s)${by ? ` (sealed by ${by})` : ''} validates.`,
        evidence,
      },
    ];
  }
  if (a.result === 'fail') {
    return [
      {
        check: 'arc',
        code: 'arc/fail',
        severity: 'weak',
        detail: `The ARC chain of ${a.instances} set(s) does not validate${a.comment ? ` (${a.comment})` : ''}.`,
        evidence,
      },
    ];
  }
  return [];
}

export const check: MessageCheck = { id: 'arc', title: 'ARC chain', codes, run };
