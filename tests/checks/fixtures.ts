// Builds a CheckInput from header lines and signature fields, so a check's test reads like the
// message it describes. The message is written out as bytes and read by the real parser
// (src/parse/parse-message.ts), so checks are tested on what they will see on real mail.
import type { CheckInput, Finding, MessageCheck, SignatureCheck, Verification } from '../../src/model.ts';
import { parseMessage } from '../../src/parse/parse-message.ts';

/** The fixed clock of the check tests: 2025-04-01 10:00:00 UTC. */
export const T0 = Date.UTC(2025, 3, 1, 10, 0, 0) / 1000;

export interface MessageSpec {
  /** Header lines top to bottom, "Name: value"; a value may be folded with "\r\n ". */
  headers: string[];
  signatures?: Partial<SignatureCheck>[];
  /** Verification time; default: the top Received hop, else T0. */
  asOf?: number;
  asOfSource?: Verification['asOfSource'];
  arc?: Partial<Verification['arc']>;
  /** The body after the blank line; default a one-line text. */
  body?: string;
  listUndo?: Verification['listUndo'];
}

/** A signature that passed, over the usual headers, unless told otherwise. */
export function signature(fields: Partial<SignatureCheck> & { domain: string }, fromDomain = ''): SignatureCheck {
  const selector = fields.selector ?? 's1';
  const d = fields.domain.toLowerCase();
  return {
    index: 0,
    selector,
    algorithm: 'rsa-sha256',
    canonicalization: 'relaxed/relaxed',
    version: '1',
    identity: null,
    signedHeaders: ['from', 'to', 'subject', 'date', 'message-id'],
    bodyLength: null,
    signTime: null,
    expiresAt: null,
    bodyHash: 'pass',
    bodyHashComputed: null,
    bodyHashExpected: null,
    headerSignature: 'pass',
    keyMade: 'unknown',
    result: 'pass',
    comment: '',
    problem: null,
    keyType: 'rsa',
    keyBits: 2048,
    keyName: `${selector}._domainkey.${d}`,
    keySource: 'test',
    keyRevoked: false,
    keyFirstSeen: null,
    keyLastSeen: null,
    keyError: null,
    aligned: fromDomain !== '' && (fromDomain === d || fromDomain.endsWith(`.${d}`) || d.endsWith(`.${fromDomain}`)),
    unsignedBodyBytes: 0,
    ...fields,
  };
}

/** The bytes of a message with these header lines (CRLF line ends) and a short body. */
export function messageBytes(headers: string[], body = 'Hello.\r\n'): Buffer {
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}`, 'utf8');
}

/** The CheckInput a message with these headers and signatures would give the checks. */
export async function message(spec: MessageSpec): Promise<CheckInput> {
  const parsed = await parseMessage(messageBytes(spec.headers, spec.body));
  const received = parsed.received;
  const asOf = spec.asOf ?? received.find((h) => h.epoch !== null)?.epoch ?? T0;
  return {
    parsed,
    verification: {
      asOf,
      asOfSource: spec.asOfSource ?? (spec.asOf === undefined && received.length > 0 ? 'received' : 'import'),
      signatures: (spec.signatures ?? []).map((s, index) => signature({ domain: '', ...s, index }, parsed.from[0]?.domain ?? '')),
      arc: { result: 'none', instances: 0, comment: '', seals: [], ...spec.arc },
      fetchedKeys: [],
      ...(spec.listUndo ? { listUndo: spec.listUndo } : {}),
    },
  };
}

/** A Received line, as a relay would write it. */
export function received(by: string, time: string, from = 'relay.example.net'): string {
  return `Received: from ${from} by ${by} with ESMTPS id 4Xy1; ${time}`;
}

/** The codes of some findings, in order: what most assertions compare. */
export function codesOf(findings: Finding[]): string[] {
  return findings.map((f) => f.code);
}

/** Runs a check on the message and checks the shape every finding must have. */
export async function runCheck(check: MessageCheck, spec: MessageSpec): Promise<Finding[]> {
  const findings = check.run(await message(spec));
  for (const f of findings) {
    if (f.check !== check.id) throw new Error(`finding of ${f.check} from ${check.id}`);
    if (check.codes[f.code]?.severity !== f.severity)
      throw new Error(`${f.code} has severity ${f.severity}, documented ${check.codes[f.code]?.severity}`);
    if (!/^[A-Z].*[.]$/.test(f.detail)) throw new Error(`detail is not one sentence: ${f.detail}`);
    JSON.stringify(f.evidence); // must serialise
  }
  return findings;
}
