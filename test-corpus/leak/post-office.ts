// The post office of the simulation: a person writes (their client composes), the message goes
// through their platform's servers to every recipient, and each leaked mailbox keeps its copy — the
// sender's sent copy as the client saved it, each recipient's copy as delivered. Every copy keeps
// a link to its letter and the honest tags that explain its oddities.
import { DAY, HOUR, MINUTE, type ZoneId } from './clock.ts';
import { composeMessage, writeSignature } from './clients.ts';
import type { Addr, Attachment, Composed, Draft } from './letter.ts';
import { getValue, type RawMessage } from './mime.ts';
import type { Random } from './random.ts';
import type { Topic } from './texts.ts';
import {
  deliverAldermoorLocal,
  deliverCirrusInternal,
  deliverFromOutside,
  forwardAldermoor,
  originFor,
  receiverOf,
  relayAldermoorOut,
  relayCirrusOut,
  submitAldermoor,
  submitCirrus,
  submitCivic,
  submitNetpost,
  submitOldmail,
  submitQuill,
  type InFlight,
} from './transport.ts';
import { MAILBOXES, PEOPLE, TOM_SWITCH, zoneAt, type ClientId, type ClientUse, type Lang, type MailboxSpec, type Person } from './world.ts';

export type Folder = 'inbox' | 'sent' | 'drafts' | 'archive' | 'lists' | 'newsletters' | 'trash';

export type LetterKind =
  'personal' | 'list' | 'newsletter' | 'notification' | 'calendar' | 'bounce' | 'auto-reply' | 'forward' | 'draft' | 'scan';

export interface Letter {
  serial: number;
  kind: LetterKind;
  author?: Person;
  from: Addr;
  to: Addr[];
  cc: Addr[];
  subject: string;
  messageId: string;
  threadIndex?: string;
  /** Date as written. */
  date: number;
  trueTime: number;
  zone: ZoneId;
  client: ClientId | 'service';
  fullText: string;
  lang: Lang;
  topic?: Topic;
  attachments: Attachment[];
  parent?: Letter;
  references: string[];
  /** The message as its program wrote it, before any server touched it. */
  composed: RawMessage;
  copies: Copy[];
  tags: string[];
  /** Participants of the conversation it belongs to (for thread forgeries). */
  thread?: number;
}

export interface Copy {
  serial: number;
  mailbox: MailboxSpec;
  folder: Folder;
  role: 'sent' | 'inbox' | 'draft';
  message: RawMessage;
  /** When the mailbox got it (file times, order). */
  at: number;
  letter: Letter;
  tags: Set<string>;
  seen: boolean;
  forgery?: { technique: string; note: string };
  /** Removed from the dump (a forger replaced it). */
  removed?: boolean;
  /** The message as the sending side handed it over (what the receiving servers added is above it). */
  flight?: RawMessage;
  /**
   * The message whose file this one took over, name and all: a forger who edited a stored message in
   * place and kept its file's name (in a maildir, a name that still gives the size delivered).
   */
  namedAfter?: { message: RawMessage; at: number };
}

/** Where, as what and when a copy of a letter is kept. */
export type Placement = Pick<Copy, 'mailbox' | 'folder' | 'role' | 'message' | 'at' | 'letter'>;

/** A copy record, for the post office and the forger alike; most mail was opened before the leak. */
export function keepCopy(serial: number, place: Placement, tags: Set<string>, rng: Random): Copy {
  return { serial, ...place, tags, seen: rng.chance(0.93) };
}

export interface SendSpec {
  author: Person;
  to: Addr[];
  cc?: Addr[];
  replyTo?: Addr;
  subject: string;
  /** What the person typed, without signature. */
  text: string;
  quote?: { mode: 'reply' | 'forward'; parent: Letter };
  attachments?: Attachment[];
  trueTime: number;
  kind?: LetterKind;
  lang: Lang;
  topic?: Topic;
  tags?: string[];
  extra?: string[];
  /** Hours a relay sat on it before the receiving MX took it. */
  slowRelayMs?: number;
  /** Force a client use (e.g. mobile). */
  use?: ClientUse;
  thread?: number;
  /** Only compose and keep the sender's copy (a draft). */
  draftOnly?: boolean;
  calendar?: Draft['calendar'];
}

export function addrOf(p: Person): Addr {
  return { name: p.name, address: p.address };
}

