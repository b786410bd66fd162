// The fictional world of the leak: the Aldermoor Foundation (aldermoor.example, its own Postfix
// server) and the people it writes with — partners on a hosted suite, a webmail, a coalition server,
// an ISP, a lost personal domain — plus the lists, newsletters and machines that send them mail.
// Which mailboxes leaked, in which format, is decided here too.
import { DAY, type ZoneId } from './clock.ts';

export type Lang = 'en' | 'fr' | 'de' | 'es' | 'sv';

/** Where an address's mail is sent from and delivered to. */
export type PlatformId = 'aldermoor' | 'cirrus' | 'quill' | 'civic' | 'netpost' | 'oldmail' | 'sendloop' | 'peoplehub';

export type ClientId =
  | 'outlook'
  | 'thunderbird'
  | 'apple-mail'
  | 'iphone'
  | 'k9'
  | 'roundcube'
  | 'cirrus-outlook'
  | 'cirrus-web'
  | 'quill-web'
  | 'evolution'
  | 'mutt';

export interface ClientUse {
  client: ClientId;
  /** Relative use among the clients valid at a time. */
  share: number;
  from?: number;
  until?: number;
  /** The mailer string this person's copy writes, when it differs from the client's default. */
  mailer?: string;
  /** A phone: short texts, a "sent from" line, used more while travelling. */
  mobile?: boolean;
  /** Composes HTML (with a plain-text alternative) rather than plain text. */
  html?: boolean;
}

export interface Trip {
  from: number;
  until: number;
  zone: ZoneId;
  place: string;
}

export interface Person {
  key: string;
  name: string;
  address: string;
  domain: string;
  platform: PlatformId;
  org: string;
  title: string;
  lang: Lang;
  /** Also reads and writes these (the team language decides a message's language). */
  speaks: Lang[];
  zone: ZoneId;
  phone: string;
  clients: ClientUse[];
  trips?: Trip[];
  /** The desktop's clock runs this many ms ahead (an old laptop whose time sync is off). */
  desktopClockDrift?: [number, number];
  /** Staff of the organisation (signing policy, team list, cloud notifications). */
  staff: boolean;
}

export const PERIOD_START = Date.UTC(2023, 5, 5, 0, 0, 0);
export const PERIOD_END = Date.UTC(2024, 10, 29, 0, 0, 0);
/** The day the journalist dug today's DNS for the zone file. */
export const ZONE_FETCHED = '2025-01-14';

export const ORG_DOMAIN = 'aldermoor.example';
/** When the organisation's signer switched from s2023 to s2024. */
export const ALDERMOOR_ROTATION = Date.UTC(2024, 2, 18, 9, 0, 0);
/** When the webmail switched selectors. */
export const QUILL_ROTATION = Date.UTC(2024, 5, 5, 16, 0, 0);
/** Tom's new laptop: Outlook for good, then Apple Mail. */
export const TOM_SWITCH = Date.UTC(2024, 1, 12, 8, 0, 0);
/**
 * From this Monday morning after the holidays (08:00 in Brussels) the organisation's MX marks the
 * external mail it lets in (gateway.ts). The scenario's mail thins out after May or June 2024 (it
 * stops once the dump holds enough), so this is about the last 40 % of the mail's time span.
 */
export const GATEWAY_MARKING = Date.UTC(2024, 0, 8, 7, 0, 0);

const d = (y: number, m: number, day: number): number => Date.UTC(y, m - 1, day);

type PersonSpec = Omit<Person, 'address' | 'domain' | 'speaks' | 'staff'> & { local: string; domain?: string; speaks?: Lang[] };

function person(spec: PersonSpec): Person {
  const domain = spec.domain ?? ORG_DOMAIN;
  const { local, ...rest } = spec;
  return { ...rest, address: `${local}@${domain}`, domain, speaks: spec.speaks ?? [spec.lang], staff: domain === ORG_DOMAIN };
}

const STAFF_BASE = { platform: 'aldermoor' as const, org: 'Aldermoor Foundation' };

