// Eighteen months of the foundation's mail, event by event in time order: conversations inside the
// organisation and with partners (replies quote their parents, reply-all crosses organisations,
// documents travel and get revised), list traffic, newsletters, notifications, invitations, the
// director's personal account, forwards, drafts, mistyped addresses and out-of-office replies.
import { DAY, HOUR, MINUTE, offsetMinutes } from './clock.ts';
import type { DocKind } from './documents.ts';
import type { Addr, Attachment } from './letter.ts';
import { Paperwork } from './paperwork.ts';
import { addrOf, mailboxOf, pickClient, workingTime, type Letter, type PostOffice, type SendSpec } from './post-office.ts';
import type { Random } from './random.ts';
import {
  ANNOUNCE_MEMBERS,
  COALITION_MEMBERS,
  isAway,
  makeInvitation,
  registerLists,
  sendAutoReply,
  sendBounce,
  sendCloudNotice,
  sendCronReport,
  sendNewsletter,
  sendPeopleHub,
  sendScan,
  tagReusedScans,
} from './services.ts';
import {
  PERSONAL_LINES,
  TOPICS,
  baseSubject,
  firstName,
  forwardPrefix,
  replyPrefix,
  writeClosing,
  writeGreeting,
  writeParagraphs,
  writeReplyParagraphs,
  writeSubject,
  type Topic,
} from './texts.ts';
import { PEOPLE, PERIOD_END, PERIOD_START, SERVICES, STAFF, findPerson, hasMailbox, type Lang, type Person } from './world.ts';

type EventKind =
  | 'internal'
  | 'external'
  | 'civic'
  | 'kestrel-internal'
  | 'coalition'
  | 'team'
  | 'announce'
  | 'newsletter'
  | 'peoplehub'
  | 'cloud'
  | 'calendar'
  | 'personal'
  | 'scan'
  | 'forward-home'
  | 'draft'
  | 'cron';

const EVENTS: [EventKind, number][] = [
  ['internal', 26],
  ['external', 26],
  ['civic', 8],
  ['kestrel-internal', 4],
  ['coalition', 3.5],
  ['team', 2],
  ['announce', 2],
  ['newsletter', 6],
  ['peoplehub', 4],
  ['cloud', 2],
  ['calendar', 3],
  ['personal', 6],
  ['scan', 2],
  ['forward-home', 2],
  ['draft', 1.5],
  ['cron', 1.5],
];

const PARTNERS = ['lucia', 'james', 'amira', 'helen', 'nadia', 'ben', 'karin', 'paul', 'hans'];
const PARTNER_WEIGHTS: Record<string, number> = { lucia: 30, james: 8, amira: 8, helen: 12, nadia: 10, ben: 6, karin: 3, paul: 6, hans: 5 };

/** 01:00-02:59 UTC: when the nightly jobs end. */
const nightlyTime = (rng: Random): number => rng.int(3600, 3 * 3600 - 1) * 1000;

const leakedFirst = (p: Person): number => (hasMailbox(p.key) ? 4 : 1);

/** A common language of the people on a message, else English. */
function languageOf(rng: Random, people: Person[]): Lang {
  for (const lang of ['fr', 'de', 'es'] as Lang[]) {
    if (people.every((p) => p.speaks.includes(lang)) && rng.chance(0.85)) return lang;
  }
  return 'en';
}

export class Scenario {
  readonly paper: Paperwork;
  private threadSerial = 0;
  private newsletterIssues = new Set<string>();
  private sentDocs: { letter: Letter; history: string; version: number }[] = [];
  private peopleHubLetters: Letter[] = [];
  private readonly po: PostOffice;
  private readonly rng: Random;

  constructor(po: PostOffice, rng: Random) {
    this.po = po;
    this.rng = rng;
    this.paper = new Paperwork(rng.fork('documents'));
    registerLists(po);
    po.bounceHook = async (letter, bad, at) => sendBounce(po, letter, bad, at);
  }

  /** Authentic copies kept so far. */
  count(): number {
    return this.po.copies.length;
  }

