// Archive-wide: copies that share a Message-ID. One real message reaches the sender's sent folder
// and every recipient's inbox; the copies differ in trace headers (each mailbox got its own hops)
// but not in what a reader sees: From, To/Cc, Subject, Date, the text, the HTML part's text and the
// attachments. A forger who edits one copy leaves it the odd one out. Copies equal to a copy a
// signature proves are proven with it; a mailing list's footer and subject tag are undone before
// comparing; a program that reuses Message-IDs (other subject, date and text) made other messages.
import type { ArchiveCheck, ArchiveRecord, CodeDoc, Finding } from '../model.ts';
import { mailboxNameOf } from './archive-mailbox.ts';
import { EXPLAINED_CODES as MARK_EXPLAINS, GATEWAY_MARK } from './archive-marks.ts';
import { REPLACED_KEY, REPLACED_KEY_EXPLAINS } from './archive-signing.ts';
import { diffRuns } from '../common/line-diff.ts';
import { comparableGrams, flankedEdits, htmlToText, normalisedHtmlText, normaliseText } from './text-forms.ts';
import { listIdDomain, organisationalDomain } from '../common/org-domain.ts';

const ID = 'archive-copies';

/** A copy as this check compares it; the texts are loaded only for groups whose content differs. */
export interface CopyRecord extends ArchiveRecord {
  text: string | null;
  html: string | null;
  /** Word 4-grams of the whole text and of the quoted part (facts' grams unpacked). */
  textGrams: number[];
  quoteGrams: number[];
  /**
   * Codes of the copy's weak and strong findings known when copies are compared: its own (facts.
   * selfFlags) and those of the archive checks that ran before (signing habits, fingerprints,
   * embedded times, documents). Absent: its own only.
   */
  flags?: string[];
}

export interface CopyGroup {
  copies: CopyRecord[];
  /** Word 4-grams of what each later message of the thread quotes (it names this Message-ID). */
  replyQuotes: number[][];
  /** Word 4-grams of the text of the message these copies answer (In-Reply-To), when archived. */
  parentGrams: number[];
}

const codes: Record<string, CodeDoc> = {
  [`${ID}/same-as-verified`]: {
    severity: 'info',
    meaning:
      'Another copy with the same Message-ID is verified by its DKIM signature, and this copy is identical to it in From, To/Cc, Subject, Date, text, HTML text and attachments: it is verified through that copy.',
  },
  [`${ID}/same-content`]: {
    severity: 'info',
    meaning:
      'The copy is identical in content to a verified copy with the same Message-ID but carries a signature of its own that does not verify: its own evidence stands, and it is not verified through the other copy.',
  },
  [`${ID}/differs-from-verified`]: {
    severity: 'strong',
    meaning:
      'Another copy with the same Message-ID is verified, and this one differs from it in what a reader sees (From, To/Cc, Subject, Date, text, HTML text or attachments) beyond what a mailing list adds: this copy was altered.',
  },
  [`${ID}/list-copy`]: {
    severity: 'info',
    meaning:
      "The copy is the same message as other copies with its Message-ID except for what a mailing list adds (a footer, a subject tag, removed parts) or what the gateway the mail came in through marks it with (its subject tag and notice, once archive-marks found them a habit); those additions are not the author's, so it is not verified through them.",
  },
  [`${ID}/odd-copy-out`]: {
    severity: 'weak',
    meaning:
      'Copies with the same Message-ID differ and none is verified, but the others agree with each other on independent evidence (the sender’s sent copy and a recipient’s inbox copy, several mailboxes, or the text replies quote): this copy is the odd one out.',
  },
  [`${ID}/corroborated`]: {
    severity: 'info',
    meaning:
      'Copies with the same Message-ID differ, and this one agrees with the copies that independent evidence supports; the differing copy is reported on its own page.',
  },
  [`${ID}/conflicting-copies`]: {
    severity: 'info',
    meaning:
      'Copies with the same Message-ID differ, none is verified and nothing in the archive tells which is the original: each copy says so, with the other’s differences, but neither is flagged (one of them was altered, and the evidence weighs as much against the original as against the altered one).',
  },
  [`${ID}/other-copies`]: {
    severity: 'info',
    meaning:
      'Other messages share only the Message-ID: a program that reuses IDs (another sending: a Date more than an hour apart, or another subject and text). Copies that agree in content get no finding; they are listed on the message page.',
  },
};

/** A date may differ between copies only by this much when a program reuses IDs, never in one message. */
const REUSED_ID_MIN_DATE_GAP_S = 3600;

/**
 * Copies a finding lists by hash (and a sentence by place), at most; past it the finding says how
 * many there are. A program that gave 3,000 messages one Message-ID had each of them list the other
 * 2,999: 600 MB of evidence, and the archive pass ran out of memory.
 */
export const MAX_LISTED_COPIES = 100;

/**
 * The hashes of some copies, at most MAX_LISTED_COPIES, and how many there are when they are more:
 * `total`, when `which` holds only the first of them.
 */
