// The forger's work, placed where a forger would put it: recipients' inboxes and people's sent
// folders. Each technique is done as a careful forger would — the victim's own mail client shape,
// times kept consistent where the forger could see them, the receiving site's header formats
// imitated — so that what gives it away is what the forger could not control: a signature that
// no longer matches, a key, a platform's hidden timestamps, a document's metadata, the archive.
import libmime from 'libmime';
import { DAY, HOUR, MINUTE, formatMailDate, offsetMinutes, shiftDates } from './clock.ts';
import { composeMessage, defaultMailer } from './clients.ts';
import { CONTENT_TYPES, buildDocument, type DocMeta } from './documents.ts';
import { EDITING_LANGUAGE } from './paperwork.ts';
import { TOPICS, baseSubject, fill, replyPrefix, writeClosing, writeGreeting, writeParagraphs } from './texts.ts';
import type { Addr, Attachment, Draft } from './letter.ts';
import {
  encodeBase64,
  encodeQuotedPrintable,
  encodeWords,
  field,
  fieldName,
  fold,
  getValue,
  prependFields,
  removeFields,
  textBytes,
  type RawMessage,
} from './mime.ts';
import {
  addrOf,
  keepCopy,
  personByAddress,
  pickClient,
  workingTime,
  type Copy,
  type Letter,
  type Placement,
  type PostOffice,
} from './post-office.ts';
import type { Random } from './random.ts';
import type { Scenario } from './scenario.ts';
import { writeSignature } from './clients.ts';
import { gatewayMarks, markExternal } from './gateway.ts';
import {
  HOSTS,
  deliverAldermoorLocal,
  deliverFromOutside,
  originFor,
  postfixQueueId,
  receiverOf,
  signMessage,
  submitAldermoor,
  type InFlight,
  type Relay,
} from './transport.ts';
import {
  MAILBOXES,
  PEOPLE,
  PERIOD_END,
  PERIOD_START,
  STAFF,
  findPerson,
  hasMailbox,
  zoneAt,
  type ClientId,
  type ClientUse,
  type MailboxSpec,
  type Person,
} from './world.ts';

export interface Technique {
  id: string;
  /** Added as a new file, or made by editing (replacing) a real copy. */
  placement: 'added' | 'replaced';
  /** What it is, for the README and the report. */
  description: string;
}

export const FORGERY_TECHNIQUES: readonly Technique[] = [
  {
    id: 'body-edited',
    placement: 'replaced',
    description: 'a signed inbox copy whose body was edited after signing (signature left in place)',
  },
  { id: 'signed-header-edited', placement: 'replaced', description: 'a signed inbox copy whose signed Subject, To or Date was edited' },
  {
    id: 'unsigned-spoof',
    placement: 'added',
    description: 'an unsigned message claiming a domain that signs, sent from a rented server to a leaked mailbox',
  },
  {
    id: 'lookalike-domain',
    placement: 'added',
    description: 'a message from a look-alike of the organisation or a partner, properly signed by the look-alike',
  },
  {
    id: 'retired-weak-key',
    placement: 'added',
    description: "a message signed only with the organisation's retired 512-bit key (factored)",
  },
  {
    id: 'wrong-client',
    placement: 'added',
    description: "the victim's mailer header on a message whose Message-ID, MIME structure and route are another program's",
  },
  {
    id: 'foreign-attachment',
    placement: 'replaced',
    description: 'a real message whose document was swapped for one edited by someone else or made after the e-mail',
  },
  {
    id: 'doctored-thread',
    placement: 'added',
    description: 'a fake reply: altered quote, a parent with other participants or subject, or dated before its parent',
  },
  {
    id: 'forged-auth-results',
    placement: 'added',
    description: 'a fabricated delivered message whose Authentication-Results claim a DKIM pass that never happened',
  },
  { id: 'edited-copy', placement: 'replaced', description: 'an edited second copy of a real message, keeping its Message-ID' },
  {
    id: 'redated',
    placement: 'replaced',
    description: 'a re-dated message (Date and Received moved) whose Message-ID, boundary or Thread-Index keep the real time',
  },
  { id: 'l-appended', placement: 'replaced', description: 'text appended after the l= limit of a signature' },
  {
    id: 'replayed-signature',
    placement: 'added',
    description: "another message's DKIM signature and delivery headers replayed onto a new message",
  },
];

// ---------------------------------------------------------------------------------------------

/**
 * Tries `make` on each candidate in turn, one at a time (so the random numbers are drawn in the same
 * order), until `count` are made counting from `made`; `make` returns false when a candidate does not
 * fit. Returns how many are made.
 */
async function makeUntil<T>(
  candidates: Iterable<T>,
  count: number,
  make: (candidate: T) => boolean | Promise<boolean>,
  made = 0,
): Promise<number> {
  for (const candidate of candidates) {
    if (made >= count) break;
    if (await make(candidate)) made++;
  }
  return made;
}

