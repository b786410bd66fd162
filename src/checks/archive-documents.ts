// Archive-wide: attached documents that do not belong to the organisation whose mail this is. A
// planted document carries its maker's habits (MacronLeaks, 2017: the forged files were edited in
// Russian by someone nobody in the campaign's mail was). What is normal is learned from the archive
// itself: the languages and editors of the documents each sending domain and sender attach. A finding
// says what it rests on, and is `weak` only when that rests on enough documents, `info` when thin.
// The same file attached to several messages counts once (a forwarded document is one document).
import type { ArchiveCheck, ArchivePerson, CodeDoc, DocumentFact, DocumentMetadata, Finding } from '../model.ts';
import { formatDuration, formatTime } from '../common/time.ts';

const ID = 'archive-documents';

/** Fewest other documents of a sending domain before its habits count as evidence (below: `info` at most). */
export const MIN_HABIT_DOCUMENTS = 20;

/** Fewest other senders of the domain with documents: a domain's habits are several people's, not one mailbox's. */
export const MIN_HABIT_SENDERS = 5;

/**
 * Largest share a language may have among the domain's other senders and still be foreign to it. The
 * share is each sender's share of documents in that language, averaged over senders, so a machine
 * that mails hundreds of invoices weighs as one sender. Honest organisations write in one or two
 * main languages with a tail of partners' languages; a language that a tenth of an average
 * sender's documents use is one of its own.
 */
export const FOREIGN_LANGUAGE_MAX_SHARE = 0.1;

/**
 * Share of the domain's documents whose editor someone the archive knows (a sender or recipient),
 * averaged over its other senders, above which an unknown editor is out of habit. Below it the
 * domain routinely passes on documents made elsewhere, and an unknown editor says nothing.
 */
export const KNOWN_EDITOR_MIN_SHARE = 0.9;

/**
 * Documents saved by one editor this close together belong to one sitting. Ten minutes joins a
 * "save all" or a batch export; separate working sessions are hours apart.
 */
export const BURST_GAP_SECONDS = 10 * 60;

/**
 * Longest a sitting may last. A person working through a set of files saves them within an hour or
 * two; saves every few minutes for longer are a machine producing documents (invoices, reports) or a
 * working day, and say nothing about forgery.
 */
export const BURST_MAX_SITTING_SECONDS = 2 * 3600;

/** Documents listed in a burst finding's evidence (the detail gives the count). */
const BURST_EVIDENCE_DOCUMENTS = 20;

/** Fewest documents of one sitting that make a burst. */
export const BURST_MIN_DOCUMENTS = 3;

/**
 * The messages carrying a burst's documents must be at least this far apart: documents made in one
 * sitting and then sent over a month or more (dated to fit their messages, with one wrong clock) is
 * how planted documents look; sent the same week is a person sharing the files they just wrote.
 */
export const BURST_MIN_MAIL_SPAN_SECONDS = 30 * 86400;

/** A burst counts as weak evidence only when its documents are this many and came from two senders or more. */
export const BURST_WEAK_DOCUMENTS = 4;

