// Findings -> verdict, by the rules of DESIGN.md "Verdicts". Pure: the verdict is decided from
// findings only, so the same findings always give the same verdict and the reasons show why.
import type { Finding, Severity, Verdict } from '../model.ts';

const RANK: Record<Severity, number> = { strong: 0, weak: 1, info: 2 };

/**
 * Strong findings of a DKIM signature other than the proving one do not undo the proof: a list
 * re-signs what it changed, and a junk signature added by anyone cannot alter signed content.
 * Strong findings of any other kind (an unsigned copy of a signed header) do.
 */
function contradictsProof(f: Finding, proofSignatures: Set<unknown>): boolean {
  if (f.severity !== 'strong') return false;
  if (f.check !== 'dkim') return true;
  return proofSignatures.has(f.evidence.signature);
}

/** Context findings that qualify a proof: the summary of a verified message repeats them. */
const QUALIFIES_PROOF = new Set(['verify/mbox-from-unquoted']);

export function decideVerdict(findings: Finding[]): Verdict {
  const sorted = [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity]);
  const proofs = findings.filter((f) => f.code === 'dkim/pass');
  const proofSigs = new Set(proofs.map((p) => p.evidence.signature));
  const strong = sorted.filter((f) => f.severity === 'strong');
  const weak = sorted.filter((f) => f.severity === 'weak');

  if (proofs.length > 0) {
    const against = strong.filter((f) => contradictsProof(f, proofSigs));
    if (against.length === 0) {
      const rest = sorted.filter((f) => f.code !== 'dkim/pass' && f.severity !== 'info');
      const note = rest.length
        ? ` ${rest.length === 1 ? 'Another finding does' : `${rest.length} other findings do`} not undo the signature but ${rest.length === 1 ? 'is' : 'are'} worth reading: ${rest[0]!.detail}`
        : '';
      const qualifier = findings
        .filter((f) => QUALIFIES_PROOF.has(f.code))
        .map((f) => ` ${f.detail}`)
        .join('');
      return { verdict: 'verified', summary: `Verified: ${proofs[0]!.detail}${qualifier}${note}`, reasons: reasons(proofs, sorted) };
    }
    return { verdict: 'tampered', summary: `Tampered: ${against[0]!.detail}${more(against)}`, reasons: reasons(against, sorted) };
  }
  if (strong.length > 0)
    return { verdict: 'tampered', summary: `Tampered: ${strong[0]!.detail}${more(strong)}`, reasons: reasons(strong, sorted) };
  if (weak.length > 0)
    return { verdict: 'suspicious', summary: `Suspicious: ${weak[0]!.detail}${more(weak)}`, reasons: reasons(weak, sorted) };
  const info = sorted.filter((f) => f.check === 'dkim' || f.check === 'arc');
  const lead = info.find((f) => f.code !== 'arc/pass') ?? info[0] ?? sorted[0];
  const why = lead ? lead.detail : 'No signature could be checked.';
  return {
    verdict: 'unverifiable',
    summary: `Unverifiable: ${why} Nothing in the message is inconsistent, but nothing proves it either.`,
    reasons: reasons(lead ? [lead] : [], sorted),
  };
}

/** The deciding codes first, then every other non-info code, then info codes; each once. */
function reasons(deciding: Finding[], all: Finding[]): string[] {
  return unique([
    ...deciding.map((f) => f.code),
    ...all.filter((f) => f.severity !== 'info').map((f) => f.code),
    ...all.map((f) => f.code),
  ]);
}

/**
 * The summary is quoted in print, so it names no codes (the reasons list has them): the first
 * finding's sentence, then how many more point the same way.
 */
function more(list: Finding[]): string {
  const others = unique(list.map((f) => f.code)).length - 1;
  if (others <= 0) return '';
  return ` ${others === 1 ? 'One more finding points' : `${others} more findings point`} the same way.`;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