function listedCopies(copies: CopyRecord[], which: number[], name: string, total = which.length): Record<string, unknown> {
  const shas = which.slice(0, MAX_LISTED_COPIES).map((j) => copies[j]!.sha256);
  return total > MAX_LISTED_COPIES ? { [name]: shas, [`${name}Count`]: total } : { [name]: shas };
}

/** Comparison of two copies dated more than REUSED_ID_MIN_DATE_GAP_S apart, or either undated: compareCopies says the same of them all. */
const FAR_APART: Comparison = { kind: 'unrelated', fields: [], undone: [] };

/**
 * A list's subject tag: "[team] ", "[Team-L] ". Lists put it first, before a reply prefix the
 * author wrote ("[team] Re: x"); the author's own copy of a reply carries the tag where the client
 * quoted it ("Re: [team] x"). Tags are removed wherever they stand, on list mail and the copies beside it.
 */
const LIST_TAG = /\[[^\]]{1,40}\]\s*/g;

type Field = 'From' | 'To/Cc' | 'Subject' | 'Date' | 'text' | 'HTML text' | 'attachments';

interface Comparison {
  /** same: equal in everything; list: equal once a list's additions are undone; differs; unrelated: only the ID is shared. */
  kind: 'same' | 'list' | 'differs' | 'unrelated';
  fields: Field[];
  undone: string[];
}

/**
 * Each copy's normalised texts, computed once per copy rather than once per pair it is compared in
 * (a group of n copies makes up to n² comparisons; the fuzz run's 309-copy groups spent 50 s here).
 * Keyed by the record, so nothing outlives the group.
 */
const normalised = new WeakMap<CopyRecord, { text?: string; html?: string }>();

function memo(c: CopyRecord): { text?: string; html?: string } {
  let m = normalised.get(c);
  if (m === undefined) normalised.set(c, (m = {}));
  return m;
}

function textOf(c: CopyRecord): string {
  const m = memo(c);
  return (m.text ??= normaliseText(c.text));
}

function htmlTextOf(c: CopyRecord): string {
  const m = memo(c);
  return (m.html ??= normalisedHtmlText(c.html));
}

/** Compares `a` with `b`, undoing what a list added to either. */
export function compareCopies(a: CopyRecord, b: CopyRecord): Comparison {
  const fa = a.facts;
  const fb = b.facts;
  const differs: Field[] = [];
  const undone = new Set<string>();
  if (fa.from !== fb.from) {
    if (listRewroteFrom(a, b) || listRewroteFrom(b, a)) undone.add('From rewritten by the list');
    else differs.push('From');
  }
  if (fa.recipientCount !== fb.recipientCount || fa.recipientsKey !== fb.recipientsKey) differs.push('To/Cc');
  if (fa.content.subject !== fb.content.subject) {
    const untag = (x: CopyRecord): string => normaliseText(x.facts.content.subject.replace(LIST_TAG, ' '));
    if ((fa.list || fb.list) && untag(a) === untag(b)) undone.add('subject tag');
    else if (gatewayTag(a, b) || gatewayTag(b, a)) undone.add("the gateway's subject tag");
    else differs.push('Subject');
  }
  if (a.dateEpoch !== b.dateEpoch) differs.push('Date');
  if (fa.content.text !== fb.content.text) {
    const how = sameOnceUndone(a, b, textOf);
    if (how === null) differs.push('text');
    else for (const u of how) undone.add(u);
  }
  if (fa.content.html !== fb.content.html) {
    const listDropped = (x: CopyRecord, y: CopyRecord): boolean =>
      x.facts.list && x.facts.content.html === '' && y.facts.content.html !== '';
    const how = listDropped(a, b) || listDropped(b, a) ? ['HTML part removed'] : sameOnceUndone(a, b, htmlTextOf);
    if (how === null) differs.push('HTML text');
    else for (const u of how) undone.add(u);
  }
  if (fa.content.attachments !== fb.content.attachments) {
    const stripped = (x: CopyRecord, y: CopyRecord): boolean =>
      x.facts.list && x.facts.content.attachments === '' && y.facts.content.attachments !== '';
    if (stripped(a, b) || stripped(b, a)) undone.add('attachments removed');
    else differs.push('attachments');
  }
  // A program writes Date once per message: copies that differ in it by more than an hour are two
  // sendings that share an ID (a counter reset, a reminder re-sent), not two copies of one message.
  // A Date moved by a forger is for the embedded times and the hops to show (archive-timestamps).
  const dateGap = a.dateEpoch === null || b.dateEpoch === null ? Infinity : Math.abs(a.dateEpoch - b.dateEpoch);
  if (dateGap > REUSED_ID_MIN_DATE_GAP_S || (differs.includes('Subject') && (differs.includes('text') || differs.includes('To/Cc')))) {
    if (dateGap > REUSED_ID_MIN_DATE_GAP_S || differs.includes('Date')) return { kind: 'unrelated', fields: differs, undone: [] };
  }
  if (differs.length > 0) return { kind: 'differs', fields: differs, undone: [...undone] };
  return { kind: undone.size > 0 ? 'list' : 'same', fields: [], undone: [...undone] };
}