  /** Runs events in time order until the leaked mailboxes hold at least `target` copies. */
  async run(target: number): Promise<void> {
    const rng = this.rng;
    // Enough start times for the target; more are drawn if a run falls short.
    let guard = 0;
    while (this.count() < target && guard++ < 50) {
      const batch = Math.max(50, Math.ceil((target - this.count()) / 2.2));
      const times = Array.from(
        { length: batch },
        () => PERIOD_START + Math.floor(rng.next() * (PERIOD_END - PERIOD_START - 14 * DAY)),
      ).sort((a, b) => a - b);
      for (const t of times) {
        if (this.count() >= target) break;
        await this.event(rng.weighted(EVENTS), t);
      }
    }
    this.finish();
  }

  private async event(kind: EventKind, t: number): Promise<void> {
    switch (kind) {
      case 'internal':
        return this.conversation(t, 'internal');
      case 'external':
        return this.conversation(t, 'external');
      case 'civic':
        return this.conversation(t, 'civic');
      case 'kestrel-internal':
        return this.conversation(t, 'kestrel');
      case 'coalition':
        return this.listThread(t, SERVICES.coalitionList.address, COALITION_MEMBERS.map(findPerson), '[coalition]');
      case 'team':
        return this.listThread(t, SERVICES.teamList.address, STAFF as Person[], '[team]');
      case 'announce':
        return this.listThread(
          t,
          SERVICES.announceList.address,
          ANNOUNCE_MEMBERS.map(findPerson).filter((p) => p.domain === 'civic-network.example'),
          '',
        );
      case 'newsletter':
        return this.newsletter(t);
      case 'peoplehub':
        return this.peopleHub(t);
      case 'cloud':
        return this.cloud(t);
      case 'calendar':
        return this.calendar(t);
      case 'personal':
        return this.personal(t);
      case 'scan':
        return this.scan(t);
      case 'forward-home':
        return this.forwardHome(t);
      case 'draft':
        return this.draft(t);
      case 'cron':
        return sendCronReport(this.po, findPerson('karl'), Math.floor(t / DAY) * DAY + nightlyTime(this.rng));
    }
  }

  // -------------------------------------------------------------------------------------------

  private pickStaff(exclude: Person[] = []): Person {
    const pool = STAFF.filter((p) => !exclude.includes(p));
    return this.rng.weighted(pool.map((p) => [p, leakedFirst(p)] as const));
  }

  private async maybeAttach(sender: Person, topic: Topic, at: number, chance: number, edit: boolean): Promise<Attachment[]> {
    if (!this.rng.chance(chance)) return [];
    const kind: DocKind = this.rng.weighted([
      ['docx', 5],
      ['pdf', 3],
      ['xlsx', 2],
      ['pptx', 1],
    ]);
    const doc = await this.paper.attach(sender, topic, kind, at, edit);
    this.pendingDocs.push({ history: doc.history, version: doc.version });
    if (doc.templateAuthor) this.pendingTags.push('template-author');
    return [doc.attachment];
  }

  private pendingDocs: { history: string; version: number }[] = [];
  private pendingTags: string[] = [];

  private async send(spec: SendSpec): Promise<Letter> {
    const tags = [...(spec.tags ?? []), ...this.pendingTags];
    const docs = this.pendingDocs;
    this.pendingDocs = [];
    this.pendingTags = [];
    const letter = await this.po.send({ ...spec, tags });
    for (const d of docs) this.sentDocs.push({ letter, ...d });
    // Out-of-office replies from recipients who are away.
    if (!spec.draftOnly) {
      for (const a of [...letter.to, ...letter.cc]) {
        const p = PEOPLE.find((x) => x.address === a.address);
        if (p && isAway(p, letter.trueTime) && this.rng.chance(0.8))
          await sendAutoReply(this.po, p, letter, letter.trueTime + this.rng.int(3, 40) * 1000);
      }
    }
    return letter;
  }

  private compose(rng: Random, lang: Lang, to: Person[], paragraphs: string[], author: Person): string {
    const greeting = writeGreeting(
      rng,
      lang,
      to.map((p) => p.name),
    );
    return [greeting, '', ...paragraphs.flatMap((p) => [p, '']), writeClosing(rng, lang), firstName(author.name)].join('\n');
  }