const codes: Record<string, CodeDoc> = {
  [`${ID}/foreign-language`]: {
    severity: 'weak',
    meaning: `An attached document was edited in a language that the other senders of the same domain (at least ${MIN_HABIT_SENDERS}, with at least ${MIN_HABIT_DOCUMENTS} documents) use for at most ${FOREIGN_LANGUAGE_MAX_SHARE * 100} % of their documents on average, and none of the sender's other documents use.`,
  },
  [`${ID}/rare-language`]: {
    severity: 'info',
    meaning: `An attached document was edited in a language that no other document of the archive uses (at least ${MIN_HABIT_DOCUMENTS} documents with a language), where the sender's domain has too few documents to judge.`,
  },
  [`${ID}/foreign-editor`]: {
    severity: 'weak',
    meaning: `An attached document was last saved by someone the archive does not know (no sender or recipient by that name), while the other senders of the same domain (at least ${MIN_HABIT_SENDERS}, with at least ${MIN_HABIT_DOCUMENTS} documents) send documents saved by people it knows at least ${KNOWN_EDITOR_MIN_SHARE * 100} % of the time on average, and no other document of this sender names that editor.`,
  },
  [`${ID}/unknown-editor`]: {
    severity: 'info',
    meaning:
      "An attached document was last saved by someone the archive does not know and who saved no other document of the archive; the sender domain's habits are too thin or too mixed to judge.",
  },
  [`${ID}/edit-burst`]: {
    severity: 'weak',
    meaning: `At least ${BURST_WEAK_DOCUMENTS} different documents were saved by the same editor minutes apart (gaps under ${formatDuration(BURST_GAP_SECONDS, 'prose')}), yet they were first sent in messages of two or more senders dated at least ${formatDuration(BURST_MIN_MAIL_SPAN_SECONDS, 'prose')} apart: made in one sitting, passed off as written over time.`,
  },
  [`${ID}/edit-session`]: {
    severity: 'info',
    meaning: `At least ${BURST_MIN_DOCUMENTS} different documents were saved by the same editor minutes apart and first sent in messages dated at least ${formatDuration(BURST_MIN_MAIL_SPAN_SECONDS, 'prose')} apart, but too few, or all from one sender, to count as evidence.`,
  },
};

/** What the archive-wide document checks read: every document fact, and everyone the archive knows. */
export interface ArchiveDocumentsInput {
  documents: DocumentFact[];
  people: ArchivePerson[];
}

/** One distinct document (by content) and every message that carries it. */
interface Doc {
  sha: string;
  meta: DocumentMetadata;
  facts: DocumentFact[];
}

// ---------------------------------------------------------------- names and languages

/** Lower case, accents dropped, letters only: "Dupont, Jean-Pierre" gives dupont jean pierre. */
function nameTokens(s: string): string[] {
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}]+/u)
    .filter((t) => t.length > 0);
}

/**
 * Names programs write when nobody set one: account names of fresh installs in several languages,
 * library defaults. They name no person, so they are neither known nor foreign.
 */
const PLACEHOLDER_NAMES = new Set([
  'user',
  'users',
  'admin',
  'administrator',
  'administrateur',
  'administrador',
  'owner',
  'utilisateur',
  'usuario',
  'benutzer',
  'utente',
  'пользователь',
  'администратор',
  'microsoft office user',
  'microsoft office benutzer',
  'utilisateur de microsoft office',
  'usuario de microsoft office',
  'windows user',
  'utilisateur windows',
  'unknown',
  'author',
  'auteur',
  'autor',
  'guest',
  'default',
  'python docx',
  'apache poi',
  'home',
  'test',
]);

function editorOf(d: DocumentMetadata): string | null {
  const name = d.lastModifiedBy ?? d.author;
  if (name === null) return null;
  const tokens = nameTokens(name);
  const joined = tokens.join(' ');
  if (tokens.length === 0 || PLACEHOLDER_NAMES.has(joined) || /^(user|admin|pc|hp|dell|lenovo|asus|acer)$/.test(tokens[0]!)) return null;
  return name;
}

/** Everyone the archive knows, as name tokens and address local parts, to recognise document editors. */
class PeopleIndex {
  private readonly tokens = new Set<string>();
  private readonly locals = new Set<string>();

  constructor(people: ArchivePerson[]) {
    for (const p of people) {
      for (const t of nameTokens(p.name ?? '')) if (t.length >= 3) this.tokens.add(t);
      const local = p.address.split('@')[0]!.toLowerCase();
      if (local.length >= 3) this.locals.add(local.replace(/[^\p{L}]+/gu, ''));
      for (const t of nameTokens(local)) if (t.length >= 3) this.tokens.add(t);
    }
  }

  /** Lenient on purpose: one shared name of three letters or more, or an account name, is enough. */
  knows(name: string): boolean {
    const tokens = nameTokens(name);
    if (tokens.some((t) => t.length >= 3 && this.tokens.has(t))) return true;
    return this.locals.has(tokens.join(''));
  }
}