/**
 * What makes two texts (in `form`) the same, or null when nothing does: a confirmed gateway's notice
 * at the top of one copy (unmarked), then a list's footer after one of them (the list copy's text
 * starts with the other's, and only the list copy, with List-Id or List-* headers, has more). Texts
 * are loaded only when the hashes differ; without them nothing can be undone.
 */
function sameOnceUndone(a: CopyRecord, b: CopyRecord, form: (c: CopyRecord) => string): string[] | null {
  if (a.text === null && a.html === null) return null;
  const [x, y] = [unmarked(a, b, form), unmarked(b, a, form)];
  const undone = x.notice || y.notice ? ["the gateway's notice"] : [];
  if (x.text === y.text) return undone.length > 0 ? undone : null;
  const footer =
    (a.facts.list && !b.facts.list && x.text.length > y.text.length && x.text.startsWith(y.text)) ||
    (b.facts.list && !a.facts.list && y.text.length > x.text.length && y.text.startsWith(x.text));
  return footer ? [...undone, 'footer'] : null;
}

/**
 * x carries the marks of the gateway its mail came in through (archive-marks/gateway-mark, which ran
 * before: each addition is a habit of the archive, and x's signature verifies without them), and y
 * does not. Only such proven additions are undone; a forger's lines above one copy are not.
 */
function gatewayMarked(x: CopyRecord, y: CopyRecord): boolean {
  return marked(x) && !marked(y);
}

/** The copy carries the marks of the gateway it came in through, and its signature verifies without them. */
function marked(c: CopyRecord): boolean {
  return (c.flags ?? []).includes(GATEWAY_MARK);
}

/** The copy's failing signature was made with a key its selector had before it was replaced (archive-signing). */
function replacedKey(c: CopyRecord): boolean {
  return (c.flags ?? []).includes(REPLACED_KEY);
}

/**
 * x's subject is y's with x's gateway tag before it: a tag its marks name, or, where the undo of its
 * marks could check only the body hash (its signer's key unknown or replaced), the tag it could not
 * try: x's marks are confirmed as the gateway's, and a gateway that marks the text tags the subject.
 */
function gatewayTag(x: CopyRecord, y: CopyRecord): boolean {
  if (!gatewayMarked(x, y)) return false;
  const subject = x.facts.content.subject;
  return [...x.facts.marks.map((m) => m.tag), x.facts.marksUncheckedTag ?? ''].some((t) => {
    const tag = normaliseText(t);
    return tag !== '' && subject.startsWith(tag) && normaliseText(subject.slice(tag.length)) === y.facts.content.subject;
  });
}

/**
 * x's text (in `form`) without its gateway's notice, when x carries a confirmed mark and y does not:
 * exactly the notice its facts keep, taken out where it first stands as whole words (at the top of
 * a text; after the line holding <body>, which may hold the first words of an HTML text), and
 * nothing more (a copy with more cut is not the same message).
 */
function unmarked(x: CopyRecord, y: CopyRecord, form: (c: CopyRecord) => string): { text: string; notice: boolean } {
  const text = form(x);
  if (!gatewayMarked(x, y)) return { text, notice: false };
  for (const m of x.facts.marks)
    for (const n of [m.textNotice, m.htmlNotice]) {
      const at = n === '' ? -1 : text.indexOf(n);
      if (at === -1 || (at > 0 && text[at - 1] !== ' ') || (at + n.length < text.length && text[at + n.length] !== ' ')) continue;
      return { text: `${text.slice(0, at)} ${text.slice(at + n.length)}`.replace(/ {2,}/g, ' ').trim(), notice: true };
    }
  return { text, notice: false };
}

/**
 * A list that rewrites From to its own address ("Anna via Team <team@lists.example.org>", so that
 * DMARC passes for the list's own signature): x is the list copy and y carries the author's From.
 */
function listRewroteFrom(x: CopyRecord, y: CopyRecord): boolean {
  const list = listIdDomain(x.listId);
  const fromDomain = x.facts.from.split('@').pop() ?? '';
  return x.facts.list && list !== null && organisationalDomain(fromDomain) === list && !y.facts.list;
}

/** Where a copy sits, in words: "alice/Sent (sent)". */
function placeOf(c: ArchiveRecord): string {
  const p = c.places[0];
  if (!p) return 'an unknown mailbox';
  const account = p.account.split(/[/\\]/).pop() || p.account;
  return `${account}/${mailboxNameOf(p.mailbox)}`;
}

