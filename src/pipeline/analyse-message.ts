// One message through the stages: bytes -> parse -> verify -> checks -> verdict. No I/O besides
// live DNS when it was asked for; the caller stores the result.
import { createHash } from 'node:crypto';
import type { AnalysedMessage, CheckContext, Finding, ParsedMessage, Verification } from '../model.ts';
import { parseMessage } from '../parse/parse-message.ts';
import { verifyMessage } from '../verify/verify-message.ts';
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
  const context: CheckContext = { signingDomains: verify.keys.signingDomains() };
  const findings = [...parseFindings(parsed), ...stageErrors, ...runChecks({ parsed, verification, context })];
  // An errored stage or check must never leave a message looking verified: what it would have
  // found is unknown.
  const errored = stageErrors.length > 0 || findings.some((f) => f.code === 'check/error');
  const verdict = decideVerdict(errored ? findings.filter((f) => f.code !== 'dkim/pass') : findings);
  return { sha256, bytes, parsed, verification, findings, verdict };
}

function parseFindings(p: ParsedMessage): Finding[] {
  return p.problems.map((x) => ({ check: 'parse', code: x.code, severity: 'info' as const, detail: cap(x.reason) + '.', evidence: {} }));
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
