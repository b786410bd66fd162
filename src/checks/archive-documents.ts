// Archive-wide: attached documents that do not belong to the organisation whose mail this is. A
// planted document carries its maker's habits (MacronLeaks, 2017: the forged files were edited in
// Russian by someone nobody in the campaign's mail was). What is normal is learned from the archive
// itself: the languages and editors of the documents each sending domain and sender attach. A finding
// says what it rests on, and is `weak` only when that rests on enough documents, `info` when thin.
// The same file attached to several messages counts once (a forwarded document is one document).
import type { ArchiveCheck, ArchivePerson, CodeDoc, DocumentFact, DocumentMetadata, Finding } from '../model.ts';
import { describeDuration, formatTime } from './time-text.ts';

const ID = 'archive-documents';

/** Fewest other documents of a sending domain before its habits count as evidence (below: `info` at most). */
export const MIN_HABIT_DOCUMENTS = 20;

/**
 * Largest share of a domain's documents a language may have and still be foreign to it. Honest
 * organisations write in one or two main languages (80-95 %) with a tail of partners' languages;
 * a language on more than a tenth of its documents is one of its own.
 */
export const FOREIGN_LANGUAGE_MAX_SHARE = 0.1;

/**
 * Share of a domain's documents whose editor is someone the archive knows (a sender or recipient),
 * above which an unknown editor is out of habit. Below it the domain routinely passes on documents
 * made elsewhere, and an unknown editor says nothing.
 */
export const KNOWN_EDITOR_MIN_SHARE = 0.9;

/**
 * Documents saved by one editor this close together belong to one sitting. Ten minutes joins a
 * "save all" or a batch export; separate working sessions are hours apart.
 */
export const BURST_GAP_SECONDS = 10 * 60;

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
    meaning: `An attached document was edited in a language that at most ${FOREIGN_LANGUAGE_MAX_SHARE * 100} % of the other documents sent from the same domain use (at least ${MIN_HABIT_DOCUMENTS} of them), and none of the sender's other documents.`,
  },
  [`${ID}/rare-language`]: {
    severity: 'info',
    meaning: `An attached document was edited in a language that no other document of the archive uses (at least ${MIN_HABIT_DOCUMENTS} documents with a language), where the sender's domain has too few documents to judge.`,
  },
  [`${ID}/foreign-editor`]: {
    severity: 'weak',
    meaning: `An attached document was last saved by someone the archive does not know (no sender or recipient by that name), while at least ${KNOWN_EDITOR_MIN_SHARE * 100} % of the other documents sent from the same domain (at least ${MIN_HABIT_DOCUMENTS}) were saved by people it knows, and no other document of this sender names that editor.`,
  },
  [`${ID}/unknown-editor`]: {
    severity: 'info',
    meaning:
      "An attached document was last saved by someone the archive does not know and who saved no other document of the archive; the sender domain's habits are too thin or too mixed to judge.",
  },
  [`${ID}/edit-burst`]: {
    severity: 'weak',
    meaning: `At least ${BURST_WEAK_DOCUMENTS} different documents were saved by the same editor minutes apart (gaps under ${describeDuration(BURST_GAP_SECONDS)}), yet they are attached to messages of two or more senders dated at least ${describeDuration(BURST_MIN_MAIL_SPAN_SECONDS)} apart: made in one sitting, passed off as written over time.`,
  },
  [`${ID}/edit-session`]: {
    severity: 'info',
    meaning: `At least ${BURST_MIN_DOCUMENTS} different documents were saved by the same editor minutes apart and are attached to messages dated at least ${describeDuration(BURST_MIN_MAIL_SPAN_SECONDS)} apart, but too few, or all from one sender, to count as evidence.`,
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

  languageRules(docs, add);
  editorRules(docs, new PeopleIndex(input.people), add);
  burstRules(docs, add);
  return out;
}

type Add = (f: DocumentFact, finding: Omit<Finding, 'check'>) => void;

