// Archive-wide: attached documents that do not belong to the organisation whose mail this is. A
// planted document carries its maker's habits (MacronLeaks, 2017: the forged files were edited in
// Russian by someone nobody in the campaign's mail was). What is normal is learned from the archive
// itself, and only from documents it can vouch for: those last saved by someone the archive knows
// (a sender or recipient by that name). Planted documents are a large share of some archives' files,
// so a habit learned from every document would learn the forger's habits too. A document saved by
// someone nobody in the archive is, under a company or in a language that none of the vouched-for
// documents of its domain carry, is weak evidence; an unknown editor alone is context. A finding says
// what it rests on, and is `weak` only when that rests on enough documents and people.
import type { ArchiveCheck, ArchivePerson, CodeDoc, DocumentFact, DocumentMetadata, Finding } from '../model.ts';
import { formatDuration, formatTime } from '../common/time.ts';

const ID = 'archive-documents';

/**
 * Fewest vouched-for documents (last saved by someone the archive knows) of a sending domain, other
 * than the one judged, before the domain's habits count as evidence; below it the whole archive's
 * are used, and below it there too a finding is `info` at most.
 */
export const MIN_HABIT_DOCUMENTS = 20;

/**
 * Fewest different people who saved those documents: a domain's habits are several people's, not
 * one person's install.
 */
export const MIN_HABIT_EDITORS = 5;

/**
 * Fewest people with a name in the archive's From headers before the scripts their names are
 * written in count as the archive's habit: below it a script nobody writes says little.
 */