  /** A conversation: a first message and 0-4 replies, sometimes a forward to someone new. */
  private async conversation(t: number, kind: 'internal' | 'external' | 'civic' | 'kestrel'): Promise<void> {
    const rng = this.rng;
    let people: Person[];
    if (kind === 'internal') {
      const a = this.pickStaff();
      const others = Array.from(
        {
          length: rng.weighted([
            [1, 6],
            [2, 3],
            [3, 1],
          ] as const),
        },
        () => this.pickStaff([a]),
      );
      people = [a, ...new Set(others)].filter((p, i, all) => all.indexOf(p) === i);
    } else if (kind === 'external') {
      const partner = findPerson(rng.weighted(PARTNERS.map((k) => [k, PARTNER_WEIGHTS[k]!] as const)));
      const staff = this.pickStaff();
      const extra = rng.chance(0.3) ? [this.pickStaff([staff])] : [];
      people = rng.chance(0.5) ? [staff, partner, ...extra] : [partner, staff, ...extra];
    } else if (kind === 'civic') {
      const civic = findPerson(rng.pick(['jan', 'maria']));
      const staff = rng.weighted(STAFF.filter((p) => hasMailbox(p.key)).map((p) => [p, 1] as const));
      people = rng.chance(0.7) ? [civic, staff] : [staff, civic];
      if (rng.chance(0.25)) people.push(this.pickStaff([staff]));
    } else {
      const lucia = findPerson('lucia');
      const colleague = findPerson(rng.pick(['james', 'amira']));
      people = rng.chance(0.5) ? [lucia, colleague] : [colleague, lucia];
    }
    const lang = languageOf(rng, people);
    const topic = rng.pick(TOPICS);
    const thread = ++this.threadSerial;
    const author = people[0]!;
    const start = workingTime(t, rng, offsetMinutes(author.zone, t));
    if (start > PERIOD_END) return;
    const recipients = people.slice(1);
    const to = recipients.slice(0, 1 + (recipients.length > 2 && rng.chance(0.5) ? 1 : 0));
    const cc = recipients.filter((p) => !to.includes(p));
    const slots = { topic, lang, names: PEOPLE.filter((p) => p.staff).map((p) => firstName(p.name)) };
    const typo = kind === 'internal' && rng.chance(0.05);
    const first = await this.send({
      author,
      to: [...to.map(addrOf), ...(typo ? [{ name: to[0]!.name, address: to[0]!.address.replace(/\.(\w)/, '.$1$1') }] : [])],
      cc: cc.map(addrOf),
      subject: writeSubject(rng, slots),
      text: this.compose(rng, lang, to, writeParagraphs(rng, slots, false), author),
      attachments: await this.maybeAttach(author, topic, start, 0.2, false),
      trueTime: start,
      lang,
      topic,
      thread,
      ...(kind !== 'internal' && kind !== 'kestrel' && rng.chance(0.06) ? { slowRelayMs: rng.int(2 * 60, 9 * 60) * MINUTE } : {}),
    });
    let parent = first;
    let at = start;
    const replies = rng.weighted([
      [0, 3],
      [1, 4],
      [2, 3],
      [3, 2],
      [4, 1],
    ] as const);
    for (let i = 0; i < replies; i++) {
      const candidates = people.filter((p) => p.address !== parent.from.address);
      const replier = rng.weighted(candidates.map((p) => [p, leakedFirst(p)] as const));
      at = workingTime(
        at +
          rng.weighted([
            [rng.int(3, 60) * MINUTE, 5],
            [rng.int(1, 8) * HOUR + rng.int(0, 3599) * 1000, 4],
            [rng.int(1, 4) * DAY + rng.int(-7200, 7200) * 1000, 2],
          ] as const),
        rng,
        offsetMinutes(replier.zone, at),
      );
      if (at > PERIOD_END) break;
      const all = rng.chance(0.6);
      const replyTo = [people.find((p) => p.address === parent.from.address) ?? people[0]!];
      const replyCc = all ? people.filter((p) => p !== replier && !replyTo.includes(p)) : [];
      const outlookish = ['outlook', 'cirrus-outlook', 'cirrus-web'].includes(replier.clients[0]!.client);
      const subject = `${replyPrefix(lang, outlookish ? 'outlook' : 'other')}${baseSubject(parent.subject)}`;
      const reviseDoc = parent.attachments.length > 0 && rng.chance(0.5);
      parent = await this.send({
        author: replier,
        to: replyTo.map(addrOf),
        cc: replyCc.map(addrOf),
        subject,
        text: this.compose(rng, lang, replyTo, writeReplyParagraphs(rng, slots, rng.chance(0.4)), replier),
        quote: { mode: 'reply', parent },
        attachments: reviseDoc ? await this.maybeAttach(replier, topic, at, 1, true) : [],
        trueTime: at,
        lang,
        topic,
        thread,
      });
    }
    // Sometimes someone forwards the thread to a colleague who was not on it.
    if (rng.chance(0.08)) {
      const forwarder = people.find((p) => p.staff);
      if (forwarder) {
        const newcomer = this.pickStaff(people);
        at = workingTime(at + rng.int(1, 30) * HOUR + rng.int(0, 3599) * 1000, rng, offsetMinutes(forwarder.zone, at));
        if (at < PERIOD_END) {
          const outlookish = forwarder.clients[0]!.client === 'outlook';
          await this.send({
            author: forwarder,
            to: [addrOf(newcomer)],
            subject: `${forwardPrefix(lang, outlookish ? 'outlook' : 'other')}${baseSubject(parent.subject)}`,
            text: this.compose(
              rng,
              lang,
              [newcomer],
              [rng.pick(['FYI, see below.', 'For your information.', 'Can you take this over?', 'See the thread below.'])],
              forwarder,
            ),
            quote: { mode: 'forward', parent },
            attachments: parent.attachments,
            trueTime: at,
            lang,
            topic,
            thread,
            tags: ['forwarded'],
          });
        }
      }
    }
  }

