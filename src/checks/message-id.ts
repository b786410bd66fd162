// Mail programs and web mail services write Message-IDs in shapes of their own. A forger who copies
// headers from one message and a Message-ID from another, or writes "X-Mailer: Microsoft Outlook"
// into a message made elsewhere, leaves an ID that points to a different platform than the rest.
import type { CheckInput, Finding, MessageCheck } from '../model.ts';

const ID = 'message-id';

interface Platform {
  name: string;
  /** Right sides only this platform's servers write (web mail assigns the ID server-side). */
  mintsId: ((right: string) => boolean) | null;
  /** Left-side shape its client writes; only used to say where an ID points. */
  idShape: RegExp | null;
  /** How the program names itself in X-Mailer or User-Agent. */
  mailer: RegExp | null;
  /** Traces its servers leave: signing domains, relay host names, header name prefixes. */
  servers: { signers: RegExp; hosts: RegExp; headerPrefixes: string[] } | null;
}

/** Platforms, from their own messages and the headers they document; one row each. */
const PLATFORMS: Platform[] = [
  // Gmail web and apps: <CA…@mail.gmail.com>, no X-Mailer; outgoing mail signed d=gmail.com (or
  // *.gappssmtp.com for Workspace), X-Google-*/X-Gm-* headers, relays named *.google.com.
  {
    name: 'Gmail',
    mintsId: (r) => r === 'mail.gmail.com',
    idShape: null,
    mailer: null,
    servers: {
      signers: /^(gmail\.com|googlemail\.com|google\.com|.+\.gappssmtp\.com)$/,
      hosts: /(^|\.)(google\.com|gmail\.com|googlemail\.com)$/,
      headerPrefixes: ['x-google-', 'x-gm-'],
    },
  },
  // Outlook with Exchange Online / Outlook.com: ID from the mailbox server, <…@…prod.outlook.com>;
  // transport adds X-MS-Exchange-* headers. Outlook without Exchange writes <…$…$…$@domain>.
  {
    name: 'Outlook / Exchange',
    mintsId: (r) => /(^|\.)outlook\.com$/.test(r),
    idShape: /^[0-9a-f]+\$[0-9a-f]+\$[0-9a-f]+\$?$/i,
    mailer: /\bMicrosoft (Office )?Outlook\b|\bMicrosoft-MacOutlook\b|\bMicrosoft Exchange\b/i,
    servers: {
      signers: /(^|\.)(onmicrosoft\.com|outlook\.com|hotmail\.com|live\.com)$/,
      hosts: /(^|\.)(outlook\.com|office365\.com|hotmail\.com)$/,
      headerPrefixes: ['x-ms-exchange-', 'x-microsoft-'],
    },
  },
  // Yahoo Mail web and apps: <digits.digits.digits@mail.yahoo.com>, X-Mailer "WebService/… YahooMail…".
  {
    name: 'Yahoo Mail',
    mintsId: (r) => /(^|\.)yahoo\.com$/.test(r),
    idShape: null,
    mailer: /YahooMail|YMail/i,
    servers: {
      signers: /(^|\.)(yahoo\.[a-z.]+|ymail\.com|aol\.com)$/,
      hosts: /(^|\.)(yahoo\.com|yahoodns\.net)$/,
      headerPrefixes: ['x-ymail-', 'x-yahoo-'],
    },
  },
  // Apple Mail (macOS, iOS): X-Mailer "Apple Mail (…)" / "iPhone Mail (…)", ID <UPPER-CASE-UUID@host>.
  {
    name: 'Apple Mail',
    mintsId: null,
    idShape: /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/,
    mailer: /^(Apple Mail|iPhone Mail|iPad Mail)\b/i,
    servers: null,
  },
  // Thunderbird: User-Agent "Mozilla/5.0 … Thunderbird/…"; ID <lower-case-uuid@domain> (older
  // versions <8HEX.7DIGITS@domain>).
  {
    name: 'Thunderbird',
    mintsId: null,
    idShape: /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9A-F]{8}\.\d{7})$/,
    mailer: /Thunderbird/i,
    servers: null,
  },
];

const GMAIL = PLATFORMS[0]!;
const GMAIL_ADDRESS_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/** A hop where a mail program logged in to submit (ESMTPSA and kin): the ID is the program's own. */
const AUTHENTICATED_SUBMISSION = /\bwith\s+E?SMTPS?A\b/i;

