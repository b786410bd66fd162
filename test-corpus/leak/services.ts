// Mail that programs write: mailing lists (an internal Mailman 3, the coalition's Mailman 3 that
// re-signs and ARC-seals, a legacy Mailman 2.1 that does neither), newsletters from a sending
// provider, HR notifications, the office cloud, the Brussels scanner, delivery reports and
// out-of-office replies. Each has the fingerprint of the program that writes it.
import { createHash } from 'node:crypto';
import libmime from 'libmime';
import { DAY, HOUR, LONG_MONTHS, MINUTE, compactUtc, formatMailDate, type ZoneId } from './clock.ts';
import { composeMessage } from './clients.ts';
import type { Addr, Attachment } from './letter.ts';
import {
  CRLF,
  encodeBase64,
  encodeText,
  encodeWords,
  field,
  fieldName,
  fold,
  formatAddress,
  getValue,
  isAscii,
  multipartBody,
  prependFields,
  textBytes,
  type RawMessage,
} from './mime.ts';
import { addrOf, mailboxOf, type Letter, type PostOffice } from './post-office.ts';
import type { Random } from './random.ts';
import {
  HOSTS,
  dmarcPolicy,
  deliverAldermoorLocal,
  deliverFromOutside,
  eximId,
  postfixQueueId,
  relayAldermoorOut,
  relayCirrusOut,
  sealArc,
  signMessage,
  spfResult,
  submitCirrus,
  verifyAtReceipt,
  type InFlight,
  type Relay,
} from './transport.ts';
import { SERVICES, findPerson, type Person } from './world.ts';

type ServiceDefaults = 'cc' | 'client' | 'lang' | 'attachments' | 'references';

/**
 * Registers a letter a program wrote (a newsletter, a notification, a bounce, an auto-reply), dated when it
 * was sent unless `date` says otherwise; unless told, in English, with no Cc, nothing attached or referred to.
 */
function newServiceLetter(
  po: PostOffice,
  fields: { at: number } & Omit<Letter, 'serial' | 'copies' | 'date' | 'trueTime' | ServiceDefaults> &
    Partial<Pick<Letter, 'date' | ServiceDefaults>>,
): Letter {
  const { at, ...rest } = fields;
  return po.newLetter({ cc: [], client: 'service', lang: 'en', attachments: [], references: [], date: at, trueTime: at, ...rest });
}

const pythonBoundary = (rng: Random): string =>
  `===============${rng.int(1, 9)}${String(rng.int(0, 999999999)).padStart(9, '0')}${String(rng.int(0, 999999999)).padStart(9, '0')}==`;

function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** Mailman 3's Message-ID-Hash: base32 of the SHA-1 of the Message-ID without brackets. */
export function messageIdHash(messageId: string): string {
  return base32(createHash('sha1').update(messageId.replace(/^<|>$/g, '')).digest());
}

interface ListSpec {
  address: string;
  name: string;
  tag?: string;
  footer: string[];
  version: '3' | '2.1';
  host: string;
}

const TEAM: ListSpec = {
  address: SERVICES.teamList.address,
  name: 'Team',
  tag: '[team]',
  footer: [
    '_______________________________________________',
    'Team mailing list -- team@lists.aldermoor.example',
    'To unsubscribe send an email to team-leave@lists.aldermoor.example',
  ],
  version: '3',
  host: 'lists.aldermoor.example',
};

const COALITION: ListSpec = {
  address: SERVICES.coalitionList.address,
  name: 'Coalition',
  tag: '[coalition]',
  footer: [
    '_______________________________________________',
    'Coalition mailing list -- coalition@lists.civic-network.example',
    'To unsubscribe send an email to coalition-leave@lists.civic-network.example',
  ],
  version: '3',
  host: 'lists.civic-network.example',
};

const ANNOUNCE: ListSpec = {
  address: SERVICES.announceList.address,
  name: 'Announce',
  footer: [
    '_______________________________________________',
    'Announce mailing list',
    'Announce@lists.civic-network.example',
    'https://lists.civic-network.example/mailman/listinfo/announce',
  ],
  version: '2.1',
  host: 'lists.civic-network.example',
};

export const TEAM_MEMBERS = (): Person[] =>
  ['anna', 'tom', 'claire', 'mark', 'sophie', 'karl', 'jonas', 'priya', 'david', 'marta'].map(findPerson);
export const COALITION_MEMBERS = ['anna', 'mark', 'sophie', 'lucia', 'david', 'marta', 'amira', 'nadia', 'jan', 'maria'];
export const ANNOUNCE_MEMBERS = ['anna', 'claire', 'tom', 'karl', 'jan', 'maria'];

/** Decodes an encoded-word subject to text (Mailman works on the decoded subject). */
function decodedSubject(message: RawMessage): string {
  return libmime.decodeWords(getValue(message, 'subject') ?? '');
}

/**
 * What Mailman does to a post: the subject tag, the footer (appended to a plain 7/8-bit text body,
 * otherwise as a trailing MIME part of a new multipart/mixed), its List-* headers; for authors
 * whose domain publishes DMARC reject/quarantine (Mailman 3's dmarc_mitigate_action), a From of
 * the list with the author in Reply-To.
 */