/** Where some copies sit, in words, the first MAX_LISTED_COPIES of them. */
function placesOf(cs: CopyRecord[]): string {
  const named = cs.slice(0, MAX_LISTED_COPIES).map(placeOf).join(', ');
  return cs.length > MAX_LISTED_COPIES ? `${named} and ${cs.length - MAX_LISTED_COPIES} more` : named;
}

/** The diff evidence between a copy and the reference it is judged against. */
function differenceEvidence(mine: CopyRecord, other: CopyRecord, fields: Field[]): Record<string, unknown> {
  const headers: { header: Field; thisCopy: unknown; otherCopy: unknown }[] = [];
  const pick: Partial<Record<Field, (c: CopyRecord) => unknown>> = {
    From: (c) => c.facts.from,
    'To/Cc': (c) =>
      c.facts.recipientCount > c.facts.recipients.length ? { first: c.facts.recipients, of: c.facts.recipientCount } : c.facts.recipients,
    Subject: (c) => c.subject,
    Date: (c) => c.dateHeader,
  };
  for (const f of fields) {
    const get = pick[f];
    if (get) headers.push({ header: f, thisCopy: get(mine), otherCopy: get(other) });
  }
  const out: Record<string, unknown> = { headers };
  if (fields.includes('text') && mine.text !== null && other.text !== null) out.textDiff = diffRuns(other.text, mine.text);
  if (fields.includes('HTML text') && mine.html !== null && other.html !== null)
    out.htmlTextDiff = diffRuns(htmlToText(other.html), htmlToText(mine.html));
  return out;
}

/**
 * What compareCopies reads of a copy: copies with the same key compare alike with every other copy,
 * and the same way among themselves (kinds of copies, below).
 */
function comparisonKey(c: CopyRecord): string {
  const f = c.facts;
  return JSON.stringify([
    f.from,
    f.recipientCount,
    f.recipientsKey,
    f.content,
    c.dateEpoch,
    f.list,
    c.listId,
    c.text === null,
    c.html === null,
  ]);
}

/**
 * The copies of a group sorted into kinds: copies of one kind have the same comparisonKey, so one
 * comparison of two kinds stands for every pair of their copies, and one comparison of two copies of
 * a kind for all of its pairs. A group of identical copies (a message to all staff, one copy in each
 * mailbox) is one kind: comparing every pair of 2,000 such copies took 10.5 s and held 400 MB, and
 * 5,000 would have run the archive pass out of memory.
 */
interface Kinds {
  /** Each copy's kind. */
  of: number[];
  /** The copies of each kind, in order. */
  members: number[][];
}

function kindsOf(copies: CopyRecord[]): Kinds {
  const index = new Map<string, number>();
  const of: number[] = [];
  const members: number[][] = [];
  copies.forEach((c, i) => {
    const key = comparisonKey(c);
    let k = index.get(key);
    if (k === undefined) {
      k = members.length;
      index.set(key, k);
      members.push([]);
    }
    members[k]!.push(i);
    of.push(k);
  });
  return { of, members };
}

/** Copies in clusters of equal content (list copies join the cluster of what they carry). */
function cluster(copies: CopyRecord[], kinds: Kinds, cmp: (i: number, j: number) => Comparison): number[][] {
  const parent = copies.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  const joins = (i: number, j: number): boolean => {
    const k = cmp(i, j).kind;
    return k === 'same' || k === 'list';
  };
  // Every pair of copies of two kinds compares alike: if they join, all of both kinds are one cluster.
  const { members } = kinds;
  for (let a = 0; a < members.length; a++) {
    const first = members[a]![0]!;
    if (members[a]!.length > 1 && joins(first, members[a]![1]!)) for (const m of members[a]!) parent[root(m)] = root(first);
    for (let b = a + 1; b < members.length; b++) {
      if (!joins(first, members[b]![0]!)) continue;
      for (const m of [...members[a]!, ...members[b]!]) parent[root(m)] = root(first);
    }
  }
  const groups = new Map<number, number[]>();
  copies.forEach((_, i) => groups.set(root(i), [...(groups.get(root(i)) ?? []), i]));
  return [...groups.values()];
}

/**
 * A reply's quote supports a cluster when at least this share of its word 4-grams occur in the
 * cluster's text: quoting re-wraps lines and drops signatures, but keeps the words.
 */
const QUOTE_SUPPORT_SHARE = 0.6;
/** A quote of fewer 4-grams than this says nothing. */
const QUOTE_MIN_GRAMS = 1;

/**
 * Whether a copy's plain text says what its HTML alternative says (word 4-grams of the text all
 * found in the HTML's text, but for runs at either end): null without both parts loaded.
 */
function textAgreesWithHtml(c: CopyRecord): boolean | null {
  if (c.text === null || c.html === null) return null;
  const text = comparableGrams(c.text, 300);
  const html = new Set(comparableGrams(htmlToText(c.html), 600));
  if (text.length < 4 || html.size === 0) return null;
  return flankedEdits(text, html, 4, 3).runs === 0;
}