export const PEOPLE: readonly Person[] = [
  person({
    ...STAFF_BASE,
    key: 'marta',
    local: 'marta.lindqvist',
    name: 'Marta Lindqvist',
    title: 'Director',
    lang: 'en',
    speaks: ['en', 'sv', 'fr'],
    zone: 'Europe/Brussels',
    phone: '+32 2 555 01 10',
    clients: [
      { client: 'outlook', share: 0.7 },
      { client: 'iphone', share: 0.3, mobile: true },
    ],
    trips: [
      { from: d(2023, 9, 18), until: d(2023, 9, 29), zone: 'America/New_York', place: 'New York' },
      { from: d(2024, 5, 13), until: d(2024, 5, 24), zone: 'Africa/Nairobi', place: 'Nairobi' },
    ],
  }),
  person({
    ...STAFF_BASE,
    key: 'anna',
    local: 'anna.berger',
    name: 'Anna Berger',
    title: 'Policy Lead',
    lang: 'de',
    speaks: ['de', 'en'],
    zone: 'Europe/Berlin',
    phone: '+49 30 5550 2214',
    clients: [
      { client: 'thunderbird', share: 0.75 },
      { client: 'k9', share: 0.25, mobile: true },
    ],
  }),
  person({
    ...STAFF_BASE,
    key: 'tom',
    local: 'tom.hughes',
    name: 'Tom Hughes',
    title: 'Finance Manager',
    lang: 'en',
    zone: 'Europe/London',
    phone: '+44 20 5550 1182',
    clients: [
      { client: 'outlook', share: 0.8, until: TOM_SWITCH },
      { client: 'apple-mail', share: 0.8, from: TOM_SWITCH },
      { client: 'iphone', share: 0.2, mobile: true },
    ],
  }),
  person({
    ...STAFF_BASE,
    key: 'claire',
    local: 'claire.dubois',
    name: 'Claire Dubois',
    title: 'Chargée de programme',
    lang: 'fr',
    speaks: ['fr', 'en'],
    zone: 'Europe/Brussels',
    phone: '+32 2 555 01 37',
    clients: [
      { client: 'thunderbird', share: 0.85, html: true },
      { client: 'iphone', share: 0.15, mobile: true },
    ],
  }),
  person({
    ...STAFF_BASE,
    key: 'mark',
    local: 'mark.ellison',
    name: 'Mark Ellison',
    title: 'Communications Director',
    lang: 'en',
    zone: 'Europe/London',
    phone: '+44 20 5550 1140',
    clients: [
      { client: 'outlook', share: 0.7 },
      { client: 'iphone', share: 0.3, mobile: true },
    ],
    trips: [
      { from: d(2023, 10, 9), until: d(2023, 10, 27), zone: 'America/New_York', place: 'New York' },
      { from: d(2024, 1, 29), until: d(2024, 2, 9), zone: 'America/New_York', place: 'Washington' },
      { from: d(2024, 5, 13), until: d(2024, 5, 31), zone: 'Africa/Nairobi', place: 'Nairobi' },
      { from: d(2024, 9, 16), until: d(2024, 10, 4), zone: 'Asia/Singapore', place: 'Singapore' },
    ],
  }),
  person({
    ...STAFF_BASE,
    key: 'sophie',
    local: 'sophie.laurent',
    name: 'Sophie Laurent',
    title: 'Responsable des partenariats',
    lang: 'fr',
    speaks: ['fr', 'en', 'es'],
    zone: 'Europe/Brussels',
    phone: '+33 4 55 50 12 40',
    clients: [
      { client: 'outlook', share: 0.8 },
      { client: 'iphone', share: 0.2, mobile: true },
    ],
    trips: [
      { from: d(2024, 2, 19), until: d(2024, 3, 1), zone: 'America/New_York', place: 'New York' },
      { from: d(2023, 11, 6), until: d(2023, 11, 17), zone: 'Asia/Singapore', place: 'Singapore' },
    ],
  }),
  person({
    ...STAFF_BASE,
    key: 'karl',
    local: 'karl.schmid',
    name: 'Karl Schmid',
    title: 'IT und Betrieb',
    lang: 'de',
    speaks: ['de', 'en'],
    zone: 'Europe/Berlin',
    phone: '+49 30 5550 2290',
    clients: [
      {
        client: 'thunderbird',
        share: 0.9,
        until: d(2024, 4, 2),
        mailer: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:102.0) Gecko/20100101 Thunderbird/102.15.1',
      },
      { client: 'thunderbird', share: 0.9, from: d(2024, 4, 2) },
      { client: 'k9', share: 0.1, mobile: true },
    ],
    desktopClockDrift: [4 * 60_000, 9 * 60_000],
  }),
  person({
    ...STAFF_BASE,
    key: 'jonas',
    local: 'jonas.weber',
    name: 'Jonas Weber',
    title: 'Researcher',
    lang: 'de',
    speaks: ['de', 'en'],
    zone: 'Europe/Berlin',
    phone: '+49 30 5550 2231',
    clients: [{ client: 'thunderbird', share: 1 }],
  }),
  person({
    ...STAFF_BASE,
    key: 'priya',
    local: 'priya.raman',
    name: 'Priya Raman',
    title: 'Research Director',
    lang: 'en',
    zone: 'Europe/London',
    phone: '+44 20 5550 1163',
    clients: [
      { client: 'outlook', share: 0.75 },
      { client: 'iphone', share: 0.25, mobile: true },
    ],
  }),
  person({
    ...STAFF_BASE,
    key: 'elodie',
    local: 'elodie.martin',
    name: 'Élodie Martin',
    title: 'Chargée de communication',
    lang: 'fr',
    speaks: ['fr', 'en'],
    zone: 'Europe/Brussels',
    phone: '+32 2 555 01 52',
    clients: [
      { client: 'apple-mail', share: 0.7 },
      { client: 'iphone', share: 0.3, mobile: true },
    ],
  }),
  person({
    ...STAFF_BASE,
    key: 'pieter',
    local: 'pieter.janssens',
    name: 'Pieter Janssens',
    title: 'Office Manager',
    lang: 'en',
    speaks: ['en', 'fr'],
    zone: 'Europe/Brussels',
    phone: '+32 2 555 01 01',
    clients: [{ client: 'outlook', share: 1 }],
  }),
  person({
    ...STAFF_BASE,
    key: 'ines',
    local: 'ines.carvalho',
    name: 'Inês Carvalho',
    title: 'Oficial de programa',
    lang: 'es',
    speaks: ['es', 'en'],
    zone: 'Europe/Madrid',
    phone: '+34 91 555 0174',
    clients: [
      { client: 'roundcube', share: 0.7 },
      { client: 'k9', share: 0.3, mobile: true },
    ],
  }),
  person({
    ...STAFF_BASE,
    key: 'oliver',
    local: 'oliver.grant',
    name: 'Oliver Grant',
    title: 'Grants Manager',
    lang: 'en',
    zone: 'Europe/London',
    phone: '+44 20 5550 1175',
    clients: [
      { client: 'apple-mail', share: 0.7 },
      { client: 'iphone', share: 0.3, mobile: true },
    ],
  }),
  person({
    ...STAFF_BASE,
    key: 'hanna',
    local: 'hanna.kowalski',
    name: 'Hanna Kowalski',
    title: 'Finanzreferentin',
    lang: 'de',
    speaks: ['de', 'en'],
    zone: 'Europe/Berlin',
    phone: '+49 30 5550 2247',
    clients: [{ client: 'outlook', share: 1 }],
  }),
  person({
    ...STAFF_BASE,
    key: 'luca',
    local: 'luca.bianchi',
    name: 'Luca Bianchi',
    title: 'Data Analyst',
    lang: 'en',
    zone: 'Europe/Brussels',
    phone: '+32 2 555 01 66',
    clients: [{ client: 'thunderbird', share: 1, html: true }],
  }),
  person({
    ...STAFF_BASE,
    key: 'sara',
    local: 'sara.nilsson',
    name: 'Sara Nilsson',
    title: 'Executive Assistant',
    lang: 'en',
    speaks: ['en', 'sv', 'fr'],
    zone: 'Europe/Brussels',
    phone: '+32 2 555 01 11',
    clients: [
      { client: 'roundcube', share: 0.8 },
      { client: 'iphone', share: 0.2, mobile: true },
    ],
  }),
  person({
    ...STAFF_BASE,
    key: 'david',
    local: 'david.mensah',
    name: 'David Mensah',
    title: 'Programme Director',
    lang: 'en',
    zone: 'Europe/London',
    phone: '+44 20 5550 1121',
    trips: [{ from: d(2024, 5, 6), until: d(2024, 5, 31), zone: 'Africa/Nairobi', place: 'Nairobi' }],
    clients: [
      { client: 'outlook', share: 0.7 },
      { client: 'iphone', share: 0.3, mobile: true },
    ],
  }),
  person({
    ...STAFF_BASE,
    key: 'camille',
    local: 'camille.petit',
    name: 'Camille Petit',
    title: 'Juriste',
    lang: 'fr',
    speaks: ['fr', 'en'],
    zone: 'Europe/Brussels',
    phone: '+33 4 55 50 12 58',
    clients: [{ client: 'thunderbird', share: 1 }],
  }),
  person({
    ...STAFF_BASE,
    key: 'rafael',
    local: 'rafael.ortiz',
    name: 'Rafael Ortiz',
    title: 'Coordinador regional',
    lang: 'es',
    speaks: ['es', 'en'],
    zone: 'Europe/Madrid',
    phone: '+34 91 555 0139',
    clients: [
      { client: 'outlook', share: 0.7 },
      { client: 'iphone', share: 0.3, mobile: true },
    ],
  }),
  // Partners and other correspondents.
  person({
    key: 'lucia',
    local: 'lucia.ferrer',
    domain: 'kestrel-partners.example',
    platform: 'cirrus',
    org: 'Kestrel Partners',
    name: 'Lucía Ferrer',
    title: 'Consultora sénior',
    lang: 'es',
    speaks: ['es', 'en', 'fr'],
    zone: 'Europe/Madrid',
    phone: '+34 91 555 0410',
    clients: [
      { client: 'cirrus-outlook', share: 0.8 },
      { client: 'cirrus-web', share: 0.2 },
    ],
  }),
  person({
    key: 'james',
    local: 'james.whitfield',
    domain: 'kestrel-partners.example',
    platform: 'cirrus',
    org: 'Kestrel Partners',
    name: 'James Whitfield',
    title: 'Partner',
    lang: 'en',
    zone: 'Europe/London',
    phone: '+44 20 5550 4401',
    clients: [{ client: 'cirrus-outlook', share: 1 }],
  }),
  person({
    key: 'amira',
    local: 'amira.haddad',
    domain: 'kestrel-partners.example',
    platform: 'cirrus',
    org: 'Kestrel Partners',
    name: 'Amira Haddad',
    title: 'Senior Analyst',
    lang: 'en',
    speaks: ['en', 'fr'],
    zone: 'Europe/London',
    phone: '+44 20 5550 4417',
    clients: [
      { client: 'cirrus-outlook', share: 0.6 },
      { client: 'cirrus-web', share: 0.4 },
    ],
  }),
  person({
    key: 'helen',
    local: 'helen.marsh',
    domain: 'tilia-trust.example',
    platform: 'cirrus',
    org: 'Tilia Trust',
    name: 'Helen Marsh',
    title: 'Programme Manager',
    lang: 'en',
    zone: 'Europe/London',
    phone: '+44 161 555 0190',
    clients: [{ client: 'cirrus-outlook', share: 1 }],
  }),
  person({
    key: 'nadia',
    local: 'nadia.okafor',
    domain: 'brightwater-ngo.example',
    platform: 'quill',
    org: 'Brightwater',
    name: 'Nadia Okafor',
    title: 'Campaigns Lead',
    lang: 'en',
    zone: 'Europe/London',
    phone: '+44 20 5550 7720',
    clients: [{ client: 'quill-web', share: 1 }],
  }),
  person({
    key: 'ben',
    local: 'ben.carter',
    domain: 'brightwater-ngo.example',
    platform: 'quill',
    org: 'Brightwater',
    name: 'Ben Carter',
    title: 'Researcher',
    lang: 'en',
    zone: 'Europe/London',
    phone: '+44 20 5550 7731',
    clients: [{ client: 'quill-web', share: 1 }],
  }),
  person({
    key: 'jan',
    local: 'jan.devries',
    domain: 'civic-network.example',
    platform: 'civic',
    org: 'Civic Network',
    name: 'Jan de Vries',
    title: 'Coordinator',
    lang: 'en',
    zone: 'Europe/Brussels',
    phone: '+32 2 555 09 30',
    clients: [{ client: 'evolution', share: 1 }],
  }),
  person({
    key: 'maria',
    local: 'maria.rossi',
    domain: 'civic-network.example',
    platform: 'civic',
    org: 'Civic Network',
    name: 'Maria Rossi',
    title: 'Policy Officer',
    lang: 'en',
    speaks: ['en', 'fr'],
    zone: 'Europe/Brussels',
    phone: '+32 2 555 09 44',
    clients: [{ client: 'thunderbird', share: 1 }],
  }),
  person({
    key: 'marta-home',
    local: 'marta.lindqvist',
    domain: 'quillmail.example',
    platform: 'quill',
    org: '',
    name: 'Marta Lindqvist',
    title: '',
    lang: 'en',
    speaks: ['en', 'sv'],
    zone: 'Europe/Brussels',
    phone: '+46 70 555 12 34',
    clients: [{ client: 'quill-web', share: 1 }],
  }),
  person({
    key: 'tom-home',
    local: 'tom.hughes',
    domain: 'quillmail.example',
    platform: 'quill',
    org: '',
    name: 'Tom Hughes',
    title: '',
    lang: 'en',
    zone: 'Europe/London',
    phone: '',
    // His own account, read on his phone and, after the new laptop, in Apple Mail (SMTP through the webmail).
    clients: [
      { client: 'iphone', share: 1, mobile: true, until: TOM_SWITCH },
      { client: 'apple-mail', share: 0.6, from: TOM_SWITCH },
      { client: 'iphone', share: 0.4, mobile: true, from: TOM_SWITCH },
    ],
  }),
  person({
    key: 'dan',
    local: 'dan.hughes',
    domain: 'quillmail.example',
    platform: 'quill',
    org: '',
    name: 'Dan Hughes',
    title: '',
    lang: 'en',
    zone: 'Europe/London',
    phone: '',
    clients: [{ client: 'quill-web', share: 1 }],
  }),
  person({
    key: 'erik',
    local: 'erik.lindqvist',
    domain: 'quillmail.example',
    platform: 'quill',
    org: '',
    name: 'Erik Lindqvist',
    title: '',
    lang: 'sv',
    speaks: ['sv', 'en'],
    zone: 'Europe/Stockholm',
    phone: '+46 70 555 98 10',
    clients: [{ client: 'quill-web', share: 1 }],
  }),
  person({
    key: 'sofia',
    local: 'sofia.berg',
    domain: 'quillmail.example',
    platform: 'quill',
    org: '',
    name: 'Sofia Berg',
    title: '',
    lang: 'en',
    speaks: ['en', 'sv'],
    zone: 'Europe/Stockholm',
    phone: '+46 70 555 44 21',
    clients: [{ client: 'quill-web', share: 1 }],
  }),
  person({
    key: 'karin',
    local: 'karin.holm',
    domain: 'netpost.example',
    platform: 'netpost',
    org: '',
    name: 'Karin Holm',
    title: '',
    lang: 'en',
    speaks: ['en', 'sv'],
    zone: 'Europe/Stockholm',
    phone: '+46 8 555 231 40',
    clients: [{ client: 'roundcube', share: 1, mailer: 'Roundcube Webmail/1.5.3' }],
  }),
  person({
    key: 'paul',
    local: 'paul.durand',
    domain: 'netpost.example',
    platform: 'netpost',
    org: '',
    name: 'Paul Durand',
    title: 'Traducteur indépendant',
    lang: 'fr',
    speaks: ['fr', 'en', 'de'],
    zone: 'Europe/Brussels',
    phone: '+33 6 55 50 77 12',
    clients: [{ client: 'roundcube', share: 1, mailer: 'Roundcube Webmail/1.5.3' }],
  }),
  person({
    key: 'hans',
    local: 'hans',
    domain: 'oldmail.test',
    platform: 'oldmail',
    org: 'Universität (emer.)',
    name: 'Prof. Hans Keller',
    title: 'Professor emeritus',
    lang: 'de',
    speaks: ['de', 'en'],
    zone: 'Europe/Berlin',
    phone: '+49 761 555 3301',
    clients: [{ client: 'mutt', share: 1 }],
  }),
];

