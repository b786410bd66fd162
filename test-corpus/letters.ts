// Letters (what an author wrote) and their trip through mail servers: submission hop, DKIM
// signature, relay and delivery hops, each a few seconds apart, the way real Received chains read.
import { CRLF, addSeconds, formatDate, formatReceived, seededHex, type Hop, type MimeBody } from './message-text.ts';
import { signMessage, type SignSpec } from './sign.ts';

/** A sending organisation: its hosts, time zone, mail client and Message-ID style. */
export interface Platform {
  domain: string;
  submissionHost: string;
  /** The public address of the submission host, as the recipient's MX sees it. */
  submissionIp: string;
  /** The author's workstation, as the submission host sees it. */
  clientIp: string;
  software: string;
  offsetMinutes: number;
  userAgent: string;
  messageId(seed: string, at: Date): string;
}

const stamp = (at: Date): string => at.toISOString().replace(/\D/g, '').slice(0, 14);

export const PLATFORMS = {
  news: {
    domain: 'example-news.org',
    submissionHost: 'smtp.example-news.org',
    submissionIp: '198.51.100.25',
    clientIp: '198.51.100.140',
    software: '(Postfix)',
    offsetMinutes: 0,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.8.1',
    messageId: (seed, at) => `<${stamp(at)}.${seededHex(seed, 10).toUpperCase()}@smtp.example-news.org>`,
  },
  ministry: {
    domain: 'ministry.example',
    submissionHost: 'mail.ministry.example',
    submissionIp: '192.0.2.17',
    clientIp: '192.0.2.201',
    software: '(Postfix)',
    offsetMinutes: 60,
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Thunderbird/115.8.0',
    messageId: (seed) => {
      const h = seededHex(seed, 32);
      return `<${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}@ministry.example>`;
    },
  },
  campaign: {
    domain: 'campaign.example',
    submissionHost: 'smtp.campaign.example',
    submissionIp: '203.0.113.9',
    clientIp: '203.0.113.77',
    software: '(Postfix)',
    offsetMinutes: 60,
    userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:115.0) Gecko/20100101 Thunderbird/115.7.0',
    messageId: (seed, at) => `<cmp.${stamp(at)}.${seededHex(seed, 12)}@campaign.example>`,
  },
  lookalike: {
    domain: 'example-nevvs.org',
    submissionHost: 'mail.example-nevvs.org',
    submissionIp: '203.0.113.250',
    clientIp: '203.0.113.251',
    software: '(Postfix)',
    offsetMinutes: 0,
    userAgent: '',
    messageId: (seed, at) => `<${stamp(at)}.${seededHex(seed, 10).toUpperCase()}@mail.example-nevvs.org>`,
  },
  freemail: {
    domain: 'freemail.example',
    submissionHost: 'smtp-out.freemail.example',
    submissionIp: '192.0.2.66',
    clientIp: '192.0.2.130',
    software: '(FreeMTA 3.2)',
    offsetMinutes: 0,
    userAgent: 'FreeMail Web 4.12',
    messageId: (seed) => `<fm-${seededHex(seed, 24)}@freemail.example>`,
  },
  promo: {
    domain: 'promo-mailer.example',
    submissionHost: 'bulk3.promo-mailer.example',
    submissionIp: '198.51.100.201',
    clientIp: '198.51.100.202',
    software: '(Postfix)',
    offsetMinutes: -300,
    userAgent: '',
    messageId: (seed, at) => `<${stamp(at)}.${seededHex(seed, 16)}@bulk3.promo-mailer.example>`,
  },
  /** A rented server a forger sends from; its own domain has no keys. */
  vps: {
    domain: 'hosting.example',
    submissionHost: 'vps-4471.hosting.example',
    submissionIp: '203.0.113.199',
    clientIp: '203.0.113.198',
    software: '(Postfix)',
    offsetMinutes: 0,
    userAgent: '',
    messageId: (seed, at) => `<${stamp(at)}.${seededHex(seed, 10).toUpperCase()}@vps-4471.hosting.example>`,
  },
} satisfies Record<string, Platform>;

/** The mailbox the dumps leaked from; every message was delivered to it. */
export const MAILBOX = { address: 'alex.martin@campaign.example', mx: 'mx1.campaign.example', store: 'imap.campaign.example' };