/** The primary language subtag ("ru" of "ru-RU"), null for none or a placeholder (und, x-none). */
function primaryLanguage(tag: string | null): string | null {
  if (tag === null) return null;
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return /^[a-z]{2,3}$/.test(primary) && !['und', 'zxx', 'mul', 'mis'].includes(primary) ? primary : null;
}

/** Documents per language, per group (a domain, a sender, the archive), with the tags as written. */
class LanguageCounts {
  private readonly byGroup = new Map<string, Map<string, Set<string>>>();
  private readonly tags = new Map<string, Map<string, number>>();

  add(group: string, lang: string, tag: string, sha: string): void {
    const g = this.byGroup.get(group) ?? new Map<string, Set<string>>();
    this.byGroup.set(group, g);
    const s = g.get(lang) ?? new Set<string>();
    g.set(lang, s);
    s.add(sha);
    const t = this.tags.get(lang) ?? new Map<string, number>();
    this.tags.set(lang, t);
    t.set(tag, (t.get(tag) ?? 0) + 1);
  }

  /** Counts per language of the group, leaving out one document. */
  countsWithout(group: string, sha: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const [lang, s] of this.byGroup.get(group) ?? []) {
      const n = s.size - (s.has(sha) ? 1 : 0);
      if (n > 0) out.set(lang, n);
    }
    return out;
  }

  /** The tag most often written for a language ("fr-FR" for fr). */
  commonTag(lang: string): string {
    const t = [...(this.tags.get(lang) ?? [])].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    return t[0]?.[0] ?? lang;
  }
}

/**
 * Per sending domain, per sender, that sender's documents by a category (a language; a known or
 * unknown editor): the domain's habits as its people have them, each sender weighing the same.
 */
class SenderHabits {
  private readonly domains = new Map<string, Map<string, Map<string, Set<string>>>>();
  private readonly memo = new Map<string, { senders: number; share: number }>();

  add(domain: string, sender: string, category: string, sha: string): void {
    const d = this.domains.get(domain) ?? new Map<string, Map<string, Set<string>>>();
    this.domains.set(domain, d);
    const s = d.get(sender) ?? new Map<string, Set<string>>();
    d.set(sender, s);
    s.set(category, (s.get(category) ?? new Set<string>()).add(sha));
  }

  /** The domain's senders other than `sender`: how many, and the mean share of their documents in `category`. */
  others(domain: string, sender: string, category: string): { senders: number; share: number } {
    const key = JSON.stringify([domain, sender, category]);
    const known = this.memo.get(key);
    if (known) return known;
    let senders = 0;
    let total = 0;
    for (const [who, categories] of this.domains.get(domain) ?? []) {
      if (who === sender) continue;
      let all = 0;
      for (const set of categories.values()) all += set.size;
      senders++;
      total += (categories.get(category)?.size ?? 0) / all;
    }
    const out = { senders, share: senders === 0 ? 0 : total / senders };
    this.memo.set(key, out);
    return out;
  }
}

function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}

function sum(m: Map<string, number>): number {
  let n = 0;
  for (const v of m.values()) n += v;
  return n;
}

function listTags(tags: string[]): string {
  if (tags.length <= 1) return tags.join('');
  return `${tags.slice(0, -1).join(', ')} or ${tags[tags.length - 1]}`;
}

function named(f: DocumentFact): string {
  return f.filename ? `"${f.filename}"` : `${f.document.format} document`;
}

// ---------------------------------------------------------------- the rules