export function findPerson(key: string): Person {
  const p = PEOPLE.find((x) => x.key === key);
  if (!p) throw new Error(`no person ${key}`);
  return p;
}

export const STAFF: readonly Person[] = PEOPLE.filter((p) => p.staff);

export type MailboxFormat = 'maildir' | 'thunderbird-mbox' | 'takeout' | 'apple-mbox' | 'outlook-eml' | 'eml-tree';

/** The folder names of a leaked mailbox, by role. */
export interface FolderNames {
  inbox: string;
  sent: string;
  drafts?: string;
  archive?: string;
  lists?: string;
  newsletters?: string;
  trash?: string;
}

export interface MailboxSpec {
  owner: string; // person key
  format: MailboxFormat;
  /** Path under dump/ (for a zipped mailbox: the path inside the archive). */
  root: string;
  folders: FolderNames;
  /** Written into this zip (path under dump/) instead of as files. */
  zip?: string;
  /** A maildir packed whole into this .tar.gz (path under dump/), as a server's administrator hands it over. */
  tarGz?: string;
  /**
   * A maildir on a Dovecot server whose zlib plugin was turned on at this time (ISO date): the files
   * delivered from then on are compressed with gzip, under the same names (whose S= and W= give the
   * sizes of what they hold).
   */
  compressedSince?: string;
  /** Also reads mail sent to these person keys' addresses (e.g. a personal account). */
  lang: Lang;
}

