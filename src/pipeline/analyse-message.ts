// One message through the stages: bytes -> parse -> verify -> checks -> verdict. No I/O besides
// live DNS when it was asked for; the caller stores the result.
import { createHash } from 'node:crypto';
import type { AnalysedMessage, CheckContext, Finding, ParsedMessage, Verification } from '../model.ts';
import { parseMessage } from '../parse/parse-message.ts';
import { verifyMessage } from '../verify/verify-message.ts';
import { unquoteMboxFrom } from '../verify/mbox-quoting.ts';
import { splitHeaderSection } from '../parse/header-section.ts';
import type { VerifyOptions } from '../verify/verify-message.ts';
import { runChecks } from '../checks/index.ts';
import { decideVerdict } from '../verdict/decide-verdict.ts';

export function hashBytes(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function emptyParsed(reason: string): ParsedMessage {
  return {
    headers: [], from: [], sender: [], replyTo: [], to: [], cc: [], dateRaw: null, dateEpoch: null, messageId: null,
    inReplyTo: null, references: [], subject: null, listId: null, received: [], mailer: null, text: null, html: null,
    attachments: [], problems: [{ code: 'parse/failed', reason }],
  };
}

export async function analyseMessage(bytes: Buffer, verify: VerifyOptions, sha256 = hashBytes(bytes)): Promise<AnalysedMessage> {
  const stageErrors: Finding[] = [];
  const stageNotes: Finding[] = [];
  let parsed: ParsedMessage;
  try {
    parsed = await parseMessage(bytes);
  } catch (err) {
    parsed = emptyParsed(`the message could not be parsed: ${(err as Error).message}`);
  }
  let verification: Verification;
  try {
    verification = await verifyMessage(bytes, parsed, verify);
  } catch (err) {
    verification = { asOf: verify.now, asOfSource: 'import', signatures: [], arc: { result: 'none', instances: 0, comment: 'not verified', seals: [] }, fetchedKeys: [] };
    stageErrors.push({
      check: 'verify',
      code: 'verify/error',
      severity: 'info',
      detail: `Verification failed on this message (${(err as Error).message}); no signature result is available.`,
      evidence: {},
    });
  }
  const retried = await retryUnquotedFrom(bytes, verification, verify);
  if (retried) {
    verification = retried.verification;
    stageNotes.push(retried.note);
  }
  const context: CheckContext = { signingDomains: verify.keys.signingDomains() };
  const findings = [...parseFindings(parsed), ...stageErrors, ...stageNotes, ...runChecks({ parsed, verification, context })];
  // An errored stage or check must never leave a message looking verified: what it would have
  // found is unknown.
  const errored = stageErrors.length > 0 || findings.some((f) => f.code === 'check/error');
  const verdict = decideVerdict(errored ? findings.filter((f) => f.code !== 'dkim/pass') : findings);
  return { sha256, bytes, parsed, verification, findings, verdict };
}

/**
 * A body hash that fails on a body with ">From " lines may be the mbox format's escaping, not an
 * edit. Verify the unescaped body too; keep that result only if it makes more signatures pass, and
 * say so in a finding.
 */
async function retryUnquotedFrom(bytes: Buffer, v: Verification, verify: VerifyOptions): Promise<{ verification: Verification; note: Finding } | null> {
  if (!v.signatures.some((s) => s.bodyHash === 'fail')) return null;
  const unquoted = unquoteMboxFrom(bytes, splitHeaderSection(bytes).bodyStart);
  if (!unquoted) return null;
  const again = await verifyMessage(unquoted, await parseMessage(unquoted), verify);
  const passes = (x: Verification) => x.signatures.filter((s) => s.result === 'pass').length;
  if (passes(again) <= passes(v)) return null;
  return {
    verification: again,
    note: {
      check: 'verify',
      code: 'verify/mbox-from-unquoted',
      severity: 'info',
      detail: 'The body has lines starting ">From ", the escaping an mbox file adds; with that escaping undone the signature verifies, so the signed body differs from the stored bytes only by it.',
      evidence: { passesAsStored: passes(v), passesUnquoted: passes(again) },
    },
  };
}

function parseFindings(p: ParsedMessage): Finding[] {
  return p.problems.map((x) => ({ check: 'parse', code: x.code, severity: 'info' as const, detail: cap(x.reason) + '.', evidence: {} }));
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