function run(input: ArchiveDocumentsInput): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  const add = (f: DocumentFact, finding: Omit<Finding, 'check'>): void => {
    const list = out.get(f.messageSha256) ?? [];
    if (!list.some((x) => x.code === finding.code && x.evidence.contentSha256 === finding.evidence.contentSha256))
      list.push({ check: ID, ...finding });
    out.set(f.messageSha256, list);
  };

  const docs = new Map<string, Doc>();
  for (const f of input.documents) {
    const d = docs.get(f.contentSha256) ?? { sha: f.contentSha256, meta: f.document, facts: [] };
    d.facts.push(f);
    docs.set(f.contentSha256, d);
  }

  // A document is judged where it first appears (a partner's file forwarded by a member is the
  // partner's), and what is found goes to every message that carries it.
  const spread: Spread = (d, finding) => {
    for (const g of d.facts) add(g, { ...finding, evidence: { ...finding.evidence, attachment: g.attachmentIndex, filename: g.filename } });
  };
  languageRules(docs, spread);
  editorRules(docs, new PeopleIndex(input.people), spread);
  burstRules(docs, add);
  return out;
}

type Add = (f: DocumentFact, finding: Omit<Finding, 'check'>) => void;
type Spread = (d: Doc, finding: Omit<Finding, 'check'>) => void;

/** The message a document is judged by: the first dated one that carries it. */
function judgedAt(d: Doc): DocumentFact[] {
  return [firstAppearance(d) ?? d.facts[0]!];
}