export function personByAddress(address: string): Person | undefined {
  const a = address.toLowerCase();
  return PEOPLE.find((p) => p.address === a);
}

export function mailboxOf(address: string): MailboxSpec | undefined {
  const p = personByAddress(address);
  return p ? MAILBOXES.find((m) => m.owner === p.key) : undefined;
}

/** The client a person uses at a time: the valid uses weighted by share, phones more when travelling. */
export function pickClient(p: Person, at: number, rng: Random, travelling: boolean): ClientUse {
  const valid = p.clients.filter((c) => (c.from === undefined || at >= c.from) && (c.until === undefined || at < c.until));
  return rng.weighted(valid.map((c) => [c, c.mobile && travelling ? c.share * 3 : c.share] as const));
}

const CONTENT_LANGUAGE: Record<Lang, string> = { en: 'en-GB', fr: 'fr-FR', de: 'de-DE', es: 'es-ES', sv: 'sv-SE' };

export class PostOffice {
  letters: Letter[] = [];
  copies: Copy[] = [];
  private serial = 0;
  private copySerial = 0;
  /** Addresses a sender mistyped; the organisation's server bounces them. */
  bounceHook?: (letter: Letter, badAddress: string, flightAt: number) => Promise<void>;
  /** Mailing lists: list address -> handler of the incoming flight. */
  lists = new Map<string, (flight: InFlight, letter: Letter) => Promise<void>>();

  readonly rng: Random;

  constructor(rng: Random) {
    this.rng = rng;
  }

  nextSerial(): number {
    return ++this.serial;
  }

  /** Keeps a copy in a leaked mailbox. */
  store(place: Placement, tags: Iterable<string>): Copy {
    const copy = keepCopy(++this.copySerial, place, new Set([...place.letter.tags, ...tags]), this.rng);
    place.letter.copies.push(copy);
    this.copies.push(copy);
    return copy;
  }

  /** Which folder a received letter lands in. */
  inboxFolder(mailbox: MailboxSpec, letter: Letter, at: number): Folder {
    if (letter.kind === 'list' && mailbox.folders.lists !== undefined) return 'lists';
    if (letter.kind === 'newsletter' && mailbox.folders.newsletters !== undefined) return 'newsletters';
    if (mailbox.folders.trash !== undefined && this.rng.chance(0.03)) return 'trash';
    if (mailbox.folders.archive !== undefined && at < Date.UTC(2024, 0, 1) && this.rng.chance(0.35)) return 'archive';
    return 'inbox';
  }

  deliverTo(address: string, message: RawMessage, at: number, letter: Letter, tags: string[] = [], flight?: RawMessage): Copy | undefined {
    const mailbox = mailboxOf(address);
    if (!mailbox) return undefined;
    const copy = this.store({ mailbox, folder: this.inboxFolder(mailbox, letter, at), role: 'inbox', message, at, letter }, [
      'inbox-copy',
      ...tags,
    ]);
    if (flight) copy.flight = flight;
    return copy;
  }

  /** Registers a letter composed by a program (services), before it is routed. */
  newLetter(fields: Omit<Letter, 'serial' | 'copies'>): Letter {
    const letter: Letter = { ...fields, serial: this.nextSerial(), copies: [] };
    this.letters.push(letter);
    return letter;
  }