function hostOf(field: string | null): string {
  return (field ?? '').trim().split(/[\s(]/)[0]!.toLowerCase().replace(/\.$/, '');
}

/** What shows that the message passed through the platform's servers, or null. */
function serverTrace(p: Platform, { parsed, verification }: CheckInput): string | null {
  if (!p.servers) return null;
  const { signers, hosts, headerPrefixes } = p.servers;
  const sig = verification.signatures.find((s) => signers.test(s.domain.toLowerCase()));
  if (sig) return `a DKIM signature of ${sig.domain}`;
  const hop = parsed.received.find((h) => hosts.test(hostOf(h.by)) || hosts.test(hostOf(h.from)));
  if (hop) return `a Received hop through ${hosts.test(hostOf(hop.by)) ? hostOf(hop.by) : hostOf(hop.from)}`;
  const header = parsed.headers.find((h) => headerPrefixes.some((prefix) => h.key.startsWith(prefix)));
  return header ? `the ${header.name} header` : null;
}

function describeId(left: string, right: string): string {
  const minted = PLATFORMS.find((p) => p.mintsId?.(right));
  if (minted) return `its domain ${right} is one ${minted.name} servers write`;
  const shaped = PLATFORMS.find((p) => p.idShape?.test(left));
  return shaped ? `it has the shape ${shaped.name} writes` : 'it matches none of the known platforms';
}

/** Where the headers other than Message-ID point, and what shows it; null when they say nothing clear. */
function mismatch(input: CheckInput, left: string, right: string): { platform: string; clues: string; idPoints: string } | null {
  const { parsed } = input;
  // Gmail's web and apps always write <…@mail.gmail.com>; a mail program using Gmail's servers
  // logs in over SMTP (an ESMTPSA hop) and keeps its own ID, so that case is left out.
  const gmailTrace = serverTrace(GMAIL, input);
  const fromGmail = parsed.from.find((a) => GMAIL_ADDRESS_DOMAINS.has(a.domain));
  if (
    fromGmail &&
    parsed.mailer === null &&
    gmailTrace &&
    !parsed.received.some((h) => AUTHENTICATED_SUBMISSION.test(h.raw)) &&
    right !== 'mail.gmail.com'
  ) {
    return {
      platform: 'Gmail web or app',
      clues: `From ${fromGmail.address}, ${gmailTrace}, no X-Mailer`,
      idPoints: `Gmail writes <…@mail.gmail.com>, and ${describeId(left, right)}`,
    };
  }
  // An ID only a web platform's servers write, on a message that never touched those servers,
  // while the headers point to another platform.
  const minter = PLATFORMS.find((p) => p.mintsId?.(right));
  if (!minter || serverTrace(minter, input) !== null) return null;
  const byMailer = PLATFORMS.find((p) => p !== minter && parsed.mailer !== null && p.mailer?.test(parsed.mailer));
  if (byMailer)
    return {
      platform: byMailer.name,
      clues: `mailer "${parsed.mailer}"`,
      idPoints: `${describeId(left, right)}, yet nothing shows the message passed through ${minter.name}`,
    };
  for (const p of PLATFORMS.filter((q) => q !== minter)) {
    const trace = serverTrace(p, input);
    if (trace)
      return {
        platform: p.name,
        clues: trace,
        idPoints: `${describeId(left, right)}, yet nothing shows the message passed through ${minter.name}`,
      };
  }
  return null;
}

export const check: MessageCheck = {
  id: ID,
  title: 'Message-ID shape against the sending platform',
  codes: {
    [`${ID}/missing`]: { severity: 'info', meaning: 'The message has no Message-ID header.' },
    [`${ID}/malformed`]: {
      severity: 'info',
      meaning: 'The Message-ID is not one left@right pair inside angle brackets (RFC 5322 msg-id).',
    },
    [`${ID}/platform-mismatch`]: {
      severity: 'weak',
      meaning: 'The Message-ID has the shape or domain of another mail platform than the one the other headers show.',
    },
  },
  run(input: CheckInput): Finding[] {
    const { parsed } = input;
    const written = (parsed.headers.find((h) => h.key === 'message-id')?.value ?? parsed.messageId ?? '').trim();
    if (written === '') {
      return [
        {
          check: ID,
          code: `${ID}/missing`,
          severity: 'info',
          detail: 'The message has no Message-ID header.',
          evidence: { messageId: null },
        },
      ];
    }
    const m = /^<([^<>\s@]+)@([^<>\s@]+)>$/.exec(written);
    if (!m) {
      return [
        {
          check: ID,
          code: `${ID}/malformed`,
          severity: 'info',
          detail: `The Message-ID "${written}" is not of the form <left@right>.`,
          evidence: { messageId: written },
        },
      ];
    }
    const [left, right] = [m[1]!, m[2]!.toLowerCase()];
    const found = mismatch(input, left, right);
    if (!found) return [];
    return [
      {
        check: ID,
        code: `${ID}/platform-mismatch`,
        severity: 'weak',
        detail: `The headers point to ${found.platform} (${found.clues}) but the Message-ID ${written} does not fit it: ${found.idPoints}.`,
        evidence: {
          messageId: written,
          headersPoint: found.platform,
          clues: found.clues,
          messageIdPoints: found.idPoints,
          mailer: parsed.mailer,
        },
      },
    ];
  },
};