  /** A post to a list and replies to the list. */
  private async listThread(t: number, list: string, members: Person[], tag: string): Promise<void> {
    const rng = this.rng;
    const authors = members.filter((p) => ['aldermoor', 'cirrus', 'quill', 'civic'].includes(p.platform));
    if (!authors.length) return;
    const author = rng.weighted(authors.map((p) => [p, leakedFirst(p)] as const));
    const topic = rng.pick(TOPICS);
    const lang: Lang = 'en';
    const start = workingTime(t, rng, offsetMinutes(author.zone, t));
    if (start > PERIOD_END) return;
    const slots = { topic, lang, names: members.map((p) => firstName(p.name)) };
    const listAddr: Addr = { name: tag ? tag.slice(1, -1) : 'Announce', address: list };
    const thread = ++this.threadSerial;
    let parent = await this.send({
      author,
      to: [listAddr],
      subject: writeSubject(rng, slots),
      text: this.compose(rng, lang, [], writeParagraphs(rng, slots, false), author),
      trueTime: start,
      lang,
      topic,
      kind: 'list',
      thread,
    });
    let at = start;
    const replies =
      list === SERVICES.announceList.address
        ? 0
        : rng.weighted([
            [0, 4],
            [1, 3],
            [2, 2],
          ] as const);
    for (let i = 0; i < replies; i++) {
      const replier = rng.weighted(authors.filter((p) => p.address !== parent.from.address).map((p) => [p, leakedFirst(p)] as const));
      at = workingTime(at + rng.int(20, 30 * 60) * MINUTE, rng, offsetMinutes(replier.zone, at));
      if (at > PERIOD_END) break;
      const tagged = tag ? `${tag} ` : '';
      parent = await this.send({
        author: replier,
        to: [listAddr],
        subject: `Re: ${tagged}${baseSubject(parent.subject)}`,
        text: this.compose(rng, lang, [], writeReplyParagraphs(rng, slots, true), replier),
        quote: { mode: 'reply', parent },
        trueTime: at,
        lang,
        topic,
        kind: 'list',
        thread,
      });
    }
  }