  /** A person writes a message: compose, keep the sent copy, route to every recipient. */
  async send(request: SendSpec): Promise<Letter> {
    const { author, rng } = { author: request.author, rng: this.rng };
    // People do not send on the full minute: a few seconds either way of the planned time.
    const spec = { ...request, trueTime: request.trueTime + rng.int(0, 59_999) };
    const { zone, trip } = zoneAt(author, spec.trueTime);
    const use = spec.use ?? pickClient(author, spec.trueTime, rng, !!trip);
    const tags = [...(spec.tags ?? [])];
    let drift = 0;
    if (!use.mobile && author.desktopClockDrift) {
      drift = rng.int(author.desktopClockDrift[0], author.desktopClockDrift[1]);
      tags.push('clock-drift');
    }
    if (trip) tags.push('tz-travel');
    if (author.key === 'tom' && spec.trueTime >= TOM_SWITCH) tags.push('client-change');
    if (author.key === 'karl' && use.client === 'thunderbird' && !use.mailer) tags.push('client-change');
    const parent = spec.quote?.parent;
    const references = parent ? [...parent.references.slice(-8), parent.messageId] : [];
    const signature = writeSignature(use.client, author, spec.lang, !!use.mobile);
    const draft: Draft = {
      from: addrOf(author),
      to: spec.to,
      cc: spec.cc ?? [],
      ...(spec.replyTo ? { replyTo: spec.replyTo } : {}),
      subject: spec.subject,
      text: `${spec.text}${signature}`,
      ...(parent && spec.quote
        ? {
            quote: {
              mode: spec.quote.mode,
              source: {
                from: parent.from,
                to: parent.to,
                cc: parent.cc,
                subject: parent.subject,
                date: parent.date,
                text: parent.fullText,
              },
            },
          }
        : {}),
      attachments: spec.attachments ?? [],
      at: spec.trueTime + drift,
      zone,
      lang: spec.lang,
      ...(parent && spec.quote?.mode === 'reply' ? { inReplyTo: parent.messageId, references } : { references: [] }),
      ...(parent?.threadIndex ? { parentThreadIndex: parent.threadIndex } : {}),
      ...(spec.extra ? { extra: spec.extra } : {}),
      ...(spec.calendar ? { calendar: spec.calendar } : {}),
      ...(use.mailer ? { mailer: use.mailer } : {}),
      idDomain: author.domain,
      contentLanguage: CONTENT_LANGUAGE[spec.lang],
    };
    const composed: Composed = composeMessage(use.client, draft, rng, !!use.html);
    if (spec.attachments?.length) tags.push('attachment');
    const letter = this.newLetter({
      kind: spec.kind ?? (spec.quote?.mode === 'forward' ? 'forward' : 'personal'),
      author,
      from: draft.from,
      to: draft.to,
      cc: draft.cc,
      subject: spec.subject,
      messageId: composed.messageId,
      ...(composed.threadIndex ? { threadIndex: composed.threadIndex } : {}),
      date: draft.at,
      trueTime: spec.trueTime,
      zone,
      client: use.client,
      fullText: composed.fullText,
      lang: spec.lang,
      ...(spec.topic ? { topic: spec.topic } : {}),
      attachments: spec.attachments ?? [],
      ...(parent ? { parent } : {}),
      references: draft.references,
      composed: composed.message,
      tags,
      ...(spec.thread !== undefined ? { thread: spec.thread } : {}),
    });
    const own = MAILBOXES.find((m) => m.owner === author.key);
    if (spec.draftOnly) {
      if (own?.folders.drafts !== undefined)
        this.store(
          { mailbox: own, folder: 'drafts', role: 'draft', message: composed.message, at: spec.trueTime + rng.int(1, 40) * MINUTE, letter },
          ['draft'],
        );
      return letter;
    }
    if (own)
      this.store(
        { mailbox: own, folder: 'sent', role: 'sent', message: composed.message, at: spec.trueTime + rng.int(1, 4) * 1000, letter },
        ['sent-copy'],
      );
    await this.route(letter, composed.message, author, use, !!trip, spec);
    return letter;
  }