function decorate(message: RawMessage, list: ListSpec, rng: Random, mailFrom: string): { message: RawMessage; munged: boolean } {
  let fields = [...message.fields];
  let body = message.body;
  if (list.tag) {
    const subject = decodedSubject(message)
      .replace(new RegExp(`\\s*${list.tag.replace(/[[\]]/g, '\\$&')}\\s*`, 'g'), ' ')
      .trim();
    const tagged = `${list.tag} ${subject}`;
    const index = fields.findIndex((f) => fieldName(f) === 'subject');
    fields[index] = fold('Subject', encodeWords(tagged, 'utf8-q'));
  }
  const ct = (getValue(message, 'content-type') ?? 'text/plain').toLowerCase();
  const cte = (getValue(message, 'content-transfer-encoding') ?? '7bit').toLowerCase();
  const footer = `${list.footer.join(CRLF)}${CRLF}`;
  if (ct.startsWith('text/plain') && (cte === '7bit' || cte === '8bit') && !ct.includes('format=flowed')) {
    body = `${body}${footer}`;
  } else {
    const boundary = pythonBoundary(rng);
    const moved = fields.filter((f) => ['content-type', 'content-transfer-encoding', 'content-disposition'].includes(fieldName(f)));
    fields = fields.filter(
      (f) => !['content-type', 'content-transfer-encoding', 'content-disposition', 'mime-version'].includes(fieldName(f)),
    );
    fields.push(`Content-Type: multipart/mixed; boundary="${boundary}"`, 'MIME-Version: 1.0');
    body = multipartBody(boundary, [
      { headers: moved.length ? moved : ['Content-Type: text/plain'], body },
      {
        headers: [
          'Content-Type: text/plain; charset="us-ascii"',
          'MIME-Version: 1.0',
          'Content-Transfer-Encoding: 7bit',
          'Content-Disposition: inline',
        ],
        body: footer,
      },
    ]);
  }
  let munged = false;
  const from = getValue(message, 'from') ?? '';
  const authorAddress = (/<([^>]+)>/.exec(from)?.[1] ?? from).trim();
  const authorDomain = authorAddress.split('@')[1] ?? '';
  const policy = dmarcPolicy(authorDomain);
  if (list.version === '3' && (policy === 'reject' || policy === 'quarantine')) {
    const name =
      libmime.decodeWords(
        from
          .replace(/<[^>]+>/, '')
          .replace(/"/g, '')
          .trim(),
      ) || authorAddress;
    const index = fields.findIndex((f) => fieldName(f) === 'from');
    fields[index] = field('From', formatAddress(`${name} via ${list.name}`, list.address, 'utf8-q', true));
    fields = fields.filter((f) => fieldName(f) !== 'reply-to');
    fields.push(field('Reply-To', formatAddress(name, authorAddress, 'utf8-q')));
    munged = true;
  }
  const id = getValue(message, 'message-id') ?? '';
  const [local, host] = list.address.split('@') as [string, string];
  if (list.version === '3') {
    const hash = messageIdHash(id);
    fields.push(
      field('Message-ID-Hash', hash),
      field('X-Message-ID-Hash', hash),
      field('X-MailFrom', mailFrom),
      fold(
        'X-Mailman-Rule-Misses',
        `dmarc-mitigation; no-senders; approved; loop; banned-address; member-moderation; header-match-${local}.${host}-0; nonmember-moderation; administrivia; implicit-dest; max-recipients; max-size; news-moderation; no-subject; digests; suspicious-header`,
      ),
      'X-Mailman-Version: 3.3.8',
      'Precedence: list',
      field('List-Id', `${list.name} <${local}.${host}>`),
      field('Archived-At', `<https://${host}/hyperkitty/list/${list.address}/message/${hash}/>`),
      field('List-Archive', `<https://${host}/hyperkitty/list/${list.address}/>`),
      field('List-Help', `<mailto:${local}-request@${host}?subject=help>`),
      field('List-Owner', `<mailto:${local}-owner@${host}>`),
      field('List-Post', `<mailto:${list.address}>`),
      field('List-Subscribe', `<mailto:${local}-join@${host}>`),
      field('List-Unsubscribe', `<mailto:${local}-leave@${host}>`),
    );
  } else {
    fields.push(
      field('X-BeenThere', list.address),
      'X-Mailman-Version: 2.1.39',
      'Precedence: list',
      field('List-Id', `Civic Network announcements <${local}.${host}>`),
      fold('List-Unsubscribe', `<https://${host}/mailman/options/${local}>, <mailto:${local}-request@${host}?subject=unsubscribe>`),
      field('List-Archive', `<https://${host}/pipermail/${local}/>`),
      field('List-Post', `<mailto:${list.address}>`),
      field('List-Help', `<mailto:${local}-request@${host}?subject=help>`),
      fold('List-Subscribe', `<https://${host}/mailman/listinfo/${local}>, <mailto:${local}-request@${host}?subject=subscribe>`),
      field('Errors-To', `${local}-bounces@${host}`),
      field('Sender', `"Announce" <${local}-bounces@${host}>`),
    );
  }
  return { message: { fields, body }, munged };
}

export function registerLists(po: PostOffice): void {
  const rng = po.rng;

  // The organisation's own list: Mailman on the mail server; members get it by local delivery, unsigned.
  po.lists.set(TEAM.address, async (flight, letter) => {
    const { message } = decorate(flight.message, TEAM, rng, flight.mailFrom);
    const at = flight.at + rng.int(2, 20) * 1000;
    const received = `Received: from ${HOSTS.aldermoorMail.host} (localhost [127.0.0.1])${CRLF}\tby ${HOSTS.aldermoorMail.host} (Postfix) with ESMTP id ${postfixQueueId(at, rng)};${CRLF}\t${formatMailDate(at, 'Europe/Brussels', { day: 'space', comment: true })}`;
    const out: InFlight = {
      message: prependFields(message, received),
      at,
      relay: HOSTS.aldermoorMail,
      mailFrom: 'team-bounces@lists.aldermoor.example',
    };
    for (const member of TEAM_MEMBERS()) {
      if (!mailboxOf(member.address)) continue;
      const d = deliverAldermoorLocal(out, member.address, rng);
      po.deliverTo(member.address, d.message, d.at, letter, ['list-modified', 'unsigned-internal'], out.message);
    }
  });

  // The coalition's list: Mailman 3 behind Postfix; the list MTA signs what is From its domains and seals ARC.
  po.lists.set(COALITION.address, async (flight, letter) => {
    let at = flight.at + rng.int(800, 4000);
    const inbound = prependFields(
      flight.message,
      `Received: from ${flight.relay.host} (${flight.relay.host} [${flight.relay.ip}])${CRLF}\tby ${HOSTS.civicLists.host} (Postfix) with ESMTPS id ${postfixQueueId(at, rng)}${CRLF}\tfor <${COALITION.address}>; ${formatMailDate(at, 'Europe/Brussels', { day: 'space', comment: true })}`,
    );
    const verification = await verifyAtReceipt(inbound, at);
    const rows = verification.dkim.results
      .filter((r) => r.signingDomain)
      .map(
        (r) =>
          `dkim=${r.status.result === 'pass' ? 'pass' : 'fail'} header.d=${r.signingDomain} header.s=${r.selector} header.b=${(r.signature ?? '').slice(0, 8)}`,
      );
    const spf = spfResult(flight.mailFrom, flight.relay);
    const authorDomain = (/@([^>\s]+)/.exec(getValue(inbound, 'from') ?? '')?.[1] ?? '').toLowerCase();
    const authResults = `${HOSTS.civicLists.host};${CRLF}\t${[...rows, `spf=${spf} smtp.mailfrom=${flight.mailFrom}`, `dmarc=${rows.some((r) => r.startsWith('dkim=pass')) ? 'pass' : 'fail'} header.from=${authorDomain}`, `arc=${verification.arc}`].join(`;${CRLF}\t`)}`;
    const withAr = prependFields(inbound, `Authentication-Results: ${authResults}`);
    const { message, munged } = decorate(withAr, COALITION, rng, flight.mailFrom);
    at += rng.int(1000, 8000);
    let m = prependFields(
      message,
      `Received: from ${HOSTS.civicLists.host} (localhost [127.0.0.1])${CRLF}\tby ${HOSTS.civicLists.host} (Postfix) with ESMTP id ${postfixQueueId(at, rng)};${CRLF}\t${formatMailDate(at, 'Europe/Brussels', { day: 'space', comment: true })}`,
    );
    const fromDomain = munged ? 'lists.civic-network.example' : authorDomain;
    if (fromDomain.endsWith('civic-network.example')) {
      m = await signMessage(
        m,
        {
          domain: 'civic-network.example',
          selector: 'lists',
          canonicalization: 'relaxed/relaxed',
          headerList:
            'From:Reply-To:Subject:Date:To:Cc:Message-ID:In-Reply-To:References:List-Id:List-Post:List-Unsubscribe:Content-Type:MIME-Version',
        },
        at,
      );
    }
    const cv = verification.arc === 'none' ? 'none' : verification.arc === 'pass' ? 'pass' : 'fail';
    m = await sealArc(m, 'civic-network.example', 'lists', authResults, cv, at);
    const out: InFlight = { message: m, at, relay: HOSTS.civicLists, mailFrom: 'coalition-bounces@lists.civic-network.example' };
    for (const key of COALITION_MEMBERS) {
      const member = findPerson(key);
      if (!mailboxOf(member.address)) continue;
      const d = await deliverFromOutside(out, member.address, { rng });
      po.deliverTo(
        member.address,
        d.message,
        d.at,
        letter,
        ['list-modified', 'arc-sealed', ...(munged ? ['list-from-munged'] : []), ...d.tags],
        out.message,
      );
    }
  });

  // The legacy announcement list on the Exim host: footer and list headers, no signature of its own.
  po.lists.set(ANNOUNCE.address, async (flight, letter) => {
    const at = flight.at + rng.int(1000, 6000);
    const { message } = decorate(flight.message, ANNOUNCE, rng, flight.mailFrom);
    const m = prependFields(
      message,
      `Received: from localhost ([127.0.0.1] helo=${HOSTS.civicMail.host})${CRLF}\tby ${HOSTS.civicMail.host} with esmtp (Exim 4.96)${CRLF}\t(envelope-from <announce-bounces@lists.civic-network.example>)${CRLF}\tid ${eximId(at, rng)};${CRLF}\t${formatMailDate(at, 'Europe/Brussels', { day: 'zero' })}`,
    );
    const out: InFlight = { message: m, at, relay: HOSTS.civicMail, mailFrom: 'announce-bounces@lists.civic-network.example' };
    for (const key of ANNOUNCE_MEMBERS) {
      const member = findPerson(key);
      if (!mailboxOf(member.address)) continue;
      const d = await deliverFromOutside(out, member.address, { rng });
      po.deliverTo(member.address, d.message, d.at, letter, ['list-modified', 'l-signature', ...d.tags], out.message);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Newsletters from the sending provider

export const POLICY_WEEKLY_SUBSCRIBERS = ['anna', 'sophie', 'mark', 'tom', 'claire'];
export const EUROBRIEF_SUBSCRIBERS = ['mark', 'sophie', 'lucia', 'karl'];

const NEWS_LINES = [
  'Council agrees position on water reuse regulation',
  'New study: coastal flooding costs to triple by 2050',
  'Funding call for civil society networks opens next month',
  'Parliament committee postpones vote on due diligence rules',
  'Interview: what the new climate adaptation strategy means for cities',
  'Three things to watch at the ministerial meeting',
  'Data: how member states spend on resilience',
  'Opinion: the case for open procurement data',
  'Events: webinars and conferences in the coming weeks',
];

/** One issue of a newsletter, personalised per subscriber (unsubscribe token), signed by the provider (l= and x=). */
export async function sendNewsletter(po: PostOffice, which: 'policy-weekly' | 'eurobrief', issueAt: number): Promise<void> {
  const rng = po.rng;
  const sender = which === 'policy-weekly' ? SERVICES.policyWeekly : SERVICES.euroBrief;
  const subscribers = which === 'policy-weekly' ? POLICY_WEEKLY_SUBSCRIBERS : EUROBRIEF_SUBSCRIBERS;
  const issue = Math.floor((issueAt - Date.UTC(2020, 0, 2)) / (7 * DAY));
  const headlines = rng.sample(NEWS_LINES, 4);
  const subject = which === 'policy-weekly' ? `Policy Weekly #${issue}: ${headlines[0]}` : `EuroBrief | ${headlines[0]}`;
  const plainEdition = which === 'policy-weekly';
  const letter = newServiceLetter(po, {
    kind: 'newsletter',
    from: { name: sender.name, address: sender.address },
    to: [],
    subject,
    messageId: '',
    at: issueAt,
    zone: 'UTC',
    fullText: headlines.join('\n'),
    composed: { fields: [], body: '' },
    tags: ['newsletter', which === 'policy-weekly' ? 'provider-signed-newsletter' : 'newsletter-aligned'],
  });
  for (const key of subscribers) {
    const person = findPerson(key);
    if (!mailboxOf(person.address)) continue;
    const at = issueAt + rng.int(0, 40 * 60) * 1000;
    const ms = at.toString(16).padStart(12, '0');
    const messageId = `<0102${ms}-${rng.uuid()}-000000@eu-central-1.sendloop-mail.example>`;
    const token = rng.alnum(24);
    const text = [
      `${sender.name} - ${new Date(issueAt).toISOString().slice(0, 10)}`,
      '',
      ...headlines.flatMap((h, i) => [`${i + 1}. ${h}`, `   https://click.sendloop-mail.example/l/${token}/${i + 1}`, '']),
      `You receive this because ${person.address} subscribed to ${sender.name}.`,
      `Unsubscribe: https://sl.sendloop-mail.example/u/${token}`,
    ].join('\n');
    const boundary = `_----${rng.alnum(22)}===_${rng.hex(2).toUpperCase()}/${rng.hex(2).toUpperCase()}-${rng.int(10000, 99999)}-${rng.int(10000000, 99999999)}`;
    const html = `<!DOCTYPE html><html><body style="font-family:Georgia,serif">${headlines.map((h, i) => `<h2><a href="https://click.sendloop-mail.example/l/${token}/${i + 1}">${h}</a></h2>`).join('')}<p style="font-size:11px">Unsubscribe: <a href="https://sl.sendloop-mail.example/u/${token}">here</a></p></body></html>`;
    const single = plainEdition && rng.chance(0.5);
    const body = single
      ? encodeText(text, 'utf-8', '7bit')
      : multipartBody(boundary, [
          {
            headers: ['Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: quoted-printable'],
            body: encodeText(text, 'utf-8', 'quoted-printable'),
          },
          {
            headers: ['Content-Type: text/html; charset=UTF-8', 'Content-Transfer-Encoding: quoted-printable'],
            body: encodeText(html, 'utf-8', 'quoted-printable'),
          },
        ]);
    let m: RawMessage = {
      fields: [
        field('Date', formatMailDate(at, 'UTC')),
        field('From', formatAddress(sender.name, sender.address, 'utf8-q')),
        field('Reply-To', `${sender.name} <reply@${sender.address.split('@')[1]}>`),
        field('To', person.address),
        field('Message-ID', messageId),
        fold('Subject', encodeWords(subject, 'utf8-q')),
        'MIME-Version: 1.0',
        single ? 'Content-Type: text/plain; charset=UTF-8' : `Content-Type: multipart/alternative;${CRLF} boundary="${boundary}"`,
        ...(single ? ['Content-Transfer-Encoding: 7bit'] : []),
        fold('List-Unsubscribe', `<https://sl.sendloop-mail.example/u/${token}>, <mailto:u-${token}@unsub.sendloop-mail.example>`),
        'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
        field('Feedback-ID', `${rng.int(100, 999)}:${rng.int(10000, 99999)}:newsletter:sendloop`),
        field('X-SL-Campaign', `${which}-${issue}`),
      ],
      body,
    };
    const headerList =
      'Date:From:Reply-To:To:Message-ID:Subject:MIME-Version:Content-Type:List-Unsubscribe:List-Unsubscribe-Post:Feedback-ID';
    if (which === 'eurobrief')
      m = await signMessage(m, { domain: 'eurobrief.example', selector: 'sl', headerList, expiresAfterMs: 7 * DAY }, at);
    m = await signMessage(
      m,
      { domain: 'sendloop-mail.example', selector: 'sl1', headerList, bodyLength: true, expiresAfterMs: 7 * DAY },
      at,
    );
    const n = rng.int(201, 240);
    const flight: InFlight = {
      message: m,
      at: at + rng.int(200, 3000),
      relay: { host: `mta-${n}.sendloop-mail.example`, ip: `198.18.80.${n - 200}` },
      mailFrom: `bounce-${rng.hex(16)}@bounces.sendloop-mail.example`,
    };
    const d = await deliverFromOutside(flight, person.address, { rng });
    if (!letter.messageId) {
      letter.messageId = messageId;
      letter.composed = m;
    }
    po.deliverTo(person.address, d.message, d.at, letter, ['l-signature', ...d.tags], flight.message);
  }
}

// ---------------------------------------------------------------------------------------------
// Notifications

const PEOPLEHUB_SUBJECTS = [
  ['Your payslip for {month} is available', 'Your payslip for {month} has been published. Log in to PeopleHub to view it.'],
  ['Leave request approved', 'Your leave request has been approved by your manager.'],
  ['Action required: approve timesheets', 'There are timesheets waiting for your approval in PeopleHub.'],
  ['Reminder: complete your annual data protection training', 'Please complete the data protection module by the end of the month.'],
];

/** PeopleHub (JavaMail behind Postfix), signed with rsa and ed25519; reminders re-sent with the same Message-ID. */
export async function sendPeopleHub(po: PostOffice, to: Person, at: number, reminderOf?: Letter): Promise<Letter | undefined> {
  const rng = po.rng;
  if (!mailboxOf(to.address)) return undefined;
  const [subjectTpl, textTpl] = reminderOf ? [`Reminder: ${reminderOf.subject}`, reminderOf.fullText] : rng.pick(PEOPLEHUB_SUBJECTS);
  const month = LONG_MONTHS.en[new Date(at).getUTCMonth()]!;
  const subject = subjectTpl!.replace('{month}', month);
  const text = `Hello ${to.name.split(' ')[0]},\n\n${textTpl!.replace('{month}', month)}\n\nhttps://aldermoor.peoplehub.example/app/inbox\n\nPeopleHub - do not reply to this message.`;
  const hash = rng.int(100000000, 2000000000);
  const messageId = reminderOf?.messageId ?? `<${hash}.${rng.int(1, 400)}.${at}@app0${rng.int(1, 4)}.peoplehub.example>`;
  const boundary = `----=_Part_${rng.int(1, 900)}_${hash}.${at}`;
  let m: RawMessage = {
    fields: [
      field('Date', formatMailDate(at, 'Europe/London', { comment: true })),
      field('From', 'PeopleHub <notifications@peoplehub.example>'),
      field('To', to.address),
      field('Message-ID', messageId),
      field('Subject', subject),
      'MIME-Version: 1.0',
      `Content-Type: multipart/alternative; ${CRLF}\tboundary="${boundary}"`,
      'X-PH-Tenant: aldermoor',
    ],
    body: multipartBody(boundary, [
      { headers: ['Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: 7bit'], body: encodeText(text, 'utf-8', '7bit') },
      {
        headers: ['Content-Type: text/html; charset=UTF-8', 'Content-Transfer-Encoding: 7bit'],
        body: encodeText(`<html><body><p>${text.replace(/\n\n/g, '</p><p>')}</p></body></html>`, 'utf-8', '7bit'),
      },
    ]),
  };
  const submit = at + rng.int(100, 1500);
  m = prependFields(
    m,
    `Received: from app0${rng.int(1, 4)}.peoplehub.example (app.internal [10.20.0.13])${CRLF}\tby ${HOSTS.peoplehub.host} (Postfix) with ESMTP id ${postfixQueueId(submit, rng)}${CRLF}\tfor <${to.address}>; ${formatMailDate(submit, 'Europe/London', { day: 'space', comment: true })}`,
  );
  m = await signMessage(
    m,
    {
      domain: 'peoplehub.example',
      selector: 'phe',
      algorithm: 'ed25519-sha256',
      headerList: 'From:To:Subject:Date:Message-ID:MIME-Version:Content-Type',
    },
    submit,
  );
  m = await signMessage(
    m,
    { domain: 'peoplehub.example', selector: 'phr', headerList: 'From:To:Subject:Date:Message-ID:MIME-Version:Content-Type' },
    submit,
  );
  const letter = newServiceLetter(po, {
    kind: 'notification',
    from: { name: 'PeopleHub', address: SERVICES.peoplehub.address },
    to: [addrOf(to)],
    subject,
    messageId,
    at,
    zone: 'Europe/London',
    fullText: textTpl!,
    composed: m,
    tags: ['notification', ...(reminderOf ? ['reused-message-id'] : [])],
  });
  if (reminderOf) for (const c of reminderOf.copies) c.tags.add('reused-message-id');
  const d = await deliverFromOutside(
    { message: m, at: submit, relay: HOSTS.peoplehub, mailFrom: `bounces+${rng.hex(10)}@peoplehub.example` },
    to.address,
    { rng },
  );
  po.deliverTo(to.address, d.message, d.at, letter, d.tags);
  return letter;
}

/** The office cloud (PHPMailer through the local Postfix): share notices, unsigned like all internal mail. */
export async function sendCloudNotice(po: PostOffice, sharer: Person, to: Person, fileName: string, at: number): Promise<void> {
  const rng = po.rng;
  if (!mailboxOf(to.address)) return;
  const messageId = `<${rng.alnum(32)}@cloud.aldermoor.example>`;
  const boundary = `b1=_${rng.alnum(43)}`;
  const subject = `${sharer.name} shared »${fileName}« with you`;
  const text = `Hello,\n\n${sharer.name} shared »${fileName}« with you.\n\nOpen »${fileName}«: https://cloud.aldermoor.example/f/${rng.int(10000, 99999)}\n\n--\nAldermoor Cloud - a safe home for all your data`;
  const m: RawMessage = {
    fields: [
      field('Date', formatMailDate(at, 'Europe/Brussels', { day: 'zero' })),
      field('To', formatAddress(to.name, to.address, 'utf8-q')),
      field('From', formatAddress(`${sharer.name} (via Aldermoor Cloud)`, SERVICES.cloud.address, 'utf8-q', true)),
      field('Reply-To', formatAddress(sharer.name, sharer.address, 'utf8-q')),
      field('Subject', encodeWords(subject, 'utf8-q')),
      field('Message-ID', messageId),
      'X-Mailer: PHPMailer 6.9.1 (https://github.com/PHPMailer/PHPMailer)',
      'MIME-Version: 1.0',
      `Content-Type: multipart/alternative;${CRLF} boundary="${boundary}"`,
      'Auto-Submitted: auto-generated',
    ],
    body: multipartBody(boundary, [
      {
        headers: ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable'],
        body: encodeText(text, 'utf-8', 'quoted-printable'),
      },
      {
        headers: ['Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable'],
        body: encodeText(`<html><body><p>${text.replace(/\n/g, '<br>')}</p></body></html>`, 'utf-8', 'quoted-printable'),
      },
    ]),
  };
  const letter = newServiceLetter(po, {
    kind: 'notification',
    from: { name: `${sharer.name} (via Aldermoor Cloud)`, address: SERVICES.cloud.address },
    to: [addrOf(to)],
    subject,
    messageId,
    at,
    zone: 'Europe/Brussels',
    fullText: text,
    composed: m,
    tags: ['notification'],
  });
  deliverFromDevice(po, letter, m, HOSTS.aldermoorCloud.host, HOSTS.aldermoorCloud, SERVICES.cloud.address, to, at + rng.int(100, 1500));
}

/**
 * A machine of the organisation's (the cloud, the scanner) hands a message to the mail server at `submit`,
 * which delivers it to `to` unsigned, as it does all internal mail.
 */
function deliverFromDevice(
  po: PostOffice,
  letter: Letter,
  message: RawMessage,
  helo: string,
  device: Relay,
  mailFrom: string,
  to: Person,
  submit: number,
): void {
  const rng = po.rng;
  const received = `Received: from ${helo} (${device.host} [${device.ip}])${CRLF}\tby ${HOSTS.aldermoorMail.host} (Postfix) with ESMTP id ${postfixQueueId(submit, rng)}${CRLF}\tfor <${to.address}>; ${formatMailDate(submit, 'Europe/Brussels', { day: 'space', comment: true })}`;
  const flight: InFlight = { message: prependFields(message, received), at: submit, relay: HOSTS.aldermoorMail, mailFrom };
  const d = deliverAldermoorLocal(flight, to.address, rng);
  po.deliverTo(to.address, d.message, d.at, letter, ['unsigned-internal']);
}

// ---------------------------------------------------------------------------------------------
// The Brussels scanner

/** Firmware update that reset the scanner's message counter: ids from before come again. */
export const SCANNER_RESET = Date.UTC(2024, 1, 5, 7, 0, 0);
let scannerCounter = { before: 0, after: 0 };
export function resetScannerCounter(): void {
  scannerCounter = { before: 0, after: 0 };
}

/**
 * A scan sent to its user. The device numbers its messages with a counter (reset by a firmware
 * update) and keeps its clock at +0100 all year, as it knows no summer time.
 */
export async function sendScan(po: PostOffice, to: Person, at: number, pdf: Attachment): Promise<void> {
  const rng = po.rng;
  if (!mailboxOf(to.address)) return;
  const counter = at < SCANNER_RESET ? ++scannerCounter.before : ++scannerCounter.after;
  const messageId = `<${String(counter).padStart(8, '0')}.MFP-BRU01@mfp-bru01.aldermoor.example>`;
  const deviceZone: ZoneId = 'UTC';
  // Winter time all year: the device writes local standard time with +0100.
  const deviceDate = formatMailDate(at + HOUR, deviceZone).replace(/\+0000$/, '+0100');
  const shownAt = at;
  const boundary = `=_${rng.hex(8)}.${rng.hex(8)}`;
  const text =
    'Please open the attached document. It was scanned and sent to you using MFP-BRU01.\r\n\r\nNumber of Images: 1\r\nAttachment File Type: PDF\r\n';
  const m: RawMessage = {
    fields: [
      field('From', `"MFP-BRU01" <${SERVICES.scanner.address}>`),
      field('To', to.address),
      field('Subject', 'Scanned from MFP-BRU01'),
      field('Date', deviceDate),
      field('Message-ID', messageId),
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
    ],
    body: multipartBody(boundary, [
      { headers: ['Content-Type: text/plain; charset=US-ASCII', 'Content-Transfer-Encoding: 7bit'], body: text },
      {
        headers: [
          `Content-Type: application/pdf; name="${pdf.filename}"`,
          'Content-Transfer-Encoding: base64',
          `Content-Disposition: attachment; filename="${pdf.filename}"`,
        ],
        body: `${encodeBase64(pdf.data)}${CRLF}`,
      },
    ]),
  };
  const reused = at >= SCANNER_RESET;
  const letter = newServiceLetter(po, {
    kind: 'scan',
    from: { name: 'MFP-BRU01', address: SERVICES.scanner.address },
    to: [addrOf(to)],
    subject: 'Scanned from MFP-BRU01',
    messageId,
    at,
    date: shownAt,
    zone: 'Europe/Brussels',
    fullText: text,
    attachments: [pdf],
    composed: m,
    tags: ['notification', 'attachment', 'clock-drift', ...(reused ? ['reused-message-id'] : [])],
  });
  deliverFromDevice(po, letter, m, 'MFP-BRU01', HOSTS.aldermoorMfp, SERVICES.scanner.address, to, at + rng.int(1000, 5000));
}

/** Marks earlier scans whose Message-ID the counter reset gave out again. */
export function tagReusedScans(po: PostOffice): void {
  const byId = new Map<string, Letter[]>();
  for (const l of po.letters) if (l.kind === 'scan') byId.set(l.messageId, [...(byId.get(l.messageId) ?? []), l]);
  for (const letters of byId.values()) {
    if (letters.length < 2) continue;
    for (const l of letters) for (const c of l.copies) c.tags.add('reused-message-id');
  }
}

// ---------------------------------------------------------------------------------------------
// Delivery reports and out-of-office replies

/** Postfix's bounce for an address that does not exist, to the sender's inbox. */
export async function sendBounce(po: PostOffice, original: Letter, badAddress: string, at: number): Promise<void> {
  const rng = po.rng;
  const author = original.author;
  if (!author || !mailboxOf(author.address)) return;
  const queueId = postfixQueueId(at, rng);
  const bounceAt = at + rng.int(100, 900);
  const messageId = `<${compactUtc(bounceAt)}.${postfixQueueId(bounceAt, rng)}@${HOSTS.aldermoorMail.host}>`;
  const boundary = `${queueId}.${Math.floor(bounceAt / 1000)}/${HOSTS.aldermoorMail.host}`;
  const headersOfOriginal = original.composed.fields.join(CRLF);
  const text = [
    `This is the mail system at host ${HOSTS.aldermoorMail.host}.`,
    '',
    "I'm sorry to have to inform you that your message could not",
    "be delivered to one or more recipients. It's attached below.",
    '',
    'For further assistance, please send mail to postmaster.',
    '',
    'If you do so, please include this problem report. You can',
    'delete your own text from the attached returned message.',
    '',
    '                   The mail system',
    '',
    `<${badAddress}>: unknown user: "${badAddress.split('@')[0]}"`,
  ].join('\n');
  const m: RawMessage = {
    fields: [
      field('From', `MAILER-DAEMON@${HOSTS.aldermoorMail.host} (Mail Delivery System)`),
      field('Subject', 'Undelivered Mail Returned to Sender'),
      field('To', author.address),
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=delivery-status;${CRLF}\tboundary="${boundary}"`,
      'Content-Transfer-Encoding: 8bit',
      field('Message-Id', messageId),
      field('Date', formatMailDate(bounceAt, 'Europe/Brussels', { day: 'space', comment: true })),
    ],
    body: multipartBody(
      boundary,
      [
        {
          headers: ['Content-Description: Notification', 'Content-Type: text/plain; charset=us-ascii'],
          body: encodeText(text, 'us-ascii', '7bit'),
        },
        {
          headers: ['Content-Description: Delivery report', 'Content-Type: message/delivery-status'],
          body: encodeText(
            [
              `Reporting-MTA: dns; ${HOSTS.aldermoorMail.host}`,
              `X-Postfix-Queue-ID: ${queueId}`,
              `X-Postfix-Sender: rfc822; ${author.address}`,
              `Arrival-Date: ${formatMailDate(at, 'Europe/Brussels', { day: 'space', comment: true })}`,
              '',
              `Final-Recipient: rfc822; ${badAddress}`,
              `Original-Recipient: rfc822;${badAddress}`,
              'Action: failed',
              'Status: 5.1.1',
              `Diagnostic-Code: X-Postfix; unknown user: "${badAddress.split('@')[0]}"`,
            ].join('\n'),
            'us-ascii',
            '7bit',
          ),
        },
        {
          headers: [
            'Content-Description: Undelivered Message Headers',
            'Content-Type: text/rfc822-headers',
            'Content-Transfer-Encoding: 8bit',
          ],
          body: `${headersOfOriginal}${CRLF}`,
        },
      ],
      'This is a MIME-encapsulated message.\r\n\r\n',
    ),
  };
  const letter = newServiceLetter(po, {
    kind: 'bounce',
    from: { name: 'Mail Delivery System', address: `MAILER-DAEMON@${HOSTS.aldermoorMail.host}` },
    to: [addrOf(author)],
    subject: 'Undelivered Mail Returned to Sender',
    messageId,
    at: bounceAt,
    zone: 'Europe/Brussels',
    fullText: text,
    composed: m,
    tags: ['bounce'],
  });
  const flight: InFlight = { message: m, at: bounceAt, relay: HOSTS.aldermoorMail, mailFrom: '' };
  const d = deliverAldermoorLocal(flight, author.address, rng);
  po.deliverTo(author.address, d.message, d.at, letter);
}

/** Who is away when: their server answers with an out-of-office reply. */
export const VACATIONS: Record<string, [number, number][]> = {
  mark: [
    [Date.UTC(2023, 7, 7), Date.UTC(2023, 7, 25)],
    [Date.UTC(2024, 7, 5), Date.UTC(2024, 7, 23)],
  ],
  anna: [[Date.UTC(2023, 11, 22), Date.UTC(2024, 0, 5)]],
  sophie: [[Date.UTC(2024, 6, 15), Date.UTC(2024, 7, 2)]],
  lucia: [[Date.UTC(2024, 3, 22), Date.UTC(2024, 3, 30)]],
  karl: [[Date.UTC(2024, 4, 27), Date.UTC(2024, 5, 7)]],
  tom: [[Date.UTC(2024, 6, 29), Date.UTC(2024, 7, 16)]],
  claire: [
    [Date.UTC(2023, 9, 30), Date.UTC(2023, 10, 3)],
    [Date.UTC(2024, 7, 12), Date.UTC(2024, 7, 30)],
  ],
  priya: [[Date.UTC(2024, 3, 2), Date.UTC(2024, 3, 12)]],
};

export function isAway(p: Person, at: number): boolean {
  return (VACATIONS[p.key] ?? []).some(([a, b]) => at >= a && at < b);
}

const AWAY_TEXT: Record<string, string> = {
  en: 'Thank you for your message. I am out of the office with limited access to e-mail and will reply when I am back. For urgent matters please contact Sara Nilsson (sara.nilsson@aldermoor.example).',
  fr: 'Merci pour votre message. Je suis absente du bureau et vous répondrai à mon retour. Pour toute urgence, merci de contacter Sara Nilsson (sara.nilsson@aldermoor.example).',
  de: 'Vielen Dank für Ihre Nachricht. Ich bin nicht im Büro und antworte nach meiner Rückkehr. In dringenden Fällen wenden Sie sich bitte an Sara Nilsson (sara.nilsson@aldermoor.example).',
  es: 'Gracias por su mensaje. Estoy fuera de la oficina y responderé a mi regreso. Para asuntos urgentes, contacte con James Whitfield (james.whitfield@kestrel-partners.example).',
};

/** The away person's server answers the sender (Sieve vacation at the organisation, the suite's automatic reply). */
export async function sendAutoReply(po: PostOffice, away: Person, original: Letter, receivedAt: number): Promise<void> {
  const rng = po.rng;
  const sender = original.author;
  if (!sender || !mailboxOf(sender.address) || sender.address === away.address) return;
  const at = receivedAt + rng.int(1000, 8000);
  const text = AWAY_TEXT[away.lang] ?? AWAY_TEXT.en!;
  // What the letter record says of either platform's reply (only one is made).
  const reply: { at: number } & Pick<Letter, 'kind' | 'author' | 'from' | 'to' | 'lang' | 'parent' | 'references' | 'tags'> = {
    kind: 'auto-reply',
    author: away,
    from: addrOf(away),
    to: [addrOf(sender)],
    at,
    lang: away.lang,
    parent: original,
    references: [original.messageId],
    tags: ['auto-reply'],
  };
  if (away.platform === 'aldermoor') {
    const messageId = `<dovecot-sieve-${Math.floor(at / 1000)}-${rng.int(100000, 999999)}-0@${HOSTS.aldermoorMail.host}>`;
    const subject = `Auto: ${original.subject}`;
    const m: RawMessage = {
      fields: [
        field('Message-ID', messageId),
        field('Date', formatMailDate(at, 'Europe/Brussels')),
        'X-Sieve: Pigeonhole Sieve 0.5.21 (f6cd4b2b)',
        field('From', formatAddress(away.name, away.address, 'utf8-q')),
        field('To', `<${sender.address}>`),
        fold('Subject', encodeWords(subject, 'utf8-q')),
        'Auto-Submitted: auto-replied (vacation)',
        'Precedence: bulk',
        field('In-Reply-To', original.messageId),
        field('References', original.messageId),
        'MIME-Version: 1.0',
        `Content-Type: text/plain; charset=${isAscii(text) ? 'us-ascii' : 'utf-8'}`,
        `Content-Transfer-Encoding: ${isAscii(text) ? '7bit' : '8bit'}`,
      ],
      body: `${textBytes(text, 'utf-8')}${CRLF}`,
    };
    const letter = newServiceLetter(po, { ...reply, subject, messageId, zone: 'Europe/Brussels', fullText: text, composed: m });
    const received = `Received: from ${HOSTS.aldermoorMail.host} (localhost [127.0.0.1])${CRLF}\tby ${HOSTS.aldermoorMail.host} (Postfix) with ESMTP id ${postfixQueueId(at, rng)}${CRLF}\tfor <${sender.address}>; ${formatMailDate(at, 'Europe/Brussels', { day: 'space', comment: true })}`;
    const flight: InFlight = { message: prependFields(m, received), at, relay: HOSTS.aldermoorMail, mailFrom: '' };
    if (sender.platform === 'aldermoor') {
      // Pigeonhole answers with the null sender (sieve_vacation_send_from_recipient = no).
      const d = deliverAldermoorLocal(flight, sender.address, rng);
      po.deliverTo(sender.address, d.message, d.at, letter, ['unsigned-internal']);
    } else {
      const out = await relayAldermoorOut(flight, rng);
      const d = await deliverFromOutside(out, sender.address, { rng });
      po.deliverTo(sender.address, d.message, d.at, letter, d.tags);
    }
    return;
  }
  if (away.platform === 'cirrus') {
    const subject = `Respuesta automática: ${original.subject}`;
    const composed = composeMessage(
      'cirrus-web',
      {
        from: addrOf(away),
        to: [addrOf(sender)],
        cc: [],
        subject,
        text,
        attachments: [],
        at,
        zone: 'UTC',
        lang: away.lang,
        inReplyTo: original.messageId,
        references: [original.messageId],
        extra: ['Auto-Submitted: auto-generated', `X-Cirrus-Inbox-Rules-Loop: ${away.address}`, 'X-Auto-Response-Suppress: All'],
        idDomain: away.domain,
        contentLanguage: 'es-ES',
      },
      rng,
    );
    const letter = newServiceLetter(po, {
      ...reply,
      subject,
      messageId: composed.messageId,
      ...(composed.threadIndex ? { threadIndex: composed.threadIndex } : {}),
      zone: 'UTC',
      client: 'cirrus-web',
      fullText: composed.fullText,
      composed: composed.message,
    });
    const flight = submitCirrus(composed.message, away, at, rng);
    const out = await relayCirrusOut(flight, away, rng);
    const d = await deliverFromOutside(out, sender.address, { rng });
    po.deliverTo(sender.address, d.message, d.at, letter, d.tags);
  }
}

/** An iCalendar invitation body (Outlook-family and Thunderbird write nearly the same). */
export function makeInvitation(
  organizer: Addr,
  attendees: Addr[],
  title: string,
  start: number,
  minutes: number,
  uid: string,
  stamp: number,
  location: string,
): string {
  const ics = (t: number): string => `${new Date(t).toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
  return [
    'BEGIN:VCALENDAR',
    'METHOD:REQUEST',
    'PRODID:Microsoft Exchange Server 2010',
    'VERSION:2.0',
    'BEGIN:VEVENT',
    `ORGANIZER;CN=${organizer.name ?? organizer.address}:mailto:${organizer.address}`,
    ...attendees.map((a) => `ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=${a.name ?? a.address}:mailto:${a.address}`),
    `DESCRIPTION;LANGUAGE=en-GB:${title}\\n`,
    `UID:${uid}`,
    `SUMMARY;LANGUAGE=en-GB:${title}`,
    `DTSTART:${ics(start)}`,
    `DTEND:${ics(start + minutes * MINUTE)}`,
    'CLASS:PUBLIC',
    'PRIORITY:5',
    `DTSTAMP:${ics(stamp)}`,
    'TRANSP:OPAQUE',
    'STATUS:CONFIRMED',
    'SEQUENCE:0',
    `LOCATION;LANGUAGE=en-GB:${location}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// A server's cron job

/**
 * The nightly backup report of a server, mailed by cron through the server's own Postfix, which
 * adds the Date and a time-stamped Message-Id the job did not write; root is an alias of the admin.
 */
export async function sendCronReport(po: PostOffice, admin: Person, at: number): Promise<void> {
  const rng = po.rng;
  if (!mailboxOf(admin.address)) return;
  const host = 'backup01.aldermoor.example';
  const queueId = postfixQueueId(at, rng);
  const gb = rng.int(180, 260);
  const text = `Backup of /srv/share and /srv/mail finished.\nTransferred: ${gb} GB in ${rng.int(2, 4)}h${String(rng.int(0, 59)).padStart(2, '0')}m\nErrors: ${rng.chance(0.9) ? 0 : rng.int(1, 3)}\nOldest snapshot kept: ${new Date(at - 30 * DAY).toISOString().slice(0, 10)}\n`;
  const messageId = `<${compactUtc(at)}.${queueId}@${host}>`;
  const m: RawMessage = {
    fields: [
      field('From', `root@${host} (Cron Daemon)`),
      field('To', `root@${host}`),
      field('Subject', `Cron <root@backup01> /usr/local/sbin/nightly-backup`),
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: 8bit',
      'X-Cron-Env: <SHELL=/bin/sh>',
      'X-Cron-Env: <HOME=/root>',
      'X-Cron-Env: <PATH=/usr/bin:/bin>',
      'X-Cron-Env: <LOGNAME=root>',
      field('Message-Id', messageId),
      field('Date', formatMailDate(at, 'Europe/Berlin', { day: 'space', comment: true })),
    ],
    body: encodeText(text, 'utf-8', '8bit'),
  };
  const letter = newServiceLetter(po, {
    kind: 'notification',
    from: { name: 'Cron Daemon', address: `root@${host}` },
    to: [addrOf(admin)],
    subject: 'Cron <root@backup01> /usr/local/sbin/nightly-backup',
    messageId,
    at,
    zone: 'Europe/Berlin',
    fullText: text,
    composed: m,
    tags: ['notification'],
  });
  const local = `Received: by ${host} (Postfix, from userid 0)${CRLF}\tid ${queueId}; ${formatMailDate(at, 'Europe/Berlin', { day: 'space', comment: true })}`;
  const relayAt = at + rng.int(200, 1500);
  const relayed = `Received: from ${host} (${host} [10.0.0.41])${CRLF}\tby ${HOSTS.aldermoorMail.host} (Postfix) with ESMTP id ${postfixQueueId(relayAt, rng)}${CRLF}\tfor <root@${host}>; ${formatMailDate(relayAt, 'Europe/Brussels', { day: 'space', comment: true })}`;
  const flight: InFlight = { message: prependFields(m, relayed, local), at: relayAt, relay: HOSTS.aldermoorMail, mailFrom: `root@${host}` };
  const d = deliverAldermoorLocal(flight, admin.address, rng);
  // Postfix's alias expansion leaves the original recipient just above Delivered-To.
  const at2 = d.message.fields.findIndex((f) => f.startsWith('Delivered-To:'));
  const fields = [...d.message.fields.slice(0, at2), `X-Original-To: root@${host}`, ...d.message.fields.slice(at2)];
  po.deliverTo(admin.address, { fields, body: d.message.body }, d.at, letter, ['unsigned-internal'], flight.message);
}