/**
 * Own findings that honest copies carry for want of context the archive supplies (a sent copy or
 * internal mail is unsigned): they say nothing about which copy was altered.
 */
const HONEST_ABSENCES = new Set(['dkim/missing-signature']);

/**
 * Context findings that flag nothing alone but tell two copies apart: a copy carrying a document
 * saved by someone nobody in the archive is, against a copy whose documents were saved by people
 * it knows (the attachment was replaced in one of them), is the likelier altered one.
 */
export const RELATIVE_DOUBTS: ReadonlySet<string> = new Set(['archive-documents/unknown-editor', 'archive-documents/rare-language']);

/** A parent's text matches the quote of a copy when this share of the quote's grams occur in it. */
const PARENT_MATCH_SHARE = 0.8;

interface Support {
  score: number;
  why: string[];
}

function shareIn(grams: number[], set: Set<number>): number {
  return grams.length === 0 ? 0 : grams.filter((g) => set.has(g)).length / grams.length;
}

/**
 * What speaks for each cluster of equal copies: independent mailboxes (a person's sent copy and
 * another's inbox copy weigh most), the later messages whose quotes match this cluster's text
 * better than the others', and a quote of the parent that the parent's archived text bears out
 * while the other clusters' quotes do not.
 */
function supportOf(clusters: CopyRecord[][], group: CopyGroup): Support[] {
  const textSets = clusters.map((k) => new Set(k.flatMap((m) => m.textGrams)));
  const quoteVotes = clusters.map(() => 0);
  for (const q of group.replyQuotes) {
    if (q.length < QUOTE_MIN_GRAMS) continue;
    const shares = textSets.map((set) => shareIn(q, set));
    const best = Math.max(...shares);
    const winners = shares.filter((x) => x === best).length;
    if (best >= QUOTE_SUPPORT_SHARE && winners === 1) quoteVotes[shares.indexOf(best)]!++;
  }
  const parent = new Set(group.parentGrams);
  const parentShares = clusters.map((k) => {
    const quote = k.flatMap((m) => m.quoteGrams);
    return parent.size === 0 || quote.length < QUOTE_MIN_GRAMS ? null : shareIn(quote, parent);
  });
  // A copy whose text says other words than its own HTML part was edited in one of them only.
  const disagreeing = clusters.map((k) => k.some((m) => textAgreesWithHtml(m) === false));
  const agreeing = clusters.map((k) => k.some((m) => textAgreesWithHtml(m) === true));
  // A copy whose own findings (a broken signature, a document that gives it away) are suspicious
  // or tampered weighs against its cluster: the clean cluster is the likelier original.
  // The failures a gateway's marks or a replaced key explain are not the copy's own (archive-marks.ts, archive-signing.ts).
  const ownDoubt = (m: CopyRecord, c: string): boolean =>
    !HONEST_ABSENCES.has(c) &&
    !RELATIVE_DOUBTS.has(c) &&
    c !== GATEWAY_MARK &&
    c !== REPLACED_KEY &&
    !(marked(m) && MARK_EXPLAINS.includes(c)) &&
    !(replacedKey(m) && REPLACED_KEY_EXPLAINS.includes(c));
  const selfFlagged = clusters.map((k) => k.some((m) => (m.flags ?? m.facts.selfFlags).some((c) => ownDoubt(m, c))));
  // A copy whose signature verifies once the gateway's marks are removed has the sender's own proof behind its content.
  // Only where the undo checked the signature over the headers too: a body hash alone (the key unknown,
  // or replaced since) proves no signer.
  const signedUnderMarks = clusters.map((k) => k.some((m) => marked(m) && m.facts.marksVerified));
  const doubted = clusters.map((k) => k.some((m) => (m.flags ?? []).some((c) => RELATIVE_DOUBTS.has(c))));
  return clusters.map((members, i) => {
    const accounts = new Set(members.flatMap((m) => m.places.map((p) => p.account)));
    const sent = members.some((m) => m.places.some((p) => p.role === 'sent'));
    const inbox = members.some((m) => m.places.some((p) => p.role === 'inbox'));
    const pair = sent && inbox && accounts.size > 1;
    const quotes = quoteVotes[i]!;
    const mine = parentShares[i];
    // The cluster whose quote the parent bears out best, when that is nearly all of it: an edit in
    // a quoted line leaves the edited copy's quote with grams the parent never had.
    const parentAgrees =
      mine !== null && mine !== undefined && mine >= PARENT_MATCH_SHARE && parentShares.every((x, j) => j === i || x === null || x < mine);
    const why: string[] = [];
    if (accounts.size > 1) why.push(`${accounts.size} independent mailboxes`);
    if (pair) why.push("the sender's sent copy and a recipient's inbox copy");
    if (quotes > 0) why.push(`the text ${quotes} later message${quotes === 1 ? ' quotes' : 's quote'}`);
    if (parentAgrees) why.push('a quote of the parent that the archived parent bears out');
    const clean = !selfFlagged[i] && selfFlagged.some((x, j) => j !== i && x);
    if (clean) why.push('no inconsistency of its own, where the other copy has some');
    const vouched = !clean && !selfFlagged[i] && !doubted[i]! && doubted.some((x, j) => j !== i && x);
    if (vouched) why.push('attachments saved by people the archive knows, where the other copy carries a document nobody in it saved');
    if (signedUnderMarks[i]) why.push('a signature that verifies once the marks of the gateway it came in through are removed');
    const consistent = agreeing[i]! && !disagreeing[i]! && disagreeing.some((x, j) => j !== i && x);
    if (consistent) why.push('a text part that says what its HTML part says, where the other copy’s do not agree');
    return {
      score:
        accounts.size +
        (pair ? 1 : 0) +
        2 * quotes +
        (parentAgrees ? 2 : 0) +
        (clean ? 2 : 0) +
        (vouched ? 2 : 0) +
        (consistent ? 2 : 0) +
        (signedUnderMarks[i] ? 3 : 0),
      why,
    };
  });
}