  /** From the author's platform to each recipient (only leaked mailboxes are kept). */
  private async route(
    letter: Letter,
    message: RawMessage,
    author: Person,
    use: ClientUse,
    travelling: boolean,
    spec: SendSpec,
  ): Promise<void> {
    const rng = this.rng;
    const recipients = [...letter.to, ...letter.cc].map((a) => a.address.toLowerCase());
    const submitAt = spec.trueTime + rng.int(200, 2500);
    const slow = spec.slowRelayMs ?? 0;
    const outside = async (flight: InFlight, addresses: string[]): Promise<void> => {
      for (const rcpt of addresses) {
        const list = this.lists.get(rcpt);
        if (list) {
          await list({ ...flight, at: flight.at + slow }, letter);
          continue;
        }
        if (this.isRedirected(rcpt, letter)) {
          await this.redirect(letter, { ...flight, at: flight.at + slow }, rcpt);
          continue;
        }
        if (!mailboxOf(rcpt)) continue;
        const kind = receiverOf(rcpt);
        if (kind !== 'aldermoor' && kind !== 'cirrus' && kind !== 'quill') continue;
        const delivered = await deliverFromOutside(flight, rcpt, { rng, delayMs: slow });
        this.deliverTo(
          rcpt,
          delivered.message,
          delivered.at,
          letter,
          [...(slow > HOUR ? ['slow-relay'] : []), ...delivered.tags],
          flight.message,
        );
      }
    };
    switch (author.platform) {
      case 'aldermoor': {
        const origin = originFor(author, use.client, !!use.mobile, travelling ? 'trip' : undefined, rng);
        const flight = submitAldermoor(
          message,
          author,
          use.client,
          origin,
          submitAt,
          rng,
          recipients.length === 1 ? recipients[0] : undefined,
        );
        const external: string[] = [];
        for (const rcpt of recipients) {
          if (rcpt.endsWith('@aldermoor.example')) {
            if (!personByAddress(rcpt)) {
              await this.bounceHook?.(letter, rcpt, flight.at);
              continue;
            }
            if (!mailboxOf(rcpt)) continue;
            const d = deliverAldermoorLocal(flight, rcpt, rng);
            this.deliverTo(rcpt, d.message, d.at, letter, ['unsigned-internal'], flight.message);
          } else if (this.lists.has(rcpt) && rcpt.endsWith('@lists.aldermoor.example')) {
            await this.lists.get(rcpt)!(flight, letter);
          } else {
            external.push(rcpt);
          }
        }
        if (external.length) await outside(await relayAldermoorOut(flight, rng), external);
        break;
      }
      case 'cirrus': {
        const flight = submitCirrus(message, author, submitAt, rng);
        const external: string[] = [];
        for (const rcpt of recipients) {
          if (rcpt.split('@')[1] === author.domain) {
            if (!mailboxOf(rcpt)) continue;
            const d = deliverCirrusInternal(flight, rcpt, rng);
            this.deliverTo(rcpt, d.message, d.at, letter, ['unsigned-internal'], flight.message);
          } else {
            external.push(rcpt);
          }
        }
        if (external.length) await outside(await relayCirrusOut(flight, author, rng), external);
        break;
      }
      case 'quill':
        await outside(await submitQuill(message, author, submitAt, rng, use.client), recipients);
        break;
      case 'civic': {
        const origin = originFor(author, use.client, false, undefined, rng);
        await outside(await submitCivic(message, author, origin, submitAt, rng), recipients);
        break;
      }
      case 'netpost':
        await outside(await submitNetpost(message, author, submitAt, rng), recipients);
        break;
      case 'oldmail':
        await outside(await submitOldmail(message, author, submitAt, rng), recipients);
        break;
      default:
        throw new Error(`${author.key} cannot send from ${author.platform}`);
    }
  }

  /** Marta's work mailbox sends the funder's mail on to her personal account (a server-side redirect). */
  isRedirected(rcpt: string, letter: Letter): boolean {
    return rcpt === 'marta.lindqvist@aldermoor.example' && /@tilia-trust\.example$/.test(letter.from.address);
  }

  private async redirect(letter: Letter, flight: InFlight, rcpt: string): Promise<void> {
    const onward = await forwardAldermoor(flight, rcpt, this.rng);
    const d = await deliverFromOutside(onward, 'marta.lindqvist@quillmail.example', { rng: this.rng });
    this.deliverTo('marta.lindqvist@quillmail.example', d.message, d.at, letter, ['forwarded', 'arc-sealed', ...d.tags]);
  }
}

/** A working-hours time on the day of `at` in `zone`, or the next working day when `at` falls outside. */
export function workingTime(at: number, rng: Random, offsetMinutes: number): number {
  let t = at;
  for (let i = 0; i < 7; i++) {
    const local = new Date(t + offsetMinutes * MINUTE);
    const day = local.getUTCDay();
    const hour = local.getUTCHours();
    if (day !== 0 && day !== 6 && hour >= 8 && hour < 19) return t;
    const next = new Date(
      Date.UTC(
        local.getUTCFullYear(),
        local.getUTCMonth(),
        local.getUTCDate() + (hour >= 19 || day === 0 || day === 6 ? 1 : 0),
        8,
        rng.int(0, 59),
        rng.int(0, 59),
      ),
    );
    t = next.getTime() - offsetMinutes * MINUTE + rng.int(0, 90) * MINUTE;
  }
  return t;
}

export function letterSubjectValue(letter: Letter): string {
  return getValue(letter.composed, 'subject') ?? letter.subject;
}

export { DAY, HOUR, MINUTE };