export interface Letter {
  /** Unique name: drives every id, so changing it changes the message. */
  seed: string;
  platform: Platform;
  from: string;
  to: string;
  cc?: string;
  subject: string;
  date: Date;
  mime: MimeBody;
  inReplyTo?: string;
  references?: string[];
  /** Extra originator header fields, placed above the MIME fields. */
  extraHeaders?: string[];
  messageId?: string;
}

export function messageIdOf(letter: Letter): string {
  return letter.messageId ?? letter.platform.messageId(letter.seed, letter.date);
}

/** The header fields and body as the author's mail client wrote them. */
export function composeLetter(letter: Letter): string {
  const p = letter.platform;
  const headers = [
    `Message-ID: ${messageIdOf(letter)}`,
    `Date: ${formatDate(letter.date, p.offsetMinutes)}`,
    'MIME-Version: 1.0',
    ...(p.userAgent ? [`User-Agent: ${p.userAgent}`] : []),
    `From: ${letter.from}`,
    `To: ${letter.to}`,
    ...(letter.cc ? [`Cc: ${letter.cc}`] : []),
    ...(letter.inReplyTo ? [`In-Reply-To: ${letter.inReplyTo}`] : []),
    ...(letter.references ? [`References: ${letter.references.join(`${CRLF} `)}`] : []),
    `Subject: ${letter.subject}`,
    ...(letter.extraHeaders ?? []),
    ...letter.mime.headers,
  ];
  return headers.join(CRLF) + CRLF + CRLF + letter.mime.body;
}

/** When each step happened. Defaults: a few seconds apart after the Date. */
export interface Transit {
  submitAt: Date;
  signAt: Date;
  relayAt: Date;
  deliverAt: Date;
}

export function transitAfter(date: Date): Transit {
  return { submitAt: addSeconds(date, 2), signAt: addSeconds(date, 3), relayAt: addSeconds(date, 5), deliverAt: addSeconds(date, 6) };
}

const addressOf = (mailbox: string): string => /<([^>]+)>/.exec(mailbox)?.[1] ?? mailbox;

function submissionHop(letter: Letter, route: Platform, at: Date): Hop {
  return {
    from: `[10.20.0.14] (unknown [${route.clientIp}])`,
    by: route.submissionHost,
    via: `${route.software} with ESMTPSA`,
    id: seededHex(`${letter.seed}/submit`, 10).toUpperCase(),
    recipient: addressOf(letter.to),
    at,
    offsetMinutes: route.offsetMinutes,
  };
}

function inboundHeaders(letter: Letter, route: Platform, transit: Transit): string[] {
  const relay: Hop = {
    from: `${route.submissionHost} (${route.submissionHost} [${route.submissionIp}])`,
    by: MAILBOX.mx,
    via: '(Postfix) with ESMTPS',
    id: `4T${seededHex(`${letter.seed}/mx`, 9)}`,
    recipient: MAILBOX.address,
    at: transit.relayAt,
    offsetMinutes: 60,
  };
  const deliver: Hop = {
    from: `${MAILBOX.mx} ([10.9.0.2])`,
    by: MAILBOX.store,
    via: 'with LMTP',
    id: seededHex(`${letter.seed}/lmtp`, 22),
    recipient: MAILBOX.address,
    at: transit.deliverAt,
    offsetMinutes: 60,
  };
  return [`Return-Path: <${addressOf(letter.from)}>`, `Delivered-To: ${MAILBOX.address}`, formatReceived(deliver), formatReceived(relay)];
}

export interface DeliveryOptions {
  sign?: SignSpec;
  transit?: Transit;
  /** The servers the message went through, when not the author's own (a forger's relay). */
  route?: Platform;
}

/** The message as delivered into the leaked mailbox: hops on top, then signature, then the letter. */
export async function deliverLetter(letter: Letter, options: DeliveryOptions = {}): Promise<string> {
  const route = options.route ?? letter.platform;
  const transit = options.transit ?? transitAfter(letter.date);
  const submitted = formatReceived(submissionHop(letter, route, transit.submitAt)) + CRLF + composeLetter(letter);
  const signed = options.sign ? await signMessage(submitted, options.sign, transit.signAt) : submitted;
  return inboundHeaders(letter, route, transit).join(CRLF) + CRLF + signed;
}