  private async newsletter(t: number): Promise<void> {
    const which = this.rng.chance(0.55) ? 'policy-weekly' : 'eurobrief';
    // Policy Weekly: Thursdays 06:00 UTC; EuroBrief: Tuesdays 05:30 UTC.
    const day = new Date(t);
    const target = which === 'policy-weekly' ? 4 : 2;
    const slot = Date.UTC(
      day.getUTCFullYear(),
      day.getUTCMonth(),
      day.getUTCDate() + ((target - day.getUTCDay() + 7) % 7),
      which === 'policy-weekly' ? 6 : 5,
      which === 'policy-weekly' ? 0 : 30,
    );
    const key = `${which}/${slot}`;
    if (this.newsletterIssues.has(key) || slot > PERIOD_END) return;
    this.newsletterIssues.add(key);
    await sendNewsletter(this.po, which, slot);
  }

  private async peopleHub(t: number): Promise<void> {
    const rng = this.rng;
    const to = rng.pick(STAFF.filter((p) => hasMailbox(p.key)));
    const at = workingTime(t, rng, 60);
    // A reminder re-sends an earlier notification to the same person, with the same Message-ID.
    const earlier = this.peopleHubLetters.filter((l) => l.to[0]?.address === to.address && at - l.trueTime < 10 * DAY && at > l.trueTime);
    const letter = await sendPeopleHub(this.po, to, at, earlier.length && rng.chance(0.5) ? rng.pick(earlier) : undefined);
    if (letter) this.peopleHubLetters.push(letter);
  }

  private async cloud(t: number): Promise<void> {
    const rng = this.rng;
    const sharer = this.pickStaff();
    const to = this.pickStaff([sharer]);
    const topic = rng.pick(TOPICS);
    await sendCloudNotice(this.po, sharer, to, `${topic.doc}.${rng.pick(['docx', 'xlsx', 'pdf'])}`, workingTime(t, rng, 60));
  }

  private async calendar(t: number): Promise<void> {
    const rng = this.rng;
    const organizer = rng.chance(0.3)
      ? findPerson(rng.pick(['lucia', 'james', 'helen']))
      : rng.pick(STAFF.filter((p) => p.clients.some((c) => c.client === 'outlook')));
    const attendees = [
      ...new Set([this.pickStaff([organizer]), this.pickStaff([organizer]), ...(rng.chance(0.5) ? [this.pickStaff([organizer])] : [])]),
    ];
    const at = workingTime(t, rng, offsetMinutes(organizer.zone, t));
    if (at > PERIOD_END) return;
    const topic = rng.pick(TOPICS);
    const title = `${topic.name.en.charAt(0).toUpperCase()}${topic.name.en.slice(1)} - ${rng.pick(['catch-up', 'review', 'planning', 'call'])}`;
    const start = Math.floor((at + rng.int(2, 20) * DAY) / HOUR) * HOUR;
    const use = organizer.clients.find((c) => c.client === 'outlook' || c.client === 'cirrus-outlook') ?? organizer.clients[0]!;
    const ics = makeInvitation(
      addrOf(organizer),
      attendees.map(addrOf),
      title,
      start,
      60,
      rng.hex(64).toUpperCase(),
      at,
      rng.pick(['Teams', 'Meeting room 2', 'Brussels office', 'Video call']),
    );
    await this.send({
      author: organizer,
      to: attendees.map(addrOf),
      subject: title,
      text: `${title}\n\nAgenda to follow.`,
      trueTime: at,
      lang: 'en',
      topic,
      kind: 'calendar',
      tags: ['calendar'],
      use,
      calendar: { ics, method: 'REQUEST' },
    });
  }

