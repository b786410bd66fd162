// Archive-wide: where each copy came from. A dump is a set of mailboxes (folders, mbox files,
// maildirs); a copy in a person's Sent folder is their own copy of what they sent, which their
// server signed only on the way out, so it carries no DKIM signature and no receiving hop. Roles come
// from the folder's name in the common clients and languages, else from the copy itself: no hop
// written by a receiving server, and From is the mailbox's owner, learned from the addresses the
// mailbox's received copies were delivered to.
import type { ArchiveCheck, ArchiveRecord, CodeDoc, Finding, MailboxRole } from '../model.ts';

const ID = 'archive-mailbox';

/** A stored source as the role assignment reads it. */
export interface SourcePlace {
  path: string;
  container: string | null;
  mailbox: string | null;
  folder: string | null;
  offset: number | null;
}

/** Folder names of sent mail in the common clients and languages (lower case, accents kept). */
const SENT_NAMES = new Set([
  'sent',
  'sent items',
  'sent mail',
  'sent messages',
  'sent-mail',
  'sentmail',
  'outbox sent',
  'envoyés',
  'envoyes',
  'éléments envoyés',
  'elements envoyes',
  'messages envoyés',
  'gesendet',
  'gesendete elemente',
  'gesendete objekte',
  'gesendete nachrichten',
  'enviados',
  'elementos enviados',
  'mensajes enviados',
  'itens enviados',
  'inviata',
  'posta inviata',
  'elementi inviati',
  'verzonden',
  'verzonden items',
  'skickat',
  'skickade objekt',
  'sendt',
  'sendte elementer',
  'lähetetyt',
  'wysłane',
  'elementy wysłane',
  'odeslaná pošta',
  'отправленные',
  'gönderilmiş öğeler',
  '送信済み',
  '已发送',
  '보낸 편지함',
]);

/** Folder names of the inbox (Maildir's root is the inbox too). */
const INBOX_NAMES = new Set([
  'inbox',
  'posteingang',
  'boîte de réception',
  'boite de reception',
  'bandeja de entrada',
  'caixa de entrada',
  'posta in arrivo',
  'postvak in',
  'inkorgen',
  'innboks',
  'indbakke',
  'saapuneet',
  'odebrane',
  'doručená pošta',
  'входящие',
  'gelen kutusu',
  '受信トレイ',
  '收件箱',
  '받은 편지함',
]);

/** File name endings of mbox files and Thunderbird's sub-folder marker. */
const MBOX_EXTENSION = /\.(mbox|mbx|mbs|sbd|txt)$/i;

function trimSlash(p: string): string {
  return p.replace(/[/\\]+$/, '');
}

function parentOf(p: string): string {
  const t = trimSlash(p);
  const zip = t.lastIndexOf('!/');
  const slash = Math.max(t.lastIndexOf('/'), t.lastIndexOf('\\'));
  if (slash > zip + 1) return t.slice(0, slash);
  if (zip >= 0) return t.slice(0, zip); // the zip file itself
  return slash > 0 ? t.slice(0, slash) : '.';
}

function lastPart(p: string): string {
  const t = trimSlash(p);
  const cut = Math.max(t.lastIndexOf('/'), t.lastIndexOf('\\'), t.lastIndexOf('!/') + 1);
  return t.slice(cut + 1);
}

/**
 * The mailbox a copy sits in, named after its path: the mbox file or maildir it came from, else
 * the folder holding the file (a maildir's cur/new/tmp belong to the maildir). Two imported folders
 * never merge: the full path is the name.
 */