/** "one other copy", "3 other copies". */
function count(n: number, one: string, many = `${one}s`): string {
  return n === 1 ? `one ${one}` : `${n} ${many}`;
}

function add(out: Map<string, Finding[]>, sha: string, f: Finding): void {
  out.set(sha, [...(out.get(sha) ?? []), f]);
}

function finding(code: string, detail: string, evidence: Record<string, unknown>): Finding {
  return { check: ID, code: `${ID}/${code}`, severity: codes[`${ID}/${code}`]!.severity, detail, evidence };
}

/**
 * Whether a group can give any finding: copies that agree in everything compared and of which none
 * is verified say nothing (most groups: a sent copy and its inbox copies). The pass skips the rest.
 */
export function needsComparison(records: ArchiveRecord[]): boolean {
  if (records.some((r) => r.facts.selfVerdict === 'verified')) return true;
  const key = (r: ArchiveRecord): string =>
    JSON.stringify([r.facts.content, r.facts.from, r.facts.recipientCount, r.facts.recipientsKey, r.dateEpoch]);
  const first = key(records[0]!);
  return records.some((r) => key(r) !== first);
}

function run(group: CopyGroup): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  const copies = group.copies;
  if (copies.length < 2) return out;
  // One comparison per pair of kinds (kindsOf), made with their first copies (compareCopies reads
  // the two copies alike either way round, so cmp(i, j) is cmp(j, i)), and one within each kind of
  // two or more copies.
  const kinds = kindsOf(copies);
  if (kinds.members.length > MAX_COMPARED_VERSIONS) return runManyVersions(group, kinds);
  const memo = new Map<number, Comparison>();
  const cmp = (i: number, j: number): Comparison => {
    const [da, db] = [copies[i]!.dateEpoch, copies[j]!.dateEpoch];
    // Not kept: a program that gives thousands of messages one ID makes millions of such pairs.
    if (da === null || db === null || Math.abs(da - db) > REUSED_ID_MIN_DATE_GAP_S) return FAR_APART;
    const a = Math.min(kinds.of[i]!, kinds.of[j]!);
    const b = Math.max(kinds.of[i]!, kinds.of[j]!);
    const key = a * kinds.members.length + b;
    let c = memo.get(key);
    if (!c) {
      const [x, y] = a === b ? [kinds.members[a]![0]!, kinds.members[a]![1]!] : [kinds.members[a]![0]!, kinds.members[b]![0]!];
      memo.set(key, (c = compareCopies(copies[x]!, copies[y]!)));
    }
    return c;
  };
  const messageId = copies[0]!.messageId;
  const clusters = cluster(copies, kinds, cmp);
  const related = (i: number, j: number): boolean => cmp(i, j).kind !== 'unrelated';
  const verified = copies.map((c, i) => (c.facts.selfVerdict === 'verified' ? i : -1)).filter((i) => i >= 0);

  copies.forEach((c, i) => {
    const others = copies.map((_, j) => j).filter((j) => j !== i);
    const relatedOthers = others.filter((j) => related(i, j));
    if (relatedOthers.length === 0) {
      add(
        out,
        c.sha256,
        finding(
          'other-copies',
          `The Message-ID ${messageId} is also carried by ${count(others.length, 'other message')} with another subject, date and text: a program that reuses IDs, not copies of this message.`,
          { messageId, ...listedCopies(copies, others, 'copies'), reusedId: true },
        ),
      );
      return;
    }
    // A copy verified by its own signature needs no word from its copies.
    if (c.facts.selfVerdict === 'verified') return;
    const refs = verified.filter((v) => related(i, v));
    const judged = againstVerified(copies, i, refs, cmp);
    if (judged) {
      add(out, c.sha256, judged);
      return;
    }
    // No verified copy among the related ones: decide from the evidence of the clusters.
    const mine = clusters.find((k) => k.includes(i))!;
    const rivals = clusters.filter((k) => k !== mine && k.some((j) => related(i, j)));
    if (rivals.length === 0) {
      const listed = relatedOthers.filter((j) => cmp(i, j).kind === 'list');
      if (listed.length > 0) {
        const undone = [...new Set(listed.flatMap((j) => cmp(i, j).undone))];
        add(
          out,
          c.sha256,
          finding(
            'list-copy',
            `The same content as ${count(relatedOthers.length, 'other copy', 'other copies')} with the Message-ID ${messageId}, once what a mailing list or the gateway the mail came in through added is undone (${undone.join(', ')}).`,
            { messageId, ...listedCopies(copies, relatedOthers, 'copies'), undone },
          ),
        );
      }
      return;
    }
    const members = (k: number[]): CopyRecord[] => k.map((j) => copies[j]!);
    const contenders = [mine, ...rivals];
    const support = supportOf(contenders.map(members), group);
    const ranked = contenders.map((k, n) => ({ k, s: support[n]! })).sort((x, y) => y.s.score - x.s.score);
    const best = ranked[0]!;
    const second = ranked[1]!;
    const decided = best.s.score >= 2 && best.s.score > second.s.score;
    const other = copies[(best.k === mine ? second.k : best.k)[0]!]!;
    const fields = compareCopies(c, other).fields;
    if (decided && best.k === mine) {
      add(
        out,
        c.sha256,
        finding(
          'corroborated',
          `Another copy with the same Message-ID (${messageId}) differs in ${fields.join(', ')}; this copy agrees with the one supported by ${best.s.why.join(' and ')}.`,
          { messageId, ...listedCopies(copies, rivals.flat(), 'differing'), support: best.s.why },
        ),
      );
    } else if (decided) {
      add(
        out,
        c.sha256,
        finding(
          'odd-copy-out',
          `This copy differs in ${fields.join(', ')} from ${count(best.k.length, 'other copy', 'other copies')} with the same Message-ID (${messageId}, in ${placesOf(members(best.k))}) that agree with each other, supported by ${best.s.why.join(' and ')}: this copy is the odd one out.`,
          {
            messageId,
            ...listedCopies(copies, best.k, 'agreeing'),
            support: best.s.why,
            differs: fields,
            ...differenceEvidence(c, other, fields),
          },
        ),
      );
    } else {
      add(
        out,
        c.sha256,
        finding(
          'conflicting-copies',
          `Copies with the same Message-ID (${messageId}) differ in ${fields.join(', ')} (${count(rivals.flat().length, 'other copy', 'other copies')} against this one); none is verified and nothing in the archive tells which is the original.`,
          { messageId, ...listedCopies(copies, rivals.flat(), 'copies'), differs: fields, ...differenceEvidence(c, other, fields) },
        ),
      );
    }
  });
  return out;
}