export const MIN_NAMED_PEOPLE = 20;

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
  [`${ID}/foreign-editor`]: {
    severity: 'weak',
    meaning: `An attached document was last saved by someone the archive does not know (no sender or recipient by that name, or a placeholder such as "Admin"), with a name written in a script none of the archive's named senders and recipients write theirs in (at least ${MIN_NAMED_PEOPLE} of them), or under a company (Office documents) or in a language (as its tag is written) that none of the documents of the sender's domain saved by people the archive knows carry (at least ${MIN_HABIT_DOCUMENTS} documents by ${MIN_HABIT_EDITORS} people; else, for the language only, the whole archive's): made outside the organisation.`,
  },
  [`${ID}/foreign-language`]: {
    severity: 'weak',
    meaning: `An attached document of someone the archive knows is in a language (as its tag is written, en-US is not en-GB) that none of the documents of the sender's domain saved by people the archive knows carry (at least ${MIN_HABIT_DOCUMENTS} documents by ${MIN_HABIT_EDITORS} people), nor any other of that person's or the sender's documents.`,
  },
  [`${ID}/rare-language`]: {
    severity: 'info',
    meaning: `An attached document is in a language that no document of the archive saved by someone it knows carries, where the sender's domain has too few such documents to judge (fewer than ${MIN_HABIT_DOCUMENTS} by ${MIN_HABIT_EDITORS} people) and the editor is known, or the archive has too few too.`,
  },
  [`${ID}/unknown-editor`]: {
    severity: 'info',
    meaning:
      "An attached document was last saved by someone the archive does not know (or a placeholder name), but under the company and in the language of the sender domain's documents, or where those habits are too thin to judge: a colleague's account, an outside contributor, or someone else.",
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

// ---------------------------------------------------------------- names, languages, companies

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
 * library defaults. They name no person the archive could know: a document saved under one was
 * saved by an unknown editor (a forger's fresh install writes exactly these).
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

function isPlaceholder(name: string): boolean {
  const tokens = nameTokens(name);
  // "User1", "admin-pc": an account name a program made up, with a number or a machine name.
  return tokens.length === 0 || PLACEHOLDER_NAMES.has(tokens.join(' ')) || /^(user|admin|administrator)$/.test(tokens[0]!);
}

/**
 * Who saved the document last, as it records it: OOXML cp:lastModifiedBy or ODF dc:creator, else
 * (an Office or ODF file saved once) its author. A PDF records only the author of what it was made
 * from, not who made the PDF: null.
 */
function savedBy(d: DocumentMetadata): string | null {
  if (d.lastModifiedBy !== null) return d.lastModifiedBy;
  return d.format === 'pdf' ? null : d.author;
}

/** The person a document names: whoever saved it last, else (a PDF) its author; null when it names nobody. */
function personOf(d: DocumentMetadata): string | null {
  return savedBy(d) ?? d.author;
}

/** The editor a burst of saves is grouped by: a named person (placeholders name nobody, so they join no sitting). */
function editorOf(d: DocumentMetadata): string | null {
  const name = d.lastModifiedBy ?? d.author;
  return name === null || isPlaceholder(name) ? null : name;
}

function personKey(name: string): string {
  return nameTokens(name).join(' ');
}

/** Writing systems a name may be written in; letters of any other count as "other". */
const SCRIPTS = ['Latin', 'Cyrillic', 'Greek', 'Arabic', 'Hebrew', 'Han', 'Hiragana', 'Katakana', 'Hangul', 'Devanagari', 'Thai'].map(
  (name) => ({ name, letter: new RegExp(`\\p{Script=${name}}`, 'u') }),
);

/** The writing systems of a name's letters ("Голубева Анна": Cyrillic). */
function scriptsOf(name: string): string[] {
  const found = new Set<string>();
  for (const ch of name.normalize('NFC')) {
    if (!/\p{L}/u.test(ch)) continue;
    found.add(SCRIPTS.find((s) => s.letter.test(ch))?.name ?? 'other');
  }
  return [...found];
}

/** Everyone the archive knows, as name tokens and address local parts, to recognise document editors. */
class PeopleIndex {
  private readonly tokens = new Set<string>();
  private readonly locals = new Set<string>();
  /** Per writing system, how many of the archive's named people write their names in it. */
  readonly scripts = new Map<string, number>();
  named = 0;

  constructor(people: ArchivePerson[]) {
    for (const p of people) {
      if (p.name !== null && /\p{L}/u.test(p.name)) {
        this.named++;
        for (const s of scriptsOf(p.name)) this.scripts.set(s, (this.scripts.get(s) ?? 0) + 1);
      }
      for (const t of nameTokens(p.name ?? '')) if (t.length >= 3) this.tokens.add(t);
      const local = p.address.split('@')[0]!.toLowerCase();
      if (local.length >= 3) this.locals.add(local.replace(/[^\p{L}]+/gu, ''));
      for (const t of nameTokens(local)) if (t.length >= 3) this.tokens.add(t);
    }
  }

  /**
   * Lenient on purpose: one shared name of three letters or more, or an account name, is enough.
   * A known editor vouches for a document's habits, so leniency keeps honest habits in; a forger
   * who takes a member's name is left to the other rules (times, languages).
   */
  knows(name: string): boolean {
    if (isPlaceholder(name)) return false;
    const tokens = nameTokens(name);
    if (tokens.some((t) => t.length >= 3 && this.tokens.has(t))) return true;
    return this.locals.has(tokens.join(''));
  }
}

/**
 * A language tag as compared: lower case with "-" ("en_GB" and "en-GB" are one), null for none or a
 * placeholder (und, zxx, mul, mis). The region is kept: it is a setting of the install that saved
 * the document (en-US and en-GB are two people's programs), and the habits are learned per tag.
 */
function languageTag(tag: string | null): string | null {
  if (tag === null) return null;
  const t = tag.trim().toLowerCase().replace(/_/g, '-');
  const primary = t.split('-')[0] ?? '';
  return /^[a-z]{2,3}$/.test(primary) && !['und', 'zxx', 'mul', 'mis'].includes(primary) ? t : null;
}

/** Only Office Open XML records the company the program is registered to (app.xml). */
const COMPANY_FORMATS: ReadonlySet<DocumentMetadata['format']> = new Set(['docx', 'xlsx', 'pptx']);

/** An Office document saved with no company is a habit of its own (a personal install). */
const NO_COMPANY = '(none)';

/** The company an Office document was saved under, NO_COMPANY when blank; null for formats that never record one. */
function companyOf(d: DocumentMetadata): string | null {
  if (!COMPANY_FORMATS.has(d.format)) return null;
  const c = (d.company ?? '').replace(/\s+/g, ' ').trim();
  return c === '' ? NO_COMPANY : c;
}

function companyKey(c: string): string {
  return c.toLowerCase();
}

/**
 * What the vouched-for documents of one group (a sending domain, the whole archive, one person,
 * one sender) carry: their languages and companies, who saved them. Counts leave out the document
 * judged, so a document never vouches for itself.
 */
class Habit {
  readonly docs = new Set<string>();
  readonly officeDocs = new Set<string>();
  readonly editors = new Map<string, Set<string>>();
  readonly languages = new Map<string, Set<string>>();
  readonly companies = new Map<string, Set<string>>();
  private readonly written = new Map<string, Map<string, number>>();

  add(sha: string, editor: string, language: string | null, rawLanguage: string | null, company: string | null): void {
    this.docs.add(sha);
    put(this.editors, editor, sha);
    if (language !== null) {
      put(this.languages, language, sha);
      this.note(language, rawLanguage ?? language);
    }
    if (company !== null) {
      this.officeDocs.add(sha);
      put(this.companies, companyKey(company), sha);
      this.note(`company:${companyKey(company)}`, company);
    }
  }

  private note(key: string, asWritten: string): void {
    const m = this.written.get(key) ?? new Map<string, number>();
    this.written.set(key, m);
    m.set(asWritten, (m.get(asWritten) ?? 0) + 1);
  }

  /** How a value is most often written ("fr-FR" for fr-fr). */
  writtenAs(key: string): string {
    const m = [...(this.written.get(key) ?? [])].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    return m[0]?.[0] ?? key;
  }

  /** Documents and people the habit rests on without `sha` (saved by `editor`). */
  basis(sha: string, editor: string | null): { documents: number; officeDocuments: number; editors: number } {
    const own = editor === null ? undefined : this.editors.get(editor);
    const alone = own !== undefined && own.size === 1 && own.has(sha);
    return {
      documents: this.docs.size - (this.docs.has(sha) ? 1 : 0),
      officeDocuments: this.officeDocs.size - (this.officeDocs.has(sha) ? 1 : 0),
      editors: this.editors.size - (alone ? 1 : 0),
    };
  }

  hasLanguage(tag: string, sha: string): boolean {
    return others(this.languages.get(tag), sha) > 0;
  }

  hasCompany(company: string, sha: string): boolean {
    return others(this.companies.get(companyKey(company)), sha) > 0;
  }

  /** The most common values without `sha`, as written: the habit a finding quotes. */
  top(kind: 'languages' | 'companies', sha: string, n = 3): { value: string; documents: number }[] {
    const map = kind === 'languages' ? this.languages : this.companies;
    return [...map]
      .map(([k, s]) => ({ value: this.writtenAs(kind === 'languages' ? k : `company:${k}`), documents: others(s, sha) }))
      .filter((x) => x.documents > 0)
      .sort((a, b) => b.documents - a.documents || a.value.localeCompare(b.value))
      .slice(0, n);
  }
}

function put(map: Map<string, Set<string>>, key: string, sha: string): void {
  const s = map.get(key) ?? new Set<string>();
  map.set(key, s);
  s.add(sha);
}

/** Members of a set other than `sha`. */
function others(s: Set<string> | undefined, sha: string): number {
  return s === undefined ? 0 : s.size - (s.has(sha) ? 1 : 0);
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
  originRules(docs, new PeopleIndex(input.people), spread);
  burstRules(docs, add);
  return out;
}

type Add = (f: DocumentFact, finding: Omit<Finding, 'check'>) => void;
type Spread = (d: Doc, finding: Omit<Finding, 'check'>) => void;

/** The habits of the vouched-for documents: per sending domain, for the archive, per person and per sender. */
interface Habits {
  domains: Map<string, Habit>;
  archive: Habit;
  persons: Map<string, Habit>;
  senders: Map<string, Habit>;
}

function learnHabits(docs: Map<string, Doc>, people: PeopleIndex): Habits {
  const habits: Habits = { domains: new Map(), archive: new Habit(), persons: new Map(), senders: new Map() };
  const habitOf = (map: Map<string, Habit>, key: string): Habit => {
    const h = map.get(key) ?? new Habit();
    map.set(key, h);
    return h;
  };
  for (const d of docs.values()) {
    const saver = savedBy(d.meta);
    // Vouched for: saved last by someone the archive knows. A PDF names only its source's author,
    // which anyone making a PDF of someone's file keeps, so it vouches for nothing.
    if (saver === null || !people.knows(saver)) continue;
    const editor = personKey(saver);
    const lang = languageTag(d.meta.language);
    const company = companyOf(d.meta);
    const record = (h: Habit): void => h.add(d.sha, editor, lang, d.meta.language, company);
    record(habits.archive);
    record(habitOf(habits.persons, editor));
    const domains = new Set<string>();
    const senders = new Set<string>();
    for (const f of d.facts) {
      if (f.senderDomain) domains.add(f.senderDomain);
      if (f.sender) senders.add(f.sender);
    }
    for (const domain of domains) record(habitOf(habits.domains, domain));
    for (const sender of senders) record(habitOf(habits.senders, sender));
  }
  return habits;
}

/** The habit a document is judged against: its sending domain's when that rests on enough, else the archive's, else none. */
/** How a finding names the whole archive's habit (the fallback basis). */
const ARCHIVE_WIDE = 'of the archive';

function chooseBasis(
  habits: Habits,
  domain: string | null,
  sha: string,
  editor: string | null,
): { habit: Habit; where: string; documents: number; officeDocuments: number; editors: number } | null {
  const candidates: [Habit | undefined, string][] = [
    [domain === null ? undefined : habits.domains.get(domain), `sent from ${domain}`],
    [habits.archive, ARCHIVE_WIDE],
  ];
  for (const [habit, where] of candidates) {
    if (!habit) continue;
    const b = habit.basis(sha, editor);
    if (b.documents >= MIN_HABIT_DOCUMENTS && b.editors >= MIN_HABIT_EDITORS) return { habit, where, ...b };
  }
  return null;
}

function originRules(docs: Map<string, Doc>, people: PeopleIndex, spread: Spread): void {
  const habits = learnHabits(docs, people);
  for (const d of docs.values()) {
    const person = personOf(d.meta);
    // A document that names nobody (a scanner's, a program's) has no maker to compare.
    if (person === null) continue;
    const f = firstAppearance(d) ?? d.facts[0]!;
    const saver = savedBy(d.meta);
    const unknown = !people.knows(person);
    const key = unknown ? null : personKey(person);
    const lang = languageTag(d.meta.language);
    const company = unknown ? companyOf(d.meta) : null;
    const basis = chooseBasis(habits, f.senderDomain, d.sha, saver !== null && !unknown ? personKey(saver) : null);
    // A person's or a sender's own vouched-for habit is never foreign to them.
    const ownHabits = [key === null ? undefined : habits.persons.get(key), f.sender ? habits.senders.get(f.sender) : undefined];
    const ownLanguage = lang !== null && ownHabits.some((h) => h?.hasLanguage(lang, d.sha));
    const ownCompany = company !== null && ownHabits.some((h) => h?.hasCompany(company, d.sha));
    const foreignLanguage = basis !== null && lang !== null && !ownLanguage && !basis.habit.hasLanguage(lang, d.sha);
    // The company is judged only against the sender domain's own documents: the archive's are the
    // organisation's, and a partner's file is rightly under the partner's company.
    const foreignCompany =
      basis !== null &&
      basis.where !== ARCHIVE_WIDE &&
      company !== null &&
      !ownCompany &&
      basis.officeDocuments >= MIN_HABIT_DOCUMENTS &&
      !basis.habit.hasCompany(company, d.sha);
    // A name written in a script none of the archive's named people write theirs in (Cyrillic among
    // Latin names): the editor comes from outside the world of this mail.
    const foreignScripts =
      unknown && people.named >= MIN_NAMED_PEOPLE ? scriptsOf(person).filter((x) => x !== 'other' && !people.scripts.has(x)) : [];
    const role = saver !== null ? 'last saved by' : 'written by';
    const who = `${role} "${person}"`;
    const nobody = isPlaceholder(person)
      ? 'a name programs write when nobody set one'
      : 'whom no sender or recipient of the archive is called';
    const evidence: Record<string, unknown> = {
      attachment: f.attachmentIndex,
      filename: f.filename,
      contentSha256: d.sha,
      editor: person,
      lastModifiedBy: d.meta.lastModifiedBy,
      author: d.meta.author,
      company: d.meta.company,
      language: d.meta.language,
      knownEditor: !unknown,
      placeholder: isPlaceholder(person),
      domain: f.senderDomain,
    };
    if (basis !== null)
      Object.assign(evidence, {
        basis: basis.where === ARCHIVE_WIDE ? 'archive' : 'domain',
        habitDocuments: basis.documents,
        habitEditors: basis.editors,
        habitLanguages: Object.fromEntries(basis.habit.top('languages', d.sha, 10).map((x) => [x.value, x.documents])),
        habitCompanies: Object.fromEntries(basis.habit.top('companies', d.sha, 10).map((x) => [x.value, x.documents])),
      });
    const rests =
      basis === null ? '' : `the ${basis.documents} documents ${basis.where} that ${basis.editors} people the archive knows saved`;
    if (unknown && (foreignLanguage || foreignCompany || foreignScripts.length > 0)) {
      const what: string[] = [];
      const why: string[] = [];
      if (foreignScripts.length > 0) {
        what.push(`a name written in ${listTags(foreignScripts)}`);
        why.push(
          `none of the archive's ${people.named} named senders and recipients writes their name in ${foreignScripts.length > 1 ? 'these scripts' : 'it'}`,
        );
      }
      if (foreignCompany) {
        what.push(company === NO_COMPANY ? 'no company' : `the company "${company}"`);
        why.push(
          `none of ${rests} has ${company === NO_COMPANY ? 'no company' : 'it'} (they are under ${listTags(basis!.habit.top('companies', d.sha).map((x) => `"${x.value}"`))})`,
        );
      }
      if (foreignLanguage) {
        what.push(`the language ${d.meta.language}`);
        why.push(`none of ${rests} is in it (they are in ${listTags(basis!.habit.top('languages', d.sha).map((x) => x.value))})`);
      }
      spread(d, {
        code: `${ID}/foreign-editor`,
        severity: 'weak',
        detail: `The attached ${named(f)} was ${who}, ${nobody}, with ${what.join(' and ')}: ${why.join('; ')}.`,
        evidence: {
          ...evidence,
          foreign: [
            ...(foreignScripts.length > 0 ? ['script'] : []),
            ...(foreignCompany ? ['company'] : []),
            ...(foreignLanguage ? ['language'] : []),
          ],
          scripts: foreignScripts,
          namedPeople: people.named,
        },
      });
      continue;
    }
    if (!unknown && foreignLanguage && basis!.where !== ARCHIVE_WIDE) {
      spread(d, {
        code: `${ID}/foreign-language`,
        severity: 'weak',
        detail: `The attached ${named(f)}, ${who}, is in ${d.meta.language}: none of ${rests} is in it (they are in ${listTags(basis!.habit.top('languages', d.sha).map((x) => x.value))}), nor any other document of "${person}" or of the sender.`,
        evidence: { ...evidence, foreign: ['language'] },
      });
      continue;
    }
    // A known person's language is judged against their own domain's documents only: at a domain
    // too thin to have a habit (a partner with a file or two), a language the organisation's
    // documents lack is the partner's own, so it is context.
    const thin = basis === null || (!unknown && basis.where === ARCHIVE_WIDE);
    if (thin && lang !== null && !ownLanguage && habits.archive.docs.size > 0 && !habits.archive.hasLanguage(lang, d.sha))
      spread(d, {
        code: `${ID}/rare-language`,
        severity: 'info',
        detail:
          `The attached ${named(f)}, ${who}, is in ${d.meta.language}, which none of the archive's ${habits.archive.basis(d.sha, null).documents} documents saved by people it knows is in; ` +
          (basis === null
            ? 'too few to judge.'
            : `too few of them were sent from ${f.senderDomain ?? 'the sender’s domain'} to judge it there.`),
        evidence,
      });
    if (unknown)
      spread(d, {
        code: `${ID}/unknown-editor`,
        severity: 'info',
        detail:
          `The attached ${named(f)} was ${who}, ${nobody}` +
          (basis === null
            ? '; the documents saved by people the archive knows are too few to say what is usual.'
            : `; what it records (company, language) is what ${rests} carry.`),
        evidence,
      });
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
