// One message through the stages: bytes -> parse -> verify -> checks -> verdict. No I/O besides
// live DNS when it was asked for; the caller stores the result.
import { sha256Hex } from '../common/sha256.ts';
import { capitalize } from '../common/text.ts';
import type { AnalysedMessage, CheckContext, Finding, ParsedMessage, Verification } from '../model.ts';
import { readMessage } from '../parse/parse-message.ts';
import type { BodyParser } from '../parse/parse-message.ts';
import type { MessageLayout } from '../parse/header-section.ts';
import { verifyMessage } from '../verify/verify-message.ts';
import { unquoteMboxFrom } from '../verify/mbox-quoting.ts';
import { undoListChanges } from '../verify/list-undo.ts';
import { undoMarks } from '../verify/mark-undo.ts';
import { splitHeaderSection } from '../parse/header-section.ts';
import type { VerifyOptions } from '../verify/verify-message.ts';
import { runChecks } from '../checks/index.ts';
import { collectMessageFacts } from '../checks/message-facts.ts';
import { decideVerdict } from '../verdict/decide-verdict.ts';

/** A message whose analysis went past its time limit (pool timer, or the deadline on the main thread). */
export class AnalyseTimeoutError extends Error {
  override name = 'AnalyseTimeoutError';
}

/** A message's id: the SHA-256 of its exact bytes. */
export const hashBytes = sha256Hex;

/** What is known of a message no stage could read: nothing, and the reason why. */
function emptyParsed(code: string, reason: string): ParsedMessage {
  return {
    headers: [],
    from: [],
    sender: [],
    replyTo: [],
    to: [],
    cc: [],
    dateRaw: null,
    dateEpoch: null,
    messageId: null,
    inReplyTo: null,
    references: [],
    subject: null,
    listId: null,
    received: [],
    mailer: null,
    text: null,
    html: null,
    attachments: [],
    problems: [{ code, reason }],
  };
}

function emptyVerification(now: number): Verification {
  return {
    asOf: now,
    asOfSource: 'import',
    signatures: [],
    arc: { result: 'none', instances: 0, comment: 'not verified', seals: [] },
    fetchedKeys: [],
  };
}

/**
 * A message whose analysis crashed or ran out of time: its bytes are still stored, with this record
 * and a verdict decided, like every other, from its one finding.
 */
export function unanalysedMessage(sha256: string, bytes: Buffer, reason: string, now: number): AnalysedMessage {
  const first = reason.split('\n')[0]!;
  const findings: Finding[] = [
    { check: 'analyse', code: 'analyse/failed', severity: 'info', detail: `The message could not be analysed (${first}).`, evidence: {} },
  ];
  return {
    sha256,
    bytes,
    parsed: emptyParsed('analyse/failed', first),
    verification: emptyVerification(now),
    findings,
    verdict: decideVerdict(findings),
  };
}

/**
 * `deadline` (ms since the epoch) is checked between the stages: with no worker to stop, the main
 * thread stops a message this way (each stage is linear in the message's size, and mailauth never
 * sees a header section it would take quadratic time on).
 */
export async function analyseMessage(
  bytes: Buffer,
  verify: VerifyOptions,
  sha256 = hashBytes(bytes),
  deadline = Infinity,
): Promise<AnalysedMessage> {
  const due = (): void => {
    if (Date.now() > deadline) throw new AnalyseTimeoutError(`analysis took longer than its time limit and was stopped`);
  };
  const stageErrors: Finding[] = [];
  const stageNotes: Finding[] = [];
  let parsed: ParsedMessage;
  let layout: MessageLayout | undefined;
  let bodyParser: BodyParser = 'none';
  try {
    ({ parsed, layout, bodyParser } = await readMessage(bytes));
  } catch (err) {
    parsed = emptyParsed('parse/failed', `the message could not be parsed: ${(err as Error).message}`);
  }
  due();
  let verification: Verification;
  try {
    verification = await verifyMessage(bytes, parsed, verify, layout);
  } catch (err) {
    verification = emptyVerification(verify.now);
    stageErrors.push({
      check: 'verify',
      code: 'verify/error',
      severity: 'info',
      detail: `Verification failed on this message (${(err as Error).message}); no signature result is available.`,
      evidence: {},
    });
  }
  due();
  const retried = await retryUnquotedFrom(bytes, parsed, verification, verify, layout);
  due();
  if (retried) {
    verification = retried.verification;
    stageNotes.push(retried.note);
  }
  const listUndo = undoListChanges(bytes, parsed, verification, verify.keys);
  if (listUndo.length > 0) verification = { ...verification, listUndo };
  const markUndo = undoMarks(bytes, parsed, verification, verify.keys);
  if (markUndo.length > 0) verification = { ...verification, markUndo };
  due();
  const context: CheckContext = { signingDomains: verify.keys.signingDomains() };
  const findings = [...parseFindings(parsed), ...stageErrors, ...stageNotes, ...runChecks({ parsed, verification, context })];
  // decideVerdict never verifies a message with an errored stage or check (ERRORED_CODES).
  const verdict = decideVerdict(findings);
  const facts = collectMessageFacts({ parsed, verification, context }, { verdict: verdict.verdict, findings });
  return { sha256, bytes, parsed, verification, findings, verdict, facts, bodyParser };
}

/**
 * A body hash that fails on a body with ">From " lines may be the mbox format's escaping, not an
 * edit. Verify the unescaped body too; keep that result only if it makes more signatures pass, and
 * say so in a finding.
 */
async function retryUnquotedFrom(
  bytes: Buffer,
  parsed: ParsedMessage,
  v: Verification,
  verify: VerifyOptions,
  layout: MessageLayout | undefined,
): Promise<{ verification: Verification; note: Finding } | null> {
  if (!v.signatures.some((s) => s.bodyHash === 'fail')) return null;
  const unquoted = unquoteMboxFrom(bytes, splitHeaderSection(bytes).bodyStart);
  if (!unquoted) return null;
  // Only body lines change, so the parsed headers (all verification reads of them) still hold; the
  // body's runs of base64 lines (found in the stored bytes, whose lines the unescaping shortens) do not.
  const again = await verifyMessage(unquoted, parsed, verify, layout && { ...layout, lineRuns: [] });
  const passes = (x: Verification) => x.signatures.filter((s) => s.result === 'pass').length;
  if (passes(again) <= passes(v)) return null;
  return {
    verification: again,
    note: {
      check: 'verify',
      code: 'verify/mbox-from-unquoted',
      severity: 'info',
      detail:
        'The body has lines starting ">From ", the escaping an mbox file adds; with that escaping undone the signature verifies, so the signed body differs from the stored bytes only by it.',
      evidence: { passesAsStored: passes(v), passesUnquoted: passes(again) },
    },
  };
}

function parseFindings(p: ParsedMessage): Finding[] {
  return p.problems.map((x) => ({
    check: 'parse',
    code: x.code,
    severity: 'info' as const,
    detail: capitalize(x.reason) + '.',
    evidence: {},
  }));
}