/**
 * What copy i is, judged against the verified copies related to it (`refs`, the one to show first
 * first): proven through one it equals, a list's copy of one, or altered. Null without any.
 */
function againstVerified(copies: CopyRecord[], i: number, refs: number[], cmp: (i: number, j: number) => Comparison): Finding | null {
  if (refs.length === 0) return null;
  const c = copies[i]!;
  const messageId = c.messageId;
  const same = refs.find((v) => cmp(i, v).kind === 'same');
  // A copy carrying a signature that does not verify says something about these bytes that
  // content equality cannot undo: it is never verified through another copy.
  const ownFailure = c.signatures.find((g) => g.result !== 'pass');
  if (same !== undefined && ownFailure) {
    const v = copies[same]!;
    return finding(
      'same-content',
      `Identical in content to the verified copy in ${placeOf(v)}, but this copy carries a signature of ${ownFailure.domain} that does not verify (${ownFailure.result}), so it is not verified through that copy.`,
      {
        messageId,
        verifiedCopy: v.sha256,
        ownSignature: { index: ownFailure.index, domain: ownFailure.domain, result: ownFailure.result },
      },
    );
  }
  if (same !== undefined) {
    const v = copies[same]!;
    return finding(
      'same-as-verified',
      `Identical in content to the verified copy in ${placeOf(v)} (same Message-ID ${messageId}; From, To/Cc, Subject, Date, text, HTML text and attachments all equal), whose DKIM signature proves it.`,
      { messageId, verifiedCopy: v.sha256, verifiedPlace: v.places[0] ?? null },
    );
  }
  const listOf = refs.find((v) => cmp(i, v).kind === 'list');
  if (listOf !== undefined) {
    const v = copies[listOf]!;
    const undone = cmp(i, listOf).undone;
    return finding(
      'list-copy',
      `The same message as the verified copy in ${placeOf(v)} once what a mailing list or the gateway the mail came in through added is undone (${undone.join(', ')}); what they added is not the author's, so this copy is not verified through it.`,
      { messageId, verifiedCopy: v.sha256, undone },
    );
  }
  const v = copies[refs[0]!]!;
  const fields = cmp(i, refs[0]!).fields;
  return finding(
    'differs-from-verified',
    `A verified copy with the same Message-ID (${messageId}) sits in ${placeOf(v)}, and this copy differs from it in ${fields.join(', ')}: this copy was altered.`,
    { messageId, verifiedCopy: v.sha256, differs: fields, ...differenceEvidence(c, v, fields) },
  );
}