function languageRules(docs: Map<string, Doc>, spread: Spread): void {
  const counts = new LanguageCounts();
  const habits = new SenderHabits();
  for (const d of docs.values()) {
    const lang = primaryLanguage(d.meta.language);
    if (lang === null) continue;
    counts.add('*', lang, d.meta.language!, d.sha);
    for (const f of d.facts) {
      if (f.senderDomain) {
        counts.add(`@${f.senderDomain}`, lang, d.meta.language!, d.sha);
        habits.add(f.senderDomain, f.sender ?? '?', lang, d.sha);
      }
      if (f.sender) counts.add(f.sender, lang, d.meta.language!, d.sha);
    }
  }
  for (const d of docs.values()) {
    const lang = primaryLanguage(d.meta.language);
    if (lang === null) continue;
    for (const f of judgedAt(d)) {
      const domain = f.senderDomain ? counts.countsWithout(`@${f.senderDomain}`, d.sha) : new Map<string, number>();
      const total = sum(domain);
      const same = domain.get(lang) ?? 0;
      const mine = f.sender ? counts.countsWithout(f.sender, d.sha) : new Map<string, number>();
      const senderOthers = sum(mine);
      const people = f.senderDomain ? habits.others(f.senderDomain, f.sender ?? '?', lang) : { senders: 0, share: 0 };
      const base = { attachment: f.attachmentIndex, filename: f.filename, contentSha256: d.sha, language: d.meta.language };
      const enough = total >= MIN_HABIT_DOCUMENTS && people.senders >= MIN_HABIT_SENDERS;
      if (enough && people.share <= FOREIGN_LANGUAGE_MAX_SHARE && (mine.get(lang) ?? 0) === 0) {
        const main = [...domain.entries()].filter(([l]) => l !== lang).sort((a, b) => b[1] - a[1]);
        const shown = main.slice(0, 3);
        const inMain = shown.reduce((n, [, c]) => n + c, 0);
        spread(d, {
          code: `${ID}/foreign-language`,
          severity: 'weak',
          detail:
            `${inMain} of the ${total} other documents sent from ${f.senderDomain}, by ${people.senders} other senders, are in ${listTags(shown.map(([l]) => counts.commonTag(l)))}; ` +
            `the attached ${named(f)} was edited in ${d.meta.language}, ` +
            (same === 0
              ? 'which none of them uses'
              : `which only ${same} of them use (${percent(people.share)} of an average sender's documents)`) +
            `${senderOthers > 0 ? `, and none of the sender's ${senderOthers} other documents` : ''}.`,
          evidence: {
            ...base,
            domain: f.senderDomain,
            domainDocuments: total,
            domainSenders: people.senders,
            sameLanguage: same,
            senderShare: people.share,
            languages: Object.fromEntries(domain),
            senderDocuments: senderOthers,
          },
        });
        continue;
      }
      if (enough) continue; // the domain's habits were judged and this language is one of them
      const archive = counts.countsWithout('*', d.sha);
      const archiveTotal = sum(archive);
      if (archiveTotal >= MIN_HABIT_DOCUMENTS && !archive.has(lang)) {
        const top = [...archive.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
        spread(d, {
          code: `${ID}/rare-language`,
          severity: 'info',
          detail: `The attached ${named(f)} was edited in ${d.meta.language}, a language on none of the archive's ${archiveTotal} other documents (mostly ${listTags(top.map(([l]) => counts.commonTag(l)))}); the sender's domain has too few documents and senders to judge its habits (${total} documents, ${people.senders} other senders).`,
          evidence: {
            ...base,
            archiveDocuments: archiveTotal,
            languages: Object.fromEntries(archive),
            domainDocuments: total,
            domainSenders: people.senders,
          },
        });
      }
    }
  }
}

function editorRules(docs: Map<string, Doc>, people: PeopleIndex, spread: Spread): void {
  // Per domain and sender: documents whose editor the archive knows or not; per editor: documents and senders.
  const habits = new SenderHabits();
  const domainDocs = new Map<string, Set<string>>();
  const editorDocs = new Map<string, Set<string>>();
  const senderEditors = new Map<string, Map<string, Set<string>>>();
  const editorKey = (name: string): string => nameTokens(name).join(' ');
  for (const d of docs.values()) {
    const editor = editorOf(d.meta);
    if (editor === null) continue;
    const key = editorKey(editor);
    editorDocs.set(key, (editorDocs.get(key) ?? new Set<string>()).add(d.sha));
    const known = people.knows(editor);
    for (const f of d.facts) {
      if (f.senderDomain) {
        habits.add(f.senderDomain, f.sender ?? '?', known ? 'known' : 'unknown', d.sha);
        domainDocs.set(f.senderDomain, (domainDocs.get(f.senderDomain) ?? new Set<string>()).add(d.sha));
      }
      if (f.sender) {
        const m = senderEditors.get(f.sender) ?? new Map<string, Set<string>>();
        senderEditors.set(f.sender, m);
        m.set(key, (m.get(key) ?? new Set<string>()).add(d.sha));
      }
    }
  }
  let archiveNamed = 0;
  for (const s of editorDocs.values()) archiveNamed += s.size;
  for (const d of docs.values()) {
    const editor = editorOf(d.meta);
    if (editor === null || people.knows(editor)) continue;
    const key = editorKey(editor);
    const role = d.meta.lastModifiedBy ? 'last saved by' : 'written by';
    for (const f of judgedAt(d)) {
      const inDomain = f.senderDomain ? domainDocs.get(f.senderDomain) : undefined;
      const withEditor = inDomain ? inDomain.size - (inDomain.has(d.sha) ? 1 : 0) : 0;
      const others = f.senderDomain ? habits.others(f.senderDomain, f.sender ?? '?', 'known') : { senders: 0, share: 0 };
      const sameSender = f.sender ? (senderEditors.get(f.sender)?.get(key)?.size ?? 0) - 1 : 0;
      const base = {
        attachment: f.attachmentIndex,
        filename: f.filename,
        contentSha256: d.sha,
        editor,
        lastModifiedBy: d.meta.lastModifiedBy,
        author: d.meta.author,
      };
      const evidence = {
        ...base,
        domain: f.senderDomain,
        domainDocuments: withEditor,
        domainSenders: others.senders,
        knownShare: others.share,
      };
      const enough = withEditor >= MIN_HABIT_DOCUMENTS && others.senders >= MIN_HABIT_SENDERS;
      if (enough && others.share >= KNOWN_EDITOR_MIN_SHARE && sameSender === 0) {
        spread(d, {
          code: `${ID}/foreign-editor`,
          severity: 'weak',
          detail: `The attached ${named(f)} was ${role} "${editor}", whom no sender or recipient of the archive is called; the ${others.senders} other senders of ${f.senderDomain} send documents saved by people the archive knows (${percent(others.share)} of an average sender's documents, ${withEditor} documents in all).`,
          evidence,
        });
      } else if (archiveNamed - 1 >= MIN_HABIT_DOCUMENTS && (editorDocs.get(key)?.size ?? 0) === 1) {
        spread(d, {
          code: `${ID}/unknown-editor`,
          severity: 'info',
          detail: `The attached ${named(f)} was ${role} "${editor}", whom no sender or recipient of the archive is called and who saved no other document of it.`,
          evidence,
        });
      }
    }
  }
}

function burstRules(docs: Map<string, Doc>, add: Add): void {
  const byEditor = new Map<string, Doc[]>();
  for (const d of docs.values()) {
    const editor = editorOf(d.meta);
    if (editor === null || d.meta.modified === null) continue;
    const key = nameTokens(editor).join(' ');
    const list = byEditor.get(key) ?? [];
    list.push(d);
    byEditor.set(key, list);
  }
  for (const list of byEditor.values()) {
    list.sort((a, b) => a.meta.modified! - b.meta.modified!);
    let start = 0;
    for (let i = 1; i <= list.length; i++) {
      if (i < list.length && list[i]!.meta.modified! - list[i - 1]!.meta.modified! <= BURST_GAP_SECONDS) continue;
      const sitting = list.slice(start, i);
      start = i;
      if (sitting.length < BURST_MIN_DOCUMENTS) continue;
      if (sitting[sitting.length - 1]!.meta.modified! - sitting[0]!.meta.modified! > BURST_MAX_SITTING_SECONDS) continue;
      // Each document where it first appears: forwarding an old file months later is ordinary, so
      // only the first messages count; planted files first appear far apart.
      const firsts = sitting.map(firstAppearance).filter((f): f is DocumentFact => f !== null);
      if (firsts.length < BURST_MIN_DOCUMENTS) continue;
      const dates = firsts.map((f) => f.messageDate!);
      const span = Math.max(...dates) - Math.min(...dates);
      if (span < BURST_MIN_MAIL_SPAN_SECONDS) continue;
      const senders = new Set(firsts.map((f) => f.sender ?? '?'));
      const weak = sitting.length >= BURST_WEAK_DOCUMENTS && senders.size >= 2;
      const first = sitting[0]!.meta.modified!;
      const last = sitting[sitting.length - 1]!.meta.modified!;
      const editor = editorOf(sitting[0]!.meta)!;
      for (const d of sitting) {
        for (const f of d.facts) {
          add(f, {
            code: weak ? `${ID}/edit-burst` : `${ID}/edit-session`,
            severity: weak ? 'weak' : 'info',
            detail:
              `The attached ${named(f)} is one of ${sitting.length} documents "${editor}" saved within ${formatDuration(Math.max(last - first, 60), 'prose')} (${formatTime(first, 'iso')} to ${formatTime(last, 'iso')}), ` +
              `first sent in messages of ${senders.size} sender(s) dated ${formatDuration(span, 'prose')} apart.`,
            evidence: {
              attachment: f.attachmentIndex,
              filename: f.filename,
              contentSha256: d.sha,
              editor,
              documents: sitting.slice(0, BURST_EVIDENCE_DOCUMENTS).map((x) => ({
                contentSha256: x.sha,
                modified: x.meta.modified,
                messages: x.facts.map((y) => y.messageSha256),
              })),
              senders: [...senders],
              mailSpanSeconds: span,
            },
          });
        }
      }
    }
  }
}

/** The dated message that carries a document first, null when none is dated. */
function firstAppearance(d: Doc): DocumentFact | null {
  let first: DocumentFact | null = null;
  for (const f of d.facts) if (f.messageDate !== null && (first === null || f.messageDate < first.messageDate!)) first = f;
  return first;
}

export const archiveDocuments: ArchiveCheck<ArchiveDocumentsInput> = {
  id: ID,
  title: 'Attached documents against the archive',
  codes,
  run,
};