export function mailboxKeyOf(s: SourcePlace): string {
  if (s.mailbox) return trimSlash(s.mailbox);
  if (s.offset !== null) return s.path.replace(/#\d+$/, '');
  let dir = parentOf(s.path);
  if (/^(cur|new|tmp)$/.test(lastPart(dir))) dir = parentOf(dir);
  return dir;
}

/** Names an export gives the mbox file inside a folder named after the mailbox (Apple Mail: "Sent.mbox/mbox"). */
const GENERIC_MBOX_NAMES = new Set(['mbox', 'messages', 'mail']);

/** The folder's own name: the last path part, without an mbox extension or Maildir++'s dots. */
export function mailboxNameOf(key: string): string {
  let last = lastPart(key).replace(MBOX_EXTENSION, '');
  if (GENERIC_MBOX_NAMES.has(last.toLowerCase())) last = lastPart(parentOf(key)).replace(MBOX_EXTENSION, '');
  // Maildir++ names sub-folders ".Sent", ".INBOX.Sent", ".Archive.2019": the last dotted part.
  if (last.startsWith('.')) return last.split('.').filter(Boolean).pop() ?? last;
  return last;
}

/** The role a folder's name gives its copies, or 'other' when the name says nothing. */
export function roleFromName(name: string): MailboxRole {
  const n = name
    .normalize('NFC')
    .toLowerCase()
    .replace(/[_]+/g, ' ')
    .replace(/^\[(gmail|google mail)\]\s*[/.]?\s*/, '')
    .trim();
  if (SENT_NAMES.has(n) || /^sent(\s|-|$)/.test(n)) return 'sent';
  if (INBOX_NAMES.has(n)) return 'inbox';
  return 'other';
}

/** The role a webmail export's labels give a copy in a mailbox of all mail (sent wins over inbox). */
export function roleFromLabels(labels: string[]): MailboxRole {
  const roles = labels.map(roleFromName);
  return roles.includes('sent') ? 'sent' : roles.includes('inbox') ? 'inbox' : 'other';
}

/**
 * The account (one person's set of folders) a mailbox belongs to: the folder above it, except that
 * a maildir root is its own account (its Maildir++ sub-folders ".Sent" sit inside it).
 */
export function accountOf(key: string, isMaildir: boolean): string {
  const last = lastPart(key);
  if (isMaildir && !last.startsWith('.')) return key;
  // Apple Mail's export: "Sent.mbox/mbox" is the mailbox "Sent"; Gmail's "[Gmail]" folder holds
  // the account's system folders (Sent Mail, Drafts) beside its INBOX.
  let folder = GENERIC_MBOX_NAMES.has(last.replace(MBOX_EXTENSION, '').toLowerCase()) ? parentOf(parentOf(key)) : parentOf(key);
  if (/^\[(gmail|google mail)\]$/i.test(lastPart(folder))) folder = parentOf(folder);
  return folder;
}

/**
 * An address is the owner's when the mailbox's received copies were delivered to it this often:
 * at least 3 copies and a quarter of them. Lists and newsletters address others (the list, an
 * undisclosed group), so the owner's own address stands out even in a mailbox full of list mail.
 */
export const OWNER_MIN_COPIES = 3;
export const OWNER_MIN_SHARE = 0.25;

/** What owner learning reads of one copy. */
export interface OwnerEvidence {
  mailbox: string;
  account: string;
  nameRole: MailboxRole;
  /** Labels the export wrote into the copy (a Gmail Takeout's X-Gmail-Labels), for mailboxes of all mail. */
  labels?: string[];
  from: string;
  deliveredTo: string[];
  recipients: string[];
  receivingHops: number;
}

/** Owner addresses per account, from the copies delivered to its mailboxes and the From of its sent folders. */
export function learnOwners(copies: Iterable<OwnerEvidence>): Map<string, Set<string>> {
  const received = new Map<string, { n: number; counts: Map<string, number> }>();
  const sent = new Map<string, { n: number; counts: Map<string, number> }>();
  const bump = (m: typeof received, account: string, addresses: string[]): void => {
    let e = m.get(account);
    if (!e) m.set(account, (e = { n: 0, counts: new Map() }));
    e.n++;
    for (const a of new Set(addresses)) e.counts.set(a, (e.counts.get(a) ?? 0) + 1);
  };
  for (const c of copies) {
    if (c.nameRole === 'sent' || (c.nameRole === 'other' && roleFromLabels(c.labels ?? []) === 'sent')) {
      if (c.from) bump(sent, c.account, [c.from]);
    } else if (c.receivingHops > 0) {
      bump(received, c.account, c.deliveredTo.length > 0 ? c.deliveredTo : c.recipients);
    }
  }
  const owners = new Map<string, Set<string>>();
  const take = (m: typeof received, share: number): void => {
    for (const [account, e] of m) {
      const set = owners.get(account) ?? new Set<string>();
      for (const [a, n] of e.counts) if (n >= OWNER_MIN_COPIES && n >= share * e.n) set.add(a);
      if (set.size > 0) owners.set(account, set);
    }
  };
  take(received, OWNER_MIN_SHARE);
  // A sent folder's From is its owner when most of its copies agree (a shared mailbox has several).
  take(sent, 0.5);
  return owners;
}

/**
 * The role of one copy: the folder's name when it says sent or inbox; else the copy itself: a
 * received copy has a hop written by a receiving server; a copy without one whose From is the
 * account's owner is the owner's sent copy; anything else (a draft, a copy saved from elsewhere) is
 * 'other'.
 */
export function assignRole(
  c: OwnerEvidence,
  owners: ReadonlySet<string> | undefined,
): { role: MailboxRole; basis: 'name' | 'label' | 'content' } {
  if (c.nameRole !== 'other') return { role: c.nameRole, basis: 'name' };
  const labelled = roleFromLabels(c.labels ?? []);
  if (labelled !== 'other') return { role: labelled, basis: 'label' };
  if (c.receivingHops > 0) return { role: 'inbox', basis: 'content' };
  if (c.from && owners?.has(c.from)) return { role: 'sent', basis: 'content' };
  return { role: 'other', basis: 'content' };
}

const codes: Record<string, CodeDoc> = {
  [`${ID}/sent-copy`]: {
    severity: 'info',
    meaning:
      "The copy sits in its sender's sent mail (by the folder's name, or because it has no receiving hop and its From is the mailbox owner): the sender's own copy, saved before the outgoing server signed the message, so a missing DKIM signature is expected.",
  },
};

/** Sent copies whose missing signature was reported: it is expected, said once per message. */
function run(records: Iterable<ArchiveRecord>): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const r of records) {
    const sent = r.places.find((p) => p.role === 'sent');
    // Said where it explains something: the role itself is on every source's record.
    if (!sent || !r.facts.selfFlags.includes('dkim/missing-signature')) continue;
    out.set(r.sha256, [
      {
        check: ID,
        code: `${ID}/sent-copy`,
        severity: 'info',
        detail: `This is the sender's own copy from the sent mail of ${sent.account} (${mailboxNameOf(sent.mailbox)}): outgoing servers sign mail on its way out, after this copy is saved, so it is expected to carry no signature of the sender's domain.`,
        evidence: { mailbox: sent.mailbox, account: sent.account, from: r.facts.from, receivingHops: r.facts.receivingHops },
        explains: ['dkim/missing-signature'],
      },
    ]);
  }
  return out;
}

export const archiveMailbox: ArchiveCheck<Iterable<ArchiveRecord>> = { id: ID, title: 'Mailboxes and sent copies', codes, run };