/**
 * Versions of one Message-ID (copies that differ in what is compared: kindsOf) compared each with
 * each, at most. Copies of one real message are one version, or a few when a list or a forger
 * changed some; more than this within the hour are other messages that share the ID (a mailer that
 * personalises each recipient's message and reuses one ID for all) or were made to. Each pair of
 * versions was compared and kept: 1,000 copies, each with its own text, took the archive pass 7.5 s,
 * and 2,000 ran it out of memory (384 MB), which stops every archive-wide check of the import.
 * Past this, each copy is compared only with a verified copy equal to it and the verified copies
 * nearest it in date (at most this many), so a copy altered from a verified one is still found among
 * any number of others.
 */
export const MAX_COMPARED_VERSIONS = 64;

/** run() for a group of more than MAX_COMPARED_VERSIONS versions: each copy against the verified ones near it, nothing kept. */
function runManyVersions(group: CopyGroup, kinds: Kinds): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  const copies = group.copies;
  const messageId = copies[0]!.messageId;
  // One verified copy of each version that has one, in order of date (undated ones are never near).
  const verifiedOfKind = kinds.members.map((m) => m.find((j) => copies[j]!.facts.selfVerdict === 'verified'));
  const verified = verifiedOfKind
    .filter((j): j is number => j !== undefined && copies[j]!.dateEpoch !== null)
    .sort((a, b) => copies[a]!.dateEpoch! - copies[b]!.dateEpoch!);
  const dates = verified.map((j) => copies[j]!.dateEpoch!);
  copies.forEach((c, i) => {
    const compared = new Map<number, Comparison>();
    // Copy i with copy j (againstVerified asks only of i).
    const cmp = (_: number, j: number): Comparison => {
      let r = compared.get(j);
      if (!r) compared.set(j, (r = compareCopies(c, copies[j]!)));
      return r;
    };
    // A verified copy of its own version first: the nearest in date may all be other versions
    // (2,000 personalised copies, one Date), and an equal copy is what proves it.
    const own = verifiedOfKind[kinds.of[i]!];
    const near = nearestVerified(dates, c.dateEpoch).map((k) => verified[k]!);
    const refs = c.facts.selfVerdict === 'verified' ? [] : own === undefined ? near : [own, ...near.filter((j) => j !== own)];
    const judged = againstVerified(
      copies,
      i,
      refs.filter((v) => cmp(i, v).kind !== 'unrelated'),
      cmp,
    );
    if (judged) {
      add(out, c.sha256, judged);
      return;
    }
    // The first others only: a list of all of them for each copy would take time in the square of their number.
    const firstOthers = [...Array(Math.min(copies.length, MAX_LISTED_COPIES + 1)).keys()].filter((j) => j !== i);
    add(
      out,
      c.sha256,
      finding(
        'other-copies',
        `The Message-ID ${messageId} is carried by ${copies.length} messages in ${kinds.members.length} versions: too many to be copies of one message (a program that reuses IDs, or messages made to share this one). They are not compared with each other${verified.length > 0 && c.facts.selfVerdict !== 'verified' ? ', only with the verified ones, and this copy agrees with none dated within the hour' : ''}.`,
        { messageId, ...listedCopies(copies, firstOthers, 'copies', copies.length - 1), versions: kinds.members.length, reusedId: true },
      ),
    );
  });
  return out;
}

/**
 * Indexes into `dates` (ascending) of the at most MAX_COMPARED_VERSIONS dates within
 * REUSED_ID_MIN_DATE_GAP_S of `date`, nearest first.
 */
function nearestVerified(dates: number[], date: number | null): number[] {
  if (date === null) return [];
  // The first date at or after `date`, by halving.
  let hi = dates.length;
  for (let lo = 0; lo < hi;) {
    const mid = (lo + hi) >> 1;
    if (dates[mid]! < date) lo = mid + 1;
    else hi = mid;
  }
  let lo = hi - 1;
  const out: number[] = [];
  while (out.length < MAX_COMPARED_VERSIONS) {
    const below = lo >= 0 && date - dates[lo]! <= REUSED_ID_MIN_DATE_GAP_S ? date - dates[lo]! : Infinity;
    const above = hi < dates.length && dates[hi]! - date <= REUSED_ID_MIN_DATE_GAP_S ? dates[hi]! - date : Infinity;
    if (below === Infinity && above === Infinity) break;
    out.push(below <= above ? lo-- : hi++);
  }
  return out;
}

export const archiveCopies: ArchiveCheck<CopyGroup> = { id: ID, title: 'Copies sharing a Message-ID', codes, run };