export const MAILBOXES: readonly MailboxSpec[] = [
  {
    owner: 'anna',
    format: 'maildir',
    root: 'maildir/anna.berger',
    tarGz: 'anna.berger-maildir.tar.gz',
    lang: 'de',
    folders: {
      inbox: '',
      sent: '.Sent',
      drafts: '.Drafts',
      archive: '.Archive',
      lists: '.Lists',
      newsletters: '.Newsletters',
      trash: '.Trash',
    },
  },
  {
    owner: 'tom',
    format: 'maildir',
    root: 'maildir/tom.hughes',
    compressedSince: '2024-04-02T00:00:00Z',
    lang: 'en',
    folders: { inbox: '', sent: '.Sent', drafts: '.Drafts', archive: '.Archive.2023', lists: '.Coalition' },
  },
  {
    owner: 'claire',
    format: 'thunderbird-mbox',
    root: 'mbox/claire.dubois',
    lang: 'fr',
    folders: { inbox: 'INBOX', sent: 'Sent', drafts: 'Drafts', archive: 'Archives', lists: 'Listes' },
  },
  {
    owner: 'marta-home',
    format: 'takeout',
    root: 'Takeout/Mail/All mail Including Spam and Trash.mbox',
    lang: 'en',
    folders: { inbox: 'Inbox', sent: 'Sent' },
  },
  {
    // Apple Mail's export of a webmail account synced over IMAP: one `Name.mbox/mbox` per folder.
    owner: 'tom-home',
    format: 'apple-mbox',
    root: 'tom-personal',
    lang: 'en',
    folders: { inbox: 'INBOX.mbox', sent: '[Gmail]/Sent Mail.mbox' },
  },
  {
    owner: 'mark',
    format: 'outlook-eml',
    root: 'outlook/Mark Ellison',
    lang: 'en',
    folders: { inbox: 'Inbox', sent: 'Sent Items', drafts: 'Drafts', lists: 'Inbox/Coalition', trash: 'Deleted Items' },
  },
  {
    owner: 'sophie',
    format: 'outlook-eml',
    root: 'outlook/Sophie Laurent',
    lang: 'fr',
    folders: {
      inbox: 'Boîte de réception',
      sent: 'Éléments envoyés',
      drafts: 'Brouillons',
      newsletters: 'Boîte de réception/Lettres',
      trash: 'Éléments supprimés',
    },
  },
  {
    owner: 'karl',
    format: 'eml-tree',
    root: 'karl.schmid',
    lang: 'de',
    folders: { inbox: 'Posteingang', sent: 'Gesendet', drafts: 'Entwürfe', archive: 'Archiv' },
  },
  {
    owner: 'lucia',
    format: 'outlook-eml',
    root: 'Lucía Ferrer',
    zip: 'lucia-ferrer-export.zip',
    lang: 'es',
    folders: { inbox: 'Bandeja de entrada', sent: 'Enviados', trash: 'Elementos eliminados' },
  },
];