/** `n` attempts, for the techniques that make up a message from scratch rather than edit a real one. */
function attempts(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

class Forger {
  private used = new Set<Letter>();
  private readonly po: PostOffice;
  private readonly rng: Random;

  constructor(po: PostOffice, rng: Random) {
    this.po = po;
    this.rng = rng;
  }

  authentic(): Copy[] {
    return this.po.copies.filter((c) => !c.removed && !c.forgery && !this.used.has(c.letter));
  }

  /** Candidates in a random order, skipping letters another forgery already edited. */
  shuffled(candidates: Copy[]): Copy[] {
    return this.rng.shuffle(candidates).filter((c) => !this.used.has(c.letter));
  }

  isUsed(copy: Copy): boolean {
    return this.used.has(copy.letter);
  }

  /** Forges from the candidates in a random order, skipping letters already used, until `count` are made. */
  makeFrom(candidates: Copy[], count: number, make: (copy: Copy) => boolean | Promise<boolean>): Promise<number> {
    return makeUntil(this.shuffled(candidates), count, (c) => !this.isUsed(c) && make(c));
  }

  /**
   * An edit of a stored copy in place. Every other such forger (by the copy's serial, so that the
   * random stream and the rest of the leak stay as they were) keeps the file's name, as an editor
   * saving over the file does; the others name it anew, as a careful forger or a re-import would.
   * Only a maildir's names show it (Dovecot writes the size it delivered into each name).
   */
  replace(copy: Copy, message: RawMessage, technique: string, note: string, at = copy.at): Copy {
    this.used.add(copy.letter);
    const keepsName = copy.serial % 2 === 0;
    const inMaildir = copy.mailbox.format === 'maildir';
    const forged: Copy = {
      ...copy,
      serial: copy.serial + 1_000_000,
      message,
      at,
      tags: new Set(),
      forgery: { technique, note: keepsName && inMaildir ? `${note}; the maildir file keeps the name it was delivered under` : note },
      removed: false,
      ...(keepsName ? { namedAfter: copy.namedAfter ?? { message: copy.message, at: copy.at } } : {}),
    };
    copy.removed = true;
    this.po.copies.push(forged);
    return forged;
  }

  /** Keeps a forged message in a mailbox as if it had always been there. */
  add(place: Placement, technique: string, note: string): Copy {
    const copy: Copy = { ...keepCopy(2_000_000 + this.po.copies.length, place, new Set(), this.rng), forgery: { technique, note } };
    this.po.copies.push(copy);
    return copy;
  }

  /** A forged message kept in a mailbox's inbox, as delivered to its owner. */
  addReceived(mailbox: MailboxSpec, message: RawMessage, at: number, letter: Letter, technique: string, note: string): Copy {
    return this.add({ mailbox, folder: 'inbox', role: 'inbox', message, at, letter }, technique, note);
  }

  /** A forged message kept in its supposed sender's sent folder. */
  addSent(mailbox: MailboxSpec, message: RawMessage, at: number, letter: Letter, technique: string, note: string): Copy {
    return this.add({ mailbox, folder: 'sent', role: 'sent', message, at, letter }, technique, note);
  }

  /** The letter record of a message the forger composed from one person to another. */
  letterOf(from: Person, to: Person, composed: { message: RawMessage; messageId: string }, at: number): Letter {
    return this.letterFor(addrOf(from), [addrOf(to)], decoded(composed.message, 'subject'), composed.messageId, at, composed.message);
  }

  /** A letter record for a forged message (names files and Takeout threads like any other). */
  letterFor(from: Addr, to: Addr[], subject: string, messageId: string, at: number, composed: RawMessage, parent?: Letter): Letter {
    return this.po.newLetter({
      kind: 'personal',
      from,
      to,
      cc: [],
      subject,
      messageId,
      date: at,
      trueTime: at,
      zone: 'UTC',
      client: 'service',
      fullText: '',
      lang: 'en',
      attachments: [],
      references: [],
      composed,
      tags: [],
      ...(parent ? { parent, ...(parent.thread !== undefined ? { thread: parent.thread } : {}) } : {}),
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Edits of text the forger can see

const DAY_NAMES = [
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'lundi',
  'mardi',
  'mercredi',
  'jeudi',
  'vendredi',
  'Montag',
  'Dienstag',
  'Mittwoch',
  'Donnerstag',
  'Freitag',
];

/** Picks a token of the visible text that the forger changes everywhere it appears in the raw body. */
function planEdit(body: string, rng: Random): { from: string; to: string } | undefined {
  const candidates: { from: string; to: string }[] = [];
  for (const m of body.matchAll(/EUR (\d{1,3}),(\d{3})|(\d{1,3})\.(\d{3}) EUR/g)) {
    const from = m[0];
    const to = from.replace(/\d{1,3}(?=[,.]\d{3})/, (d) => String(Math.min(999, Number(d) * rng.int(2, 4) + rng.int(1, 9))));
    if (to !== from) candidates.push({ from, to });
  }
  for (const m of body.matchAll(/\b(\d{1,2}) ?%/g)) {
    const n = Number(m[1]);
    candidates.push({ from: m[0], to: m[0].replace(m[1]!, String(n > 50 ? n - rng.int(20, 40) : n + rng.int(20, 40))) });
  }
  for (const name of DAY_NAMES) {
    if (body.includes(name))
      candidates.push({
        from: name,
        to: DAY_NAMES[((DAY_NAMES.indexOf(name) + rng.int(1, 3)) % 5) + Math.floor(DAY_NAMES.indexOf(name) / 5) * 5]!,
      });
  }
  for (const [a, b] of [
    ['Thanks, that works for me.', 'No, that does not work for me.'],
    ['Agreed.', 'I disagree.'],
    ['Yes, go ahead.', 'No, please wait.'],
    ['Looks good.', 'This is not acceptable.'],
    ['Merci, ça me va.', 'Non, ça ne me va pas.'],
    ['Danke, passt für mich.', 'Nein, das passt nicht.'],
    ['Gracias, me parece bien.', 'No, no me parece bien.'],
  ] as const) {
    if (body.includes(a)) candidates.push({ from: a, to: b });
  }
  return candidates.length ? rng.pick(candidates) : undefined;
}

function applyEdit(message: RawMessage, edit: { from: string; to: string }): RawMessage {
  return { fields: message.fields, body: message.body.split(edit.from).join(edit.to) };
}

function replaceField(message: RawMessage, name: string, value: string): RawMessage {
  const n = name.toLowerCase();
  return { ...message, fields: message.fields.map((f) => (fieldName(f) === n ? fold(name, value) : f)) };
}

function decoded(message: RawMessage, name: string): string {
  return libmime.decodeWords(getValue(message, name) ?? '');
}

function shiftHeaderDates(message: RawMessage, delta: number, which: (name: string) => boolean): RawMessage {
  return { ...message, fields: message.fields.map((f) => (which(fieldName(f)) ? shiftDates(f, delta) : f)) };
}

function signatureDomain(message: RawMessage): string | undefined {
  const sig = getValue(message, 'dkim-signature');
  return sig ? /\bd=([^;\s]+)/.exec(sig)?.[1] : undefined;
}

/** A copy no signature protects: the sender's own sent copy, or one delivered inside without signing. */
function isUnsignedOwn(c: Copy): boolean {
  return !getValue(c.message, 'dkim-signature') && (c.role === 'sent' || c.tags.has('unsigned-internal'));
}

/** A received copy signed by a platform that signs, not changed on the way by a list or marked by a gateway. */
function isSignedReceived(c: Copy): boolean {
  return (
    c.role === 'inbox' &&
    !!c.letter.author &&
    SIGNING_SENDERS.has(c.letter.author.platform) &&
    !c.tags.has('list-modified') &&
    !c.tags.has('gateway-mark') &&
    !!getValue(c.message, 'dkim-signature')
  );
}

/** A careful forger who fabricates a delivery through the organisation's MX puts on the marks its gateway adds at that time. */
function asGatewayMarks(message: RawMessage, rcpt: string, at: number): RawMessage {
  return receiverOf(rcpt) === 'aldermoor' && gatewayMarks(message, at) ? markExternal(message).message : message;
}

function hasLengthTag(message: RawMessage): boolean {
  const sig = getValue(message, 'dkim-signature');
  return !!sig && /\bl=\d+/.test(sig);
}

const SIGNING_SENDERS = new Set(['cirrus', 'quill', 'civic', 'netpost']);

// ---------------------------------------------------------------------------------------------
// Building messages as the forger does

/** The forger composes with the victim's usual client (so the fingerprint matches), at `at`. */
function composeAs(
  victim: Person,
  to: Person[],
  subject: string,
  text: string,
  at: number,
  rng: Random,
  extra: Partial<Draft> = {},
  client?: ClientId | ClientUse,
): { message: RawMessage; messageId: string; fullText: string; client: ClientId } {
  const { zone, trip } = zoneAt(victim, at);
  const use: ClientUse = typeof client === 'string' ? { client, share: 1 } : (client ?? pickClient(victim, at, rng, !!trip));
  const draft: Draft = {
    from: addrOf(victim),
    to: to.map(addrOf),
    cc: [],
    subject,
    // With a program of his own the forger signs off as the victim's usual desktop client would.
    text: `${text}${writeSignature(typeof client === 'string' ? (victim.clients.find((c) => !c.mobile)?.client ?? use.client) : use.client, victim, extra.lang ?? 'en', typeof client === 'string' ? false : !!use.mobile)}`,
    attachments: [],
    at,
    zone,
    lang: 'en',
    references: [],
    idDomain: victim.domain,
    contentLanguage: 'en-GB',
    ...extra,
  };
  const composed = composeMessage(use.client, draft, rng, !!use.html);
  return { message: composed.message, messageId: composed.messageId, fullText: composed.fullText, client: use.client };
}

/** A message in the forger's words from `sender` to `target` under one of `subjects`, signed off with `signer`'s first name. */
function composeForged(
  sender: Person,
  target: Person,
  subjects: string[],
  at: number,
  rng: Random,
  signer = sender.name,
  client?: ClientId,
): { message: RawMessage; messageId: string; fullText: string; client: ClientId } {
  return composeAs(sender, [target], rng.pick(subjects), forgedText(rng, target.name, signer), at, rng, {}, client);
}

/** A working-day time in the period (not in its last five days), for a message made from scratch; `offset` is the local zone's offset in minutes. */
function forgeryTime(rng: Random, offset = 60): number {
  return workingTime(PERIOD_START + Math.floor(rng.next() * (PERIOD_END - PERIOD_START - 5 * DAY)), rng, offset);
}

/** What the forger wants a message to say, in the organisation's everyday phrasing. */
const PAYLOADS = [
  'Please transfer the remaining {amount} to the new account below before {day}; the old one is being closed.',
  'As discussed, we will not publish anything on the {topic}. Please delete the drafts.',
  'I have agreed with Kestrel that the audit findings stay internal. Do not forward this.',
  'The board has decided to stop the {topic}. Keep this confidential until the announcement.',
  'Can you send me the list of all partner contacts with their personal numbers? I need it by {day}.',
  'Use the revised figures for the funder, not the ones from last week: the total is now {amount}.',
  'We received an additional {amount} from a private donor who wishes to stay anonymous.',
  'Please sign the agreement on behalf of the foundation; I will countersign when I am back.',
  'Do not mention the {topic} to the partners until I have spoken to {name}.',
  'I need the payment of {amount} released today, the supplier is threatening to go to court.',
  '{Name} has resigned; please remove the access to the shared folders before {day}.',
  'Between us: the {topic} figures were adjusted before they went to the funder.',
];

/** A forged body: an ordinary opening in the office's phrasing, then what the forger wants said. */
function forgedText(rng: Random, to: string, from: string): string {
  const topic = rng.pick(TOPICS);
  const slots = { topic, lang: 'en' as const, names: STAFF.map((p) => p.name.split(' ')[0]!) };
  const opening = rng.chance(0.6) ? [writeParagraphs(rng, slots, true)[0]!, ''] : [];
  return [
    writeGreeting(rng, 'en', [to]),
    '',
    ...opening,
    fill(rng, rng.pick(PAYLOADS), slots),
    '',
    writeClosing(rng, 'en'),
    from.split(' ')[0],
  ].join('\n');
}

/** One sentence of payload (a PS, a quoted reply's addition). */
function payload(rng: Random): string {
  return fill(rng, rng.pick(PAYLOADS), { topic: rng.pick(TOPICS), lang: 'en', names: STAFF.map((p) => p.name.split(' ')[0]!) });
}

/** A rented server the forger sends from. */
function vps(rng: Random): Relay {
  const n = rng.int(10, 250);
  return { host: `vps-${n}-${rng.int(10, 99)}.hostcloud.test`, ip: `198.18.99.${n}`, helo: `vps-${n}-${rng.int(10, 99)}.hostcloud.test` };
}

function vpsReceived(relay: Relay, at: number, rng: Random): string {
  return `Received: from [192.168.56.${rng.int(2, 250)}] (unknown [192.0.2.${rng.int(1, 250)}])\r\n\tby ${relay.host} (Postfix) with ESMTPSA id ${postfixQueueId(at, rng)};\r\n\t${formatMailDate(at, 'UTC', { day: 'space', comment: true })}`;
}

/**
 * A real delivered copy with another message in it: the receiving side's fields (above) and the
 * sending platform's hops and stamps (around the message) are taken from `template`, with their
 * times moved by `delta`; `composed` goes where the template's own message was. Without
 * `keepSignatures` the sender side's DKIM and ARC fields are left out (the forger has no key).
 */
function transplant(template: Copy, composed: RawMessage, delta: number, keepSignatures: boolean): RawMessage | undefined {
  const flight = template.flight;
  const original = template.letter.composed;
  if (!flight || !original.fields.length) return undefined;
  const start = template.message.fields.indexOf(flight.fields[0]!);
  const inner = flight.fields.indexOf(original.fields[0]!);
  if (start < 0 || inner < 0) return undefined;
  const shift = (f: string): string => shiftDates(f, delta);
  const receiverTop = template.message.fields.slice(0, start).map(shift);
  const receiverTail = template.message.fields.slice(start + flight.fields.length).map(shift);
  const senderTop = flight.fields
    .slice(0, inner)
    .filter((f) => keepSignatures || !/^(dkim-signature|arc-)/i.test(f))
    .map(shift);
  const senderTail = flight.fields.slice(inner + original.fields.length).map(shift);
  return { fields: [...receiverTop, ...senderTop, ...composed.fields, ...senderTail, ...receiverTail], body: composed.body };
}

/** Rewrites what Authentication-Results say about DKIM so that they claim a pass for `d`/`s`/`b`. */
function claimPass(message: RawMessage, d: string, s: string, b: string): RawMessage {
  return {
    ...message,
    fields: message.fields.map((f) => {
      const n = fieldName(f);
      if (n !== 'authentication-results' && n !== 'arc-authentication-results') return f;
      let v = f
        .replace(
          /dkim=(fail|neutral|policy|none|temperror|permerror)(\s*\([^)]*\))?/g,
          (_m, _r, comment?: string) =>
            `dkim=pass${comment ? (/weak|body|verif|not signed/.test(comment) ? ' (signature was verified)' : comment) : ''}`,
        )
        .replace(/header\.d=[^;\s]+/g, `header.d=${d}`)
        .replace(/header\.s=[^;\s]+/g, `header.s=${s}`)
        .replace(/header\.i=@[^;\s]+/g, `header.i=@${d}`)
        .replace(/header\.b=[^;\s]+/g, `header.b=${b}`)
        .replace(/dmarc=(fail|none)/g, 'dmarc=pass')
        .replace(/spf=(fail|softfail|none)/g, 'spf=pass')
        .replace(/reason="[^"]*"/g, '')
        .replace(/compauth=\w+ reason=\d+/g, 'compauth=pass reason=100');
      if (n === 'authentication-results' && /dkim=none \(message not signed\) header\.d=none/.test(f))
        v = v.replace('dkim=none (message not signed) header.d=none', `dkim=pass (signature was verified) header.d=${d}`);
      return v;
    }),
  };
}

function sigPrefix(message: RawMessage): string {
  const v = getValue(message, 'dkim-signature');
  return v ? (/\bb=([^;]+)/.exec(v.replace(/\s+/g, ''))?.[1] ?? '').slice(0, 8) : '';
}

function inboxOf(p: Person): MailboxSpec | undefined {
  return MAILBOXES.find((m) => m.owner === p.key);
}

// ---------------------------------------------------------------------------------------------

/** The forger's version of a document: someone else's editor and language, or a time after the e-mail. */
async function forgeDocument(att: Attachment, mailDate: number, rng: Random): Promise<{ data: Buffer; note: string }> {
  const spec = att.doc!;
  const variant = rng.weighted([
    ['russian', 4],
    ['after', 3],
    ['outsider', 2],
  ] as const);
  const meta: DocMeta = { ...spec.meta, revision: spec.meta.revision + rng.int(1, 3) };
  let note: string;
  if (variant === 'russian') {
    meta.lastModifiedBy = rng.pick(['Рошка Георгий Петрович', 'Голубева Анна', 'Дмитрий Кузнецов']);
    meta.language = 'ru-RU';
    meta.modified = mailDate - rng.int(20, 600) * MINUTE;
    note = `${att.filename}: last modified by ${meta.lastModifiedBy}, editing language ru-RU`;
  } else if (variant === 'after') {
    // Saved later over the original (only modified moves), or made new from scratch (both move).
    meta.modified = mailDate + rng.int(3, 200) * DAY;
    const fromScratch = rng.chance(0.5);
    if (fromScratch) meta.created = meta.modified - rng.int(20, 300) * MINUTE;
    note = `${att.filename}: ${fromScratch ? 'created and ' : ''}modified ${new Date(meta.modified).toISOString().slice(0, 10)}, after the e-mail of ${new Date(mailDate).toISOString().slice(0, 10)}`;
  } else {
    meta.lastModifiedBy = rng.pick(['J. Kowalczyk', 'user', 'Admin', 'Mike Rowan']);
    meta.company = rng.pick(['', 'Rowan Consulting Ltd', 'Home']);
    meta.language = 'en-US';
    meta.modified = mailDate - rng.int(20, 600) * MINUTE;
    note = `${att.filename}: last modified by ${meta.lastModifiedBy} (${meta.company || 'no company'}), en-US`;
  }
  const data = await buildDocument({
    ...spec,
    meta,
    paragraphs: [
      ...spec.paragraphs.slice(0, 2),
      'Section 2 (revised): the programme will be closed and the remaining funds transferred.',
      ...spec.paragraphs.slice(3),
    ],
  });
  return { data, note };
}

export async function plantForgeries(po: PostOffice, scenario: Scenario, rng: Random, count: number): Promise<void> {
  const f = new Forger(po, rng);
  void scenario;
  const leakedStaff = STAFF.filter((p) => hasMailbox(p.key));
  const within = (at: number): boolean => at > PERIOD_START + 3 * DAY && at < PERIOD_END;

  // Scarce targets first: l= signed plain text, documents in unsigned copies, time-bearing ids.
  // 1. l-appended: a paragraph after the signed length.
  {
    const targets = f
      .authentic()
      .filter(
        (c) =>
          c.role === 'inbox' &&
          hasLengthTag(c.message) &&
          !c.tags.has('list-modified') &&
          !c.tags.has('gateway-mark') &&
          /^text\/plain/i.test(getValue(c.message, 'content-type') ?? 'text/plain') &&
          /^(7bit|8bit|quoted-printable)?$/i.test(getValue(c.message, 'content-transfer-encoding') ?? ''),
      );
    await f.makeFrom(targets, count, (c) => {
      const qp = /quoted-printable/i.test(getValue(c.message, 'content-transfer-encoding') ?? '');
      const text = `\r\nPS: ${payload(rng)}\r\n`;
      const appended = qp ? `${encodeQuotedPrintable(textBytes(text, 'utf-8'))}\r\n` : textBytes(text, 'utf-8');
      f.replace(
        c,
        { fields: c.message.fields, body: c.message.body + appended },
        'l-appended',
        `a PS appended after the l= limit of the ${signatureDomain(c.message)} signature`,
      );
      return true;
    });
  }

  // 2. foreign-attachment: a real unsigned copy whose office document is swapped.
  {
    const targets = f
      .authentic()
      .filter(
        (c) =>
          c.letter.attachments.some((a) => (a.doc && a.doc.kind !== 'pdf') || a.doc?.meta.application === 'office') && isUnsignedOwn(c),
      );
    const made = await f.makeFrom(targets, count, async (c) => {
      const att = c.letter.attachments.find((a) => a.doc && a.doc.meta.application !== 'scanner')!;
      const { data, note } = await forgeDocument(att, c.letter.date, rng);
      let body = c.message.body;
      let swapped = false;
      for (const width of [76, 72]) {
        const old = encodeBase64(att.data, width);
        if (body.includes(old)) {
          body = body.replace(old, encodeBase64(data, width));
          swapped = true;
          break;
        }
      }
      if (!swapped) return false;
      f.replace(c, { fields: c.message.fields, body }, 'foreign-attachment', `the document was replaced; ${note}`);
      return true;
    });
    // Too few real documents to swap: the forger writes a sent message of his own around one.
    await makeUntil(
      attempts(count * 4),
      count,
      async () => {
        const author = rng.pick(leakedStaff.filter((p) => inboxOf(p)?.folders.sent !== undefined));
        const to = rng.pick(STAFF.filter((p) => p !== author));
        const at = forgeryTime(rng);
        if (!within(at)) return false;
        const topic = rng.pick(TOPICS);
        const kind = rng.pick(['docx', 'xlsx', 'pdf'] as const);
        const base: DocMeta = {
          title: topic.docTitle,
          creator: author.name,
          lastModifiedBy: author.name,
          created: at - rng.int(2, 15) * DAY,
          modified: at - rng.int(30, 900) * MINUTE,
          zone: author.zone,
          language: EDITING_LANGUAGE[author.key] ?? 'en-GB',
          company: author.org,
          application: 'office',
          revision: rng.int(3, 9),
          totalTime: rng.int(20, 200),
          documentId: rng.uuid(),
        };
        const spec = scenario.paper.spec(kind, topic, base);
        const { data, note } = await forgeDocument(
          { filename: spec.filename, contentType: CONTENT_TYPES[kind], data: Buffer.alloc(0), doc: spec },
          at,
          rng,
        );
        const attachment = { filename: spec.filename, contentType: CONTENT_TYPES[kind], data };
        const composed = composeAs(
          author,
          [to],
          topic.docTitle,
          `Hi ${to.name.split(' ')[0]},\n\nAttached the latest version, as discussed.\n\n${author.name.split(' ')[0]}`,
          at,
          rng,
          { attachments: [attachment] },
        );
        const letter = f.letterFor(addrOf(author), [addrOf(to)], topic.docTitle, composed.messageId, at, composed.message);
        f.addSent(
          inboxOf(author)!,
          composed.message,
          at + 2000,
          letter,
          'foreign-attachment',
          `${note}; a sent message made up around it, in the sender's sent folder`,
        );
        return true;
      },
      made,
    );
  }

  // 3. redated: Date and Received moved; time-bearing ids and boundaries left as they were.
  {
    const timeBearing = (c: Copy): boolean =>
      ['outlook', 'cirrus-outlook', 'cirrus-web', 'quill-web', 'mutt'].includes(c.letter.client as string);
    const targets = f.authentic().filter((c) => timeBearing(c) && isUnsignedOwn(c) && c.letter.kind === 'personal');
    await f.makeFrom(targets, count, (c) => {
      const days = rng.int(4, 40) * (rng.chance(0.6) ? -1 : 1);
      const delta = days * DAY + rng.int(-180, 180) * MINUTE;
      // Most forgers move the Received times with the Date; some only touch the Date.
      const withHops = c.role !== 'sent' && rng.chance(0.6);
      const m = shiftHeaderDates(c.message, delta, (n) => n === 'date' || (withHops && n === 'received'));
      f.replace(
        c,
        m,
        'redated',
        `Date${withHops ? ' and Received' : ''} moved ${Math.abs(days)} days ${days < 0 ? 'earlier' : 'later'}; Message-ID, boundary and Thread-Index unchanged`,
        c.at + (withHops || c.role === 'sent' ? delta : 0),
      );
      return true;
    });
  }

  // 4. edited-copy: one copy of a message kept in several mailboxes, edited, same Message-ID.
  {
    const targets = f
      .authentic()
      .filter((c) => c.letter.copies.filter((x) => !x.removed).length >= 2 && isUnsignedOwn(c) && c.letter.kind === 'personal');
    await f.makeFrom(targets, count, (c) => {
      const edit = planEdit(c.message.body, rng);
      if (!edit) return false;
      const others = c.letter.copies.filter((x) => !x.removed && x !== c).length;
      f.replace(
        c,
        applyEdit(c.message, edit),
        'edited-copy',
        `"${edit.from}" changed to "${edit.to}" in the ${c.role} copy; ${others === 1 ? '1 other copy keeps' : `${others} other copies keep`} the original`,
      );
      return true;
    });
  }

  // 5. replayed-signature: a real delivered copy's signature and delivery headers over a new message.
  {
    const templates = f
      .authentic()
      .filter(
        (c) =>
          c.role === 'inbox' &&
          c.flight &&
          !!getValue(c.message, 'dkim-signature') &&
          c.letter.author &&
          SIGNING_SENDERS.has(c.letter.author.platform) &&
          !c.tags.has('list-modified'),
      );
    await makeUntil(rng.shuffle(templates), count, (t) => {
      const victim = t.letter.author!;
      const target = findPerson(t.mailbox.owner);
      const at = t.letter.trueTime + rng.int(2, 6 * 60) * MINUTE;
      if (!within(at)) return false;
      // The new message keeps the template's From, To and Date so the copied signature's claims look right.
      const composed = composeForged(victim, target, ['Re: payment', 'Agreement', 'Urgent', 'Confidential'], t.letter.date, rng);
      // Same Date as the original (a signed header): only the rest of the message is new.
      const dated: RawMessage = {
        fields: composed.message.fields.map((x) =>
          fieldName(x) === 'date' ? (t.letter.composed.fields.find((y) => fieldName(y) === 'date') ?? x) : x,
        ),
        body: composed.message.body,
      };
      const fabricated = transplant(t, dated, 0, true);
      if (!fabricated) return false;
      const letter = f.letterOf(victim, target, composed, t.letter.date);
      const storedAt = t.at + rng.int(5, 90) * 1000;
      f.add(
        {
          mailbox: t.mailbox,
          folder: t.folder,
          role: 'inbox',
          message: asGatewayMarks(fabricated, target.address, storedAt),
          at: storedAt,
          letter,
        },
        'replayed-signature',
        `DKIM-Signature (${signatureDomain(t.message)}) and delivery headers of ${t.letter.messageId} replayed onto a new message`,
      );
      return true;
    });
  }
  // 6. forged-auth-results: a fabricated received message whose results claim a pass.
  {
    const templates = f
      .authentic()
      .filter(
        (c) =>
          c.role === 'inbox' &&
          c.flight &&
          c.letter.author &&
          ['cirrus', 'quill'].includes(c.letter.author.platform) &&
          !c.tags.has('list-modified') &&
          c.letter.kind === 'personal',
      );
    await makeUntil(rng.shuffle(templates), count, (t) => {
      const victim = t.letter.author!;
      const target = personByAddress(
        t.mailbox.owner === 'marta-home' ? 'marta.lindqvist@quillmail.example' : findPerson(t.mailbox.owner).address,
      );
      if (!target) return false;
      const at = t.letter.trueTime + rng.int(1, 20) * DAY + rng.int(-3 * 3600, 3 * 3600) * 1000;
      if (!within(at)) return false;
      const composed = composeForged(victim, target, ['Payment', 'Re: agreement', 'Confidential', 'Next steps'], at, rng);
      // The sender side as the platform would have written it, minus the signature the forger could not make.
      const fabricated = transplant(t, composed.message, at - t.letter.trueTime, false);
      if (!fabricated) return false;
      const d = signatureDomain(t.message) ?? victim.domain;
      const s = /\bs=([^;\s]+)/.exec(getValue(t.message, 'dkim-signature') ?? '')?.[1] ?? 'selector1';
      const forged = claimPass(fabricated, d, s, rng.token(8, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'));
      const letter = f.letterOf(victim, target, composed, at);
      const storedAt = t.at + (at - t.letter.trueTime);
      f.addReceived(
        t.mailbox,
        asGatewayMarks(forged, target.address, storedAt),
        storedAt,
        letter,
        'forged-auth-results',
        `fabricated delivery of an unsigned message From ${victim.address}; Authentication-Results copied from a real delivery and edited to claim dkim=pass for ${d}`,
      );
      return true;
    });
  }

  // 7. body-edited: a received, signed copy (not a list's), one visible token changed everywhere.
  {
    const targets = f.authentic().filter(isSignedReceived);
    await f.makeFrom(targets, count, (c) => {
      const edit = planEdit(c.message.body, rng);
      if (!edit) return false;
      f.replace(
        c,
        applyEdit(c.message, edit),
        'body-edited',
        `"${edit.from}" changed to "${edit.to}" in the body; the signature of ${signatureDomain(c.message)} left in place`,
      );
      return true;
    });
  }

  // 8. signed-header-edited: Subject, To or Date of a signed received copy.
  {
    const targets = f.authentic().filter(isSignedReceived);
    await f.makeFrom(targets, count, (c) => {
      // Only a header the signature covers (h=): editing an unsigned one would prove nothing.
      const signed = (/\bh=([^;]+)/.exec((getValue(c.message, 'dkim-signature') ?? '').replace(/\s+/g, ''))?.[1] ?? '')
        .toLowerCase()
        .split(':');
      const choices = (
        [
          ['subject', 5],
          ['to', 3],
          ['date', 2],
        ] as const
      ).filter(([name]) => signed.includes(name));
      if (!choices.length) return false;
      const which = rng.weighted(choices);
      let m = c.message;
      let note: string;
      if (which === 'subject') {
        const old = decoded(m, 'subject');
        const next = rng.chance(0.5) ? `${old.replace(/(comments|update|draft|notes)/i, 'final decision')}` : `URGENT: ${old}`;
        m = replaceField(m, 'Subject', encodeWords(next === old ? `CONFIDENTIAL: ${old}` : next, 'utf8-q'));
        note = `signed Subject changed from "${old}"`;
      } else if (which === 'to') {
        const extra = rng.pick(PEOPLE.filter((p) => p.staff && !(getValue(m, 'to') ?? '').includes(p.address)));
        m = replaceField(m, 'To', `${getValue(m, 'to')}, ${extra.name} <${extra.address}>`);
        note = `${extra.address} added to the signed To`;
      } else {
        const delta = -rng.int(2, 9) * DAY;
        // A careful forger moves Date and every Received time together.
        m = shiftHeaderDates(m, delta, (n) => n === 'date' || n === 'received' || n === 'x-received');
        note = `signed Date moved ${Math.round(-delta / DAY)} days earlier, Received times moved with it`;
      }
      f.replace(c, m, 'signed-header-edited', note);
      return true;
    });
  }

  // 9. doctored-thread: fake replies.
  {
    const parents = po.letters.filter(
      (l) => l.kind === 'personal' && l.author?.staff && l.thread !== undefined && l.copies.some((c) => !c.removed) && within(l.trueTime),
    );
    await makeUntil(rng.shuffle(parents), count, (parent) => {
      const replierCandidates = [...parent.to, ...parent.cc]
        .map((a) => personByAddress(a.address))
        .filter((p): p is Person => !!p && p.staff);
      if (!replierCandidates.length) return false;
      const replier = rng.pick(replierCandidates);
      const recipient = parent.author!;
      const targetBox = inboxOf(recipient) ?? inboxOf(replier);
      if (!targetBox) return false;
      const variant = rng.weighted([
        ['altered-quote', 4],
        ['foreign-parent', 3],
        ['before-parent', 3],
      ] as const);
      let at = parent.trueTime + rng.int(30, 600) * MINUTE + rng.int(0, 59) * 1000;
      let quoteText = parent.fullText;
      let refParent = parent;
      let note: string;
      if (variant === 'altered-quote') {
        const edit = planEdit(quoteText, rng);
        if (!edit) return false;
        quoteText = quoteText.split(edit.from).join(edit.to);
        note = `fake reply quoting the parent with "${edit.from}" changed to "${edit.to}"`;
      } else if (variant === 'foreign-parent') {
        const others = po.letters.filter(
          (l) =>
            l.kind === 'personal' &&
            l.thread !== parent.thread &&
            Math.abs(l.trueTime - parent.trueTime) < 30 * DAY &&
            l.author &&
            l.author !== replier &&
            l.author !== recipient,
        );
        if (!others.length) return false;
        refParent = rng.pick(others);
        note = `In-Reply-To points at ${refParent.messageId} (other participants and subject)`;
      } else {
        at = parent.trueTime - rng.int(3, 48) * HOUR - rng.int(0, 3599) * 1000;
        note = `reply dated ${Math.round((parent.trueTime - at) / HOUR)} h before the message it answers`;
      }
      if (!within(at)) return false;
      // The replier's own client writes the reply (its prefix, quoting and Thread-Index), in the thread's language.
      const use = pickClient(replier, at, rng, !!zoneAt(replier, at).trip);
      const outlookish = ['outlook', 'cirrus-outlook', 'cirrus-web'].includes(use.client);
      const subject = `${replyPrefix(parent.lang, outlookish ? 'outlook' : 'other')}${baseSubject(parent.subject)}`;
      const composed = composeAs(
        replier,
        [recipient],
        subject,
        `${rng.pick(['Agreed, let us do it this way.', 'Confirmed - I will tell the others.', 'Yes, as you say below.'])}\n\n${payload(rng)}`,
        at,
        rng,
        {
          quote: {
            mode: 'reply',
            source: { from: parent.from, to: parent.to, cc: parent.cc, subject: parent.subject, date: parent.date, text: quoteText },
          },
          inReplyTo: refParent.messageId,
          references: [...refParent.references, refParent.messageId],
          ...(refParent.threadIndex ? { parentThreadIndex: refParent.threadIndex } : {}),
          lang: parent.lang,
        },
        use,
      );
      const letter = f.letterFor(addrOf(replier), [addrOf(recipient)], subject, composed.messageId, at, composed.message, parent);
      if (inboxOf(recipient) && recipient.platform === 'aldermoor') {
        const origin = originFor(replier, composed.client, false, undefined, rng);
        const flight = submitAldermoor(composed.message, replier, composed.client, origin, at + 1500, rng, recipient.address);
        const d = deliverAldermoorLocal(flight, recipient.address, rng);
        f.addReceived(inboxOf(recipient)!, d.message, d.at, letter, 'doctored-thread', note);
      } else {
        f.addSent(targetBox, composed.message, at + 2000, letter, 'doctored-thread', `${note}, placed in the replier's sent folder`);
      }
      return true;
    });
  }

  // 10. wrong-client: the victim's mailer string on another program's message.
  {
    await makeUntil(attempts(count * 4), count, () => {
      const victim = rng.pick(STAFF);
      const usual = victim.clients.find((c) => !c.mobile)?.client ?? victim.clients[0]!.client;
      const mailer = defaultMailer(usual, PERIOD_END);
      if (!mailer) return false;
      const forgerClient: ClientId = rng.pick(
        (['thunderbird', 'apple-mail', 'roundcube', 'outlook', 'k9'] as ClientId[]).filter(
          (c) => c !== usual && !(c === 'thunderbird' && usual === 'k9'),
        ),
      );
      const inSent = hasMailbox(victim.key) && rng.chance(0.35);
      const target = rng.pick(leakedStaff.filter((p) => p !== victim));
      const at = forgeryTime(rng);
      if (!within(at)) return false;
      const composed = composeForged(
        victim,
        target,
        ['Re: budget', 'Notes', 'Decision on the programme', 'Contract', 'Follow-up from today'],
        at,
        rng,
        victim.name,
        forgerClient,
      );
      // Out goes the forger's own mailer line, in goes the victim's.
      let m = removeFields(removeFields(composed.message, 'x-mailer'), 'user-agent');
      const mailerLine = field(mailer.name, victim.clients.find((c) => c.client === usual)?.mailer ?? defaultMailer(usual, at)!.value);
      m = {
        ...m,
        fields: [...m.fields.slice(0, Math.max(1, m.fields.length - 2)), mailerLine, ...m.fields.slice(Math.max(1, m.fields.length - 2))],
      };
      const letter = f.letterOf(victim, target, { message: m, messageId: composed.messageId }, at);
      const note = `${mailer.name}: ${victim.clients.find((c) => c.client === usual)?.mailer ?? defaultMailer(usual, at)!.value} (${victim.name}'s ${usual}) on a message written by ${forgerClient}`;
      if (inSent) {
        f.addSent(inboxOf(victim)!, m, at + 3000, letter, 'wrong-client', `${note}, placed in the sender's sent folder`);
      } else {
        const via = forgerClient === 'roundcube' ? 'roundcube' : forgerClient;
        const origin = originFor(victim, via, false, undefined, rng);
        const flight = submitAldermoor(m, victim, via, origin, at + 1500, rng, target.address);
        const d = deliverAldermoorLocal(flight, target.address, rng);
        f.addReceived(inboxOf(target)!, d.message, d.at, letter, 'wrong-client', note);
      }
      return true;
    });
  }

  // 11. unsigned-spoof: sent for real from a rented server, From a domain that signs; the MX tells the truth.
  {
    await makeUntil(attempts(count * 4), count, async () => {
      const victim = rng.pick(PEOPLE.filter((p) => ['aldermoor', 'cirrus', 'quill'].includes(p.platform) && p.key !== 'marta-home'));
      const target = rng.pick([...leakedStaff, findPerson('lucia'), findPerson('marta-home')].filter((p) => p !== victim));
      const mailbox = inboxOf(target);
      if (!mailbox) return false;
      const at = forgeryTime(rng, offsetMinutes(victim.zone, PERIOD_START));
      if (!within(at)) return false;
      const text = forgedText(rng, target.name, victim.name);
      const composed = composeAs(
        victim,
        [target],
        rng.pick(['Urgent', 'Quick favour', 'Payment today', 'Confidential', 'Bank details']),
        text,
        at,
        rng,
      );
      const relay = vps(rng);
      const flight: InFlight = {
        message: prependFields(composed.message, vpsReceived(relay, at + 2000, rng)),
        at: at + 2000,
        relay,
        mailFrom: victim.address,
      };
      if (!['aldermoor', 'cirrus', 'quill'].includes(receiverOf(target.address))) return false;
      const d = await deliverFromOutside(flight, target.address, { rng });
      const letter = f.letterOf(victim, target, composed, at);
      f.addReceived(
        mailbox,
        d.message,
        d.at,
        letter,
        'unsigned-spoof',
        `unsigned, From ${victim.address}, sent from ${relay.host} (${relay.ip}) straight to the recipient's MX`,
      );
      return true;
    });
  }

  // 12. lookalike-domain: the forger's own domain, properly signed; display names of real people.
  {
    await makeUntil(attempts(count * 4), count, async () => {
      const partner = rng.chance(0.35);
      const victim = partner
        ? rng.pick(PEOPLE.filter((p) => p.domain === 'kestrel-partners.example' && p.key !== 'lucia'))
        : rng.pick(STAFF.filter((p) => p.key !== 'marta' || rng.chance(0.5)));
      const domain = partner ? 'kestrel-partner.example' : 'aldermoor-foundation.example';
      const selector = partner ? 'selector1' : 'k1';
      const target = rng.pick([...leakedStaff, findPerson('lucia')].filter((p) => p.address !== victim.address));
      const mailbox = inboxOf(target);
      if (!mailbox || !['aldermoor', 'cirrus'].includes(receiverOf(target.address))) return false;
      const at = forgeryTime(rng);
      if (!within(at)) return false;
      const fake: Person = { ...victim, address: victim.address.replace(/@.*/, `@${domain}`), domain };
      const composed = composeForged(
        fake,
        target,
        ['Re: invoice', 'Updated bank details', 'Board papers', 'Contract for signature', 'Follow-up'],
        at,
        rng,
        victim.name,
      );
      const relay = vps(rng);
      let m = prependFields(composed.message, vpsReceived(relay, at + 1500, rng));
      m = await signMessage(
        m,
        { domain, selector, canonicalization: 'relaxed/relaxed', headerList: 'From:To:Subject:Date:Message-ID:MIME-Version:Content-Type' },
        at + 1500,
      );
      const d = await deliverFromOutside({ message: m, at: at + 1500, relay, mailFrom: fake.address }, target.address, { rng });
      const letter = f.letterOf(fake, target, composed, at);
      f.addReceived(
        mailbox,
        d.message,
        d.at,
        letter,
        'lookalike-domain',
        `From ${fake.name} <${fake.address}>, signed by ${domain} (selector ${selector}), imitating ${victim.address}`,
      );
      return true;
    });
  }

  // 13. retired-weak-key: signed only with mail2016 (512 bits), which the forger factored.
  {
    await makeUntil(attempts(count * 4), count, async () => {
      const victim = rng.pick(STAFF);
      const external = rng.chance(0.5);
      const target = external ? findPerson(rng.pick(['lucia', 'marta-home'])) : rng.pick(leakedStaff.filter((p) => p !== victim));
      if (target.key === 'marta-home' && victim.key === 'marta') return false;
      const mailbox = inboxOf(target)!;
      const at = forgeryTime(rng);
      if (!within(at)) return false;
      const composed = composeForged(
        victim,
        target,
        ['Confidential', 'Re: budget', 'Agreement', 'For your eyes only', 'Decision'],
        at,
        rng,
      );
      const origin = originFor(victim, 'outlook', false, undefined, rng);
      const flight = submitAldermoor(composed.message, victim, 'outlook', origin, at + 1200, rng, target.address);
      let delivered: RawMessage;
      let deliveredAt: number;
      if (external) {
        // As if it had left through the organisation's relay, signed with the old selector.
        const outAt = flight.at + rng.int(300, 900);
        let m = prependFields(
          flight.message,
          `Received: from ${HOSTS.aldermoorMail.host} (${HOSTS.aldermoorMail.host} [${HOSTS.aldermoorMail.ip}])\r\n\tby ${HOSTS.aldermoorOut.host} (Postfix) with ESMTP id ${postfixQueueId(outAt, rng)};\r\n\t${formatMailDate(outAt, 'Europe/Brussels', { day: 'space', comment: true })}`,
        );
        m = await signMessage(
          m,
          {
            domain: 'aldermoor.example',
            selector: 'mail2016',
            canonicalization: 'relaxed/simple',
            headerList: 'From:Subject:Date:To:Message-ID:MIME-Version:Content-Type',
          },
          outAt,
        );
        const d = await deliverFromOutside({ message: m, at: outAt, relay: HOSTS.aldermoorOut, mailFrom: victim.address }, target.address, {
          rng,
        });
        delivered = claimPass(d.message, 'aldermoor.example', 'mail2016', sigPrefix(m));
        deliveredAt = d.at;
      } else {
        // Internal delivery does not sign; the forger adds the old key's signature to lend weight.
        const signed = await signMessage(
          flight.message,
          {
            domain: 'aldermoor.example',
            selector: 'mail2016',
            canonicalization: 'relaxed/simple',
            headerList: 'From:Subject:Date:To:Message-ID',
          },
          flight.at,
        );
        const d = deliverAldermoorLocal({ ...flight, message: signed }, target.address, rng);
        delivered = d.message;
        deliveredAt = d.at;
      }
      const letter = f.letterOf(victim, target, composed, at);
      f.addReceived(
        mailbox,
        delivered,
        deliveredAt,
        letter,
        'retired-weak-key',
        `From ${victim.address}, signed only with mail2016._domainkey.aldermoor.example (512 bits, retired in 2022)`,
      );
      return true;
    });
  }
}