function languageRules(docs: Map<string, Doc>, add: Add): void {
  const counts = new LanguageCounts();
  for (const d of docs.values()) {
    const lang = primaryLanguage(d.meta.language);
    if (lang === null) continue;
    counts.add('*', lang, d.meta.language!, d.sha);
    for (const f of d.facts) {
      if (f.senderDomain) counts.add(`@${f.senderDomain}`, lang, d.meta.language!, d.sha);
      if (f.sender) counts.add(f.sender, lang, d.meta.language!, d.sha);
    }
  }
  for (const d of docs.values()) {
    const lang = primaryLanguage(d.meta.language);
    if (lang === null) continue;
    for (const f of d.facts) {
      const domain = f.senderDomain ? counts.countsWithout(`@${f.senderDomain}`, d.sha) : new Map<string, number>();
      const total = sum(domain);
      const same = domain.get(lang) ?? 0;
      const mine = f.sender ? counts.countsWithout(f.sender, d.sha) : new Map<string, number>();
      const senderOthers = sum(mine);
      const main = [...domain.entries()].filter(([l]) => l !== lang).sort((a, b) => b[1] - a[1]);
      const base = { attachment: f.attachmentIndex, filename: f.filename, contentSha256: d.sha, language: d.meta.language };
      if (total >= MIN_HABIT_DOCUMENTS && same / total <= FOREIGN_LANGUAGE_MAX_SHARE && (mine.get(lang) ?? 0) === 0) {
        const shown = main.slice(0, 3);
        const inMain = shown.reduce((s, [, n]) => s + n, 0);
        add(f, {
          code: `${ID}/foreign-language`,
          severity: 'weak',
          detail:
            `${inMain} of the ${total} other documents sent from ${f.senderDomain} are in ${listTags(shown.map(([l]) => counts.commonTag(l)))}; ` +
            `the attached ${named(f)} was edited in ${d.meta.language}, which ${same === 0 ? 'none of them uses' : `only ${same} of them use`}` +
            `${senderOthers > 0 ? `, and none of the sender's ${senderOthers} other documents` : ''}.`,
          evidence: {
            ...base,
            domain: f.senderDomain,
            domainDocuments: total,
            sameLanguage: same,
            languages: Object.fromEntries(domain),
            senderDocuments: senderOthers,
          },
        });
        continue;
      }
      if (total >= MIN_HABIT_DOCUMENTS) continue; // the domain's habits were judged and found ordinary
      const archive = counts.countsWithout('*', d.sha);
      const archiveTotal = sum(archive);
      if (archiveTotal >= MIN_HABIT_DOCUMENTS && !archive.has(lang)) {
        const top = [...archive.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
        add(f, {
          code: `${ID}/rare-language`,
          severity: 'info',
          detail: `The attached ${named(f)} was edited in ${d.meta.language}, a language on none of the archive's ${archiveTotal} other documents (mostly ${listTags(top.map(([l]) => counts.commonTag(l)))}); the sender's domain has only ${total} other documents with a language, too few to judge its habits.`,
          evidence: { ...base, archiveDocuments: archiveTotal, languages: Object.fromEntries(archive), domainDocuments: total },
        });
      }
    }
  }
}

function editorRules(docs: Map<string, Doc>, people: PeopleIndex, add: Add): void {
  // Per domain: documents whose editor is known / named at all; per editor: the documents and senders.
  const domainKnown = new Map<string, { known: Set<string>; named: Set<string> }>();
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
        const k = domainKnown.get(f.senderDomain) ?? { known: new Set<string>(), named: new Set<string>() };
        domainKnown.set(f.senderDomain, k);
        k.named.add(d.sha);
        if (known) k.known.add(d.sha);
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
    for (const f of d.facts) {
      const k = f.senderDomain ? domainKnown.get(f.senderDomain) : undefined;
      const withEditor = k ? k.named.size - (k.named.has(d.sha) ? 1 : 0) : 0;
      const known = k ? k.known.size - (k.known.has(d.sha) ? 1 : 0) : 0;
      const sameSender = f.sender ? (senderEditors.get(f.sender)?.get(key)?.size ?? 0) - 1 : 0;
      const base = {
        attachment: f.attachmentIndex,
        filename: f.filename,
        contentSha256: d.sha,
        editor,
        lastModifiedBy: d.meta.lastModifiedBy,
        author: d.meta.author,
      };
      if (withEditor >= MIN_HABIT_DOCUMENTS && known / withEditor >= KNOWN_EDITOR_MIN_SHARE && sameSender === 0) {
        add(f, {
          code: `${ID}/foreign-editor`,
          severity: 'weak',
          detail: `The attached ${named(f)} was ${role} "${editor}", whom no sender or recipient of the archive is called; ${known} of the ${withEditor} other documents sent from ${f.senderDomain} were saved by people the archive knows.`,
          evidence: { ...base, domain: f.senderDomain, domainDocuments: withEditor, knownEditors: known },
        });
      } else if (archiveNamed - 1 >= MIN_HABIT_DOCUMENTS && (editorDocs.get(key)?.size ?? 0) === 1) {
        add(f, {
          code: `${ID}/unknown-editor`,
          severity: 'info',
          detail: `The attached ${named(f)} was ${role} "${editor}", whom no sender or recipient of the archive is called and who saved no other document of it.`,
          evidence: { ...base, domain: f.senderDomain, domainDocuments: withEditor, knownEditors: known },
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
    byEditor.set(key, [...(byEditor.get(key) ?? []), d]);
  }
  for (const list of byEditor.values()) {
    list.sort((a, b) => a.meta.modified! - b.meta.modified!);
    let start = 0;
    for (let i = 1; i <= list.length; i++) {
      if (i < list.length && list[i]!.meta.modified! - list[i - 1]!.meta.modified! <= BURST_GAP_SECONDS) continue;
      const sitting = list.slice(start, i);
      start = i;
      if (sitting.length < BURST_MIN_DOCUMENTS) continue;
      const facts = sitting.flatMap((d) => d.facts);
      const dates = facts.map((f) => f.messageDate).filter((t): t is number => t !== null);
      if (dates.length === 0) continue;
      const span = Math.max(...dates) - Math.min(...dates);
      if (span < BURST_MIN_MAIL_SPAN_SECONDS) continue;
      const senders = new Set(facts.map((f) => f.sender ?? '?'));
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
              `The attached ${named(f)} is one of ${sitting.length} documents "${editor}" saved within ${describeDuration(Math.max(last - first, 60))} (${formatTime(first)} to ${formatTime(last)}), ` +
              `attached to messages of ${senders.size} sender(s) dated ${describeDuration(span)} apart.`,
            evidence: {
              attachment: f.attachmentIndex,
              filename: f.filename,
              contentSha256: d.sha,
              editor,
              documents: sitting.map((x) => ({
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

export const archiveDocuments: ArchiveCheck<ArchiveDocumentsInput> = {
  id: ID,
  title: 'Attached documents against the archive',
  codes,
  run,
};