  /** The director's personal account: family and friends, and a few notes to colleagues. */
  private async personal(t: number): Promise<void> {
    const rng = this.rng;
    const tom = rng.chance(0.3);
    const marta = findPerson(tom ? 'tom-home' : 'marta-home');
    const other = findPerson(
      tom
        ? 'dan'
        : rng.weighted([
            ['erik', 4],
            ['sofia', 3],
            ['karin', 2],
          ] as const),
    );
    const lang: Lang = !tom && rng.chance(0.6) ? 'sv' : 'en';
    const at = Math.floor(t / DAY) * DAY + rng.int(6 * 60, 21 * 60) * MINUTE;
    if (at > PERIOD_END) return;
    const outgoing = rng.chance(0.45);
    const author = outgoing ? marta : other;
    const to = outgoing ? other : marta;
    const lines = rng.sample(PERSONAL_LINES[lang], rng.int(1, 2));
    const first = await this.send({
      author,
      to: [addrOf(to)],
      subject: rng.pick(lang === 'sv' ? ['Söndag', 'Bilder', 'Hej!', 'Resan'] : ['Sunday', 'Photos', 'Hi!', 'Trip', 'Quick question']),
      text: [writeGreeting(rng, lang, [to.name]), '', ...lines, '', firstName(author.name)].join('\n'),
      trueTime: at,
      lang,
      tags: ['personal'],
    });
    if (rng.chance(0.5)) {
      const back = at + rng.int(10, 600) * MINUTE;
      if (back < PERIOD_END) {
        await this.send({
          author: to,
          to: [addrOf(author)],
          subject: `Re: ${first.subject}`,
          text: [rng.pick(PERSONAL_LINES[lang]), '', firstName(to.name)].join('\n'),
          quote: { mode: 'reply', parent: first },
          trueTime: back,
          lang,
          tags: ['personal'],
        });
      }
    }
  }

  private async scan(t: number): Promise<void> {
    const rng = this.rng;
    const to = findPerson('claire');
    const at = workingTime(t, rng, 60);
    if (at > PERIOD_END) return;
    await sendScan(this.po, to, at, await this.paper.scan(at));
  }

  /** The director forwards work mail to her personal address (from her work account, signed on the way out). */
  private async forwardHome(t: number): Promise<void> {
    const rng = this.rng;
    const marta = findPerson(rng.chance(0.6) ? 'marta' : 'tom');
    const home = findPerson(`${marta.key}-home`);
    const candidates = this.po.letters.filter(
      (l) =>
        l.trueTime < t && t - l.trueTime < 20 * DAY && l.kind === 'personal' && [...l.to, ...l.cc].some((a) => a.address === marta.address),
    );
    if (!candidates.length) return;
    const parent = rng.pick(candidates);
    const at = workingTime(t, rng, 60);
    if (at > PERIOD_END) return;
    const use = pickClient(marta, at, rng, false);
    await this.send({
      author: marta,
      use,
      to: [{ name: home.name, address: home.address }],
      subject: `${forwardPrefix('en', use.client === 'outlook' ? 'outlook' : 'other')}${baseSubject(parent.subject)}`,
      text: rng.pick(['', 'To read on the train.', 'for the weekend']),
      quote: { mode: 'forward', parent },
      attachments: parent.attachments,
      trueTime: at,
      lang: 'en',
      tags: ['forwarded'],
    });
  }

  private async draft(t: number): Promise<void> {
    const rng = this.rng;
    const author = rng.pick(STAFF.filter((p) => hasMailbox(p.key) && mailboxOf(p.address)?.folders.drafts !== undefined));
    const to = this.pickStaff([author]);
    const topic = rng.pick(TOPICS);
    const lang = languageOf(rng, [author, to]);
    const slots = { topic, lang, names: [firstName(to.name)] };
    const at = workingTime(t, rng, offsetMinutes(author.zone, t));
    if (at > PERIOD_END) return;
    await this.send({
      author,
      to: [addrOf(to)],
      subject: writeSubject(rng, slots),
      text: this.compose(rng, lang, [to], writeParagraphs(rng, slots, true).slice(0, 1), author),
      trueTime: at,
      lang,
      topic,
      kind: 'draft',
      draftOnly: true,
    });
  }

  /** Tags that need the whole history: re-edited documents, reused scanner ids. */
  private finish(): void {
    for (const d of this.sentDocs) {
      if (this.paper.wasReEdited(d.history, d.version, d.letter.trueTime)) {
        for (const c of d.letter.copies) c.tags.add('re-edited-document');
        d.letter.tags.push('re-edited-document');
      }
    }
    tagReusedScans(this.po);
  }
}
