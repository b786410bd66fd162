// Builds a CheckInput from header lines and signature fields, so a check's test reads like the
// message it describes. The parsing here is deliberately simple (a stand-in for src/parse): enough
// for the headers the tests write, never used on real mail.
import type { Address, CheckInput, Finding, MessageCheck, RawHeader, ReceivedHop, SignatureCheck, Verification } from '../../src/model.ts';

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
}

function unfold(raw: string): string {
  return raw.replace(/\r?\n(?=[ \t])/g, '').trim();
}

function toRawHeaders(lines: string[]): RawHeader[] {
  return lines.map((raw, index) => {
    const colon = raw.indexOf(':');
    const name = raw.slice(0, colon);
    return { index, name, key: name.toLowerCase(), raw, value: unfold(raw.slice(colon + 1)) };
  });
}

/** Seconds, or null for what Date.parse cannot read (V8 reads RFC 5322 dates with zones). */
function parseTime(text: string | null): number | null {
  if (text === null) return null;
  const ms = Date.parse(text.replace(/\s*\([^)]*\)\s*$/, ''));
  return Number.isNaN(ms) ? null : ms / 1000;
}

function toHop(h: RawHeader, index: number): ReceivedHop {
  const semicolon = h.value.lastIndexOf(';');
  const written = semicolon >= 0 ? h.value.slice(semicolon + 1).trim() : null;
  const epoch = parseTime(written);
  return {
    index,
    from: /\bfrom\s+(\S+)/i.exec(h.value)?.[1] ?? null,
    by: /\bby\s+(\S+)/i.exec(h.value)?.[1] ?? null,
    time: epoch === null ? null : new Date(epoch * 1000).toISOString(),
    epoch,
    zone: written === null ? null : (/([+-]\d{4}|[A-Z]{2,4})\s*(\([^)]*\))?$/.exec(written)?.[1] ?? null),
    raw: h.raw,
  };
}

function toAddresses(value: string | undefined): Address[] {
  if (value === undefined) return [];
  return value.split(',').map((part) => {
    const address = (/<([^>]*)>/.exec(part)?.[1] ?? part).trim();
    const name = part.includes('<') ? part.slice(0, part.indexOf('<')).trim().replace(/^"|"$/g, '') : '';
    return { name, address, domain: address.includes('@') ? address.split('@').pop()!.toLowerCase() : '' };
  });
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

/** The CheckInput a message with these headers and signatures would give the checks. */
export function message(spec: MessageSpec): CheckInput {
  const headers = toRawHeaders(spec.headers);
  const first = (key: string) => headers.find((h) => h.key === key)?.value;
  const received = headers.filter((h) => h.key === 'received').map(toHop);
  const from = toAddresses(first('from'));
  const dateRaw = first('date') ?? null;
  const asOf = spec.asOf ?? received.find((h) => h.epoch !== null)?.epoch ?? T0;
  return {
    parsed: {
      headers,
      from,
      sender: toAddresses(first('sender')),
      replyTo: toAddresses(first('reply-to')),
      to: toAddresses(first('to')),
      cc: toAddresses(first('cc')),
      dateRaw,
      dateEpoch: parseTime(dateRaw),
      messageId: first('message-id') ?? null,
      inReplyTo: first('in-reply-to') ?? null,
      references: (first('references') ?? '').split(/\s+/).filter((r) => r !== ''),
      subject: first('subject') ?? null,
      listId: first('list-id') ?? null,
      received,
      mailer: first('x-mailer') ?? first('user-agent') ?? null,
      text: 'Hello.\r\n',
      html: null,
      attachments: [],
      problems: [],
    },
    verification: {
      asOf,
      asOfSource: spec.asOfSource ?? (spec.asOf === undefined && received.length > 0 ? 'received' : 'import'),
      signatures: (spec.signatures ?? []).map((s, index) => signature({ domain: '', ...s, index }, from[0]?.domain ?? '')),
      arc: { result: 'none', instances: 0, comment: '', seals: [], ...spec.arc },
      fetchedKeys: [],
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
export function runCheck(check: MessageCheck, spec: MessageSpec): Finding[] {
  const findings = check.run(message(spec));
  for (const f of findings) {
    if (f.check !== check.id) throw new Error(`finding of ${f.check} from ${check.id}`);
    if (check.codes[f.code]?.severity !== f.severity)
      throw new Error(`${f.code} has severity ${f.severity}, documented ${check.codes[f.code]?.severity}`);
    if (!/^[A-Z].*[.]$/.test(f.detail)) throw new Error(`detail is not one sentence: ${f.detail}`);
    JSON.stringify(f.evidence); // must serialise
  }
  return findings;
}
