// Findings -> verdict, by the rules of ../shared/DESIGN.md "Verdicts". Pure: the verdict is decided from
// findings only, so the same findings always give the same verdict and the reasons show why.
import type { Finding, Severity, Verdict } from '../model.ts';

const RANK: Record<Severity, number> = { strong: 0, weak: 1, info: 2 };

/**
 * The only findings that prove a message: a signature that verifies (`dkim/pass`), or content
 * identical to a copy that such a signature proves (`archive-copies/same-as-verified`).
 */
export const PROOF_CODES: ReadonlySet<string> = new Set(['dkim/pass', 'archive-copies/same-as-verified']);

/**
 * Records of a stage or check that could not do its work. What it would have found is unknown, so
 * a message carrying one is never verified, whatever else it carries.
 */
export const ERRORED_CODES: ReadonlySet<string> = new Set(['verify/error', 'check/error', 'analyse/failed', 'parse/failed']);

/**
 * Strong findings of a DKIM signature other than the proving one do not undo the proof: a list
 * re-signs what it changed, and a junk signature added by anyone cannot alter signed content. A
 * copy proof rests on content equal to a verified copy, which the message's own broken signature
 * cannot contradict. Strong findings of any other kind (an unsigned copy of a signed header) do.
 */
function contradictsProof(f: Finding, proofSignatures: Set<number | undefined>): boolean {
  if (f.severity !== 'strong') return false;
  if (f.check !== 'dkim') return true;
  return f.signature !== undefined && proofSignatures.has(f.signature);
}

/**
 * Findings that make a valid signature prove the wrong thing: the From domain imitates another, so
 * the signature proves only that the imitation sent the message. The message is suspicious, not
 * verified, though nothing in it was altered.
 */
export const MISLEADS_PROOF: ReadonlySet<string> = new Set(['archive-lookalike/from', 'lookalike-domain/from']);

/** Context findings that qualify a proof: the summary of a verified message repeats them. */
const QUALIFIES_PROOF = new Set(['verify/mbox-from-unquoted']);

/**
 * Findings another finding explains (a sent copy explains its missing signature; a list footer
 * undone explains a body-hash mismatch). An explanation about one signature explains only findings
 * about that signature. Proofs and stage errors are never explained away.
 */
function splitExplained(findings: Finding[]): { counted: Finding[]; explainedBy: Map<Finding, Finding> } {
  const explainers = findings.filter((f) => f.explains !== undefined && f.explains.length > 0);
  const explainedBy = new Map<Finding, Finding>();
  for (const f of findings) {
    if (PROOF_CODES.has(f.code) || ERRORED_CODES.has(f.code)) continue;
    const by = explainers.find(
      (e) => e !== f && e.explains!.includes(f.code) && (e.signature === undefined || e.signature === f.signature),
    );
    if (by) explainedBy.set(f, by);
  }
  return { counted: findings.filter((f) => !explainedBy.has(f)), explainedBy };
}

export function decideVerdict(findings: Finding[]): Verdict {
  const { counted, explainedBy } = splitExplained(findings);
  const sorted = [...counted].sort((a, b) => RANK[a.severity] - RANK[b.severity]);
  const errored = findings.some((f) => ERRORED_CODES.has(f.code));
  // An errored stage or check must never leave a message looking verified.
  const proofs = errored ? [] : findings.filter((f) => PROOF_CODES.has(f.code));
  const proofSigs = new Set(proofs.filter((p) => p.code === 'dkim/pass').map((p) => p.signature));
  const strong = sorted.filter((f) => f.severity === 'strong');
  const weak = sorted.filter((f) => f.severity === 'weak');
  // Explained findings are listed last among the reasons: on record, but they decided nothing.
  const all = [...sorted, ...explainedBy.keys()];

  if (proofs.length > 0) {
    const against = strong.filter((f) => contradictsProof(f, proofSigs));
    const misleading = sorted.filter((f) => MISLEADS_PROOF.has(f.code));
    if (against.length === 0 && misleading.length > 0) {
      const rest = weak.filter((f) => f.code !== misleading[0]!.code);
      return {
        verdict: 'suspicious',
        summary: `Suspicious: ${misleading[0]!.detail} The signature verifies, but it proves only who signed, not the sender a reader sees.${more([misleading[0]!, ...rest])}`,
        reasons: reasons(misleading, all, explainedBy),
      };
    }
    if (against.length === 0) {
      const lead = proofs.find((p) => p.code === 'dkim/pass') ?? proofs[0]!;
      const rest = sorted.filter((f) => !PROOF_CODES.has(f.code) && f.severity !== 'info');
      const note = rest.length
        ? ` ${rest.length === 1 ? 'Another finding does' : `${rest.length} other findings do`} not undo the proof but ${rest.length === 1 ? 'is' : 'are'} worth reading: ${rest[0]!.detail}`
        : '';
      const qualifier = findings
        .filter((f) => QUALIFIES_PROOF.has(f.code))
        .map((f) => ` ${f.detail}`)
        .join('');
      return {
        verdict: 'verified',
        summary: `Verified: ${lead.detail}${qualifier}${note}`,
        reasons: reasons([lead, ...proofs], all, explainedBy),
      };
    }
    return { verdict: 'tampered', summary: `Tampered: ${against[0]!.detail}${more(against)}`, reasons: reasons(against, all, explainedBy) };
  }
  if (strong.length > 0)
    return { verdict: 'tampered', summary: `Tampered: ${strong[0]!.detail}${more(strong)}`, reasons: reasons(strong, all, explainedBy) };
  if (weak.length > 0)
    return { verdict: 'suspicious', summary: `Suspicious: ${weak[0]!.detail}${more(weak)}`, reasons: reasons(weak, all, explainedBy) };
  const info = sorted.filter((f) => f.check === 'dkim' || f.check === 'arc');
  // Without a signature's own finding to open with, what explains the others says why best.
  const lead = info.find((f) => f.code !== 'arc/pass') ?? info[0] ?? sorted.find((f) => (f.explains?.length ?? 0) > 0) ?? sorted[0];
  const why = lead ? lead.detail : 'No signature could be checked.';
  // The lead may be an explanation itself (no other finding to open with): said once.
  const explained = unique([...explainedBy.values()].map((e) => e.detail)).filter((d) => d !== why);
  const setAside = explained.length > 0 ? ` ${explained.join(' ')}` : '';
  return {
    verdict: 'unverifiable',
    summary: `Unverifiable: ${why}${setAside} Nothing in the message is inconsistent, but nothing proves it either.`,
    reasons: reasons(lead ? [lead] : [], all, explainedBy),
  };
}

/** The deciding codes first, then every other counted non-info code, then the rest in order; each once. */
function reasons(deciding: Finding[], all: Finding[], explained: ReadonlyMap<Finding, Finding>): string[] {
  const counted = all.filter((f) => !explained.has(f));
  return unique([
    ...deciding.map((f) => f.code),
    ...counted.filter((f) => f.severity !== 'info').map((f) => f.code),
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