export function hasMailbox(personKey: string): boolean {
  return MAILBOXES.some((m) => m.owner === personKey);
}

/** Where a person's clients run at a given time (trips change the phone's and laptop's zone). */
export function zoneAt(p: Person, at: number): { zone: ZoneId; trip?: Trip } {
  const trip = p.trips?.find((t) => at >= t.from && at < t.until + DAY);
  return trip ? { zone: trip.zone, trip } : { zone: p.zone };
}

/** Services that send mail, with their own platforms. */
export const SERVICES = {
  cloud: { name: 'Aldermoor Cloud', address: 'cloud@aldermoor.example' },
  scanner: { name: 'MFP-BRU01', address: 'scanner-bru@aldermoor.example' },
  peoplehub: { name: 'PeopleHub', address: 'notifications@peoplehub.example' },
  tiliaGrants: { name: 'Tilia Trust Grants', address: 'grants@tilia-trust.example' },
  policyWeekly: { name: 'Policy Weekly', address: 'news@policyweekly.example' },
  euroBrief: { name: 'EuroBrief', address: 'newsletter@eurobrief.example' },
  quillAccounts: { name: 'Quillmail', address: 'no-reply@accounts.quillmail.example' },
  teamList: { name: 'Aldermoor team', address: 'team@lists.aldermoor.example' },
  coalitionList: { name: 'Coalition', address: 'coalition@lists.civic-network.example' },
  announceList: { name: 'Civic Network announcements', address: 'announce@lists.civic-network.example' },
} as const;
