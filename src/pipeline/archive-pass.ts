// After an import: the archive-wide checks over everything stored, then the verdicts they change.
// Two write transactions: each source's mailbox and role, then the findings and verdicts, so a reader
// never sees half of either (the findings are judged under the second, or from a snapshot before it:
// ArchivePassOptions). Everything large is read page by page in key order (facts computed at
// analysis; never a parse), so memory stays bounded by a page plus the profiles, whose size grows
// with senders and domains, not with messages.
import type { ArchiveRecord, Finding, MailboxRole } from '../model.ts';
import type { Db } from '../store/database.ts';
import {
  addArchiveFindings,
  finishArchiveFindings,
  startArchiveFindings,
  iterateArchiveRecords,
  iterateReplyPairs,
  iterateSourcesForRoles,
  iterateTouchedFindings,
  markTouched,
  planCounts,
  planVerdict,
  listReplyQuotes,
  iterateCopyGroups,
  listTextGrams,
  readBodies,
  readFlags,
  readGrams,
  readStoredCheckParts,
  readVerdicts,
  placePlaces,
  planMailboxes,
  planSourcePlaces,
  startPlaces,
} from '../store/archive-repo.ts';
import type { MailboxSummary, SourceForRoles, StoredBodies } from '../store/archive-repo.ts';
import { insertFacts, listMessagesNeedingFacts } from '../store/facts-repo.ts';
import { archiveChecks } from '../checks/index.ts';
import { accountOf, assignRole, learnOwners, mailboxKeyOf, mailboxNameOf, roleFromName } from '../checks/archive-mailbox.ts';
import type { OwnerEvidence } from '../checks/archive-mailbox.ts';
import { archiveMailbox } from '../checks/archive-mailbox.ts';
import { archiveAuthResults, learnStyles } from '../checks/archive-auth-results.ts';
import type { ResultsStyles } from '../checks/archive-auth-results.ts';
import { archiveSigning, emptyProfiles, learnSigning, REPLACED_KEY } from '../checks/archive-signing.ts';
import type { SigningProfiles } from '../checks/archive-signing.ts';
import { archiveExport, emptyExportProfiles, learnExports } from '../checks/archive-export.ts';
import type { ExportProfiles } from '../checks/archive-export.ts';
import { archiveMaildir, emptyMaildirNames, learnMaildirNames } from '../checks/archive-maildir.ts';
import type { MaildirNames } from '../checks/archive-maildir.ts';
import { archiveMarks, emptyMarkProfiles, GATEWAY_MARK, learnMarks } from '../checks/archive-marks.ts';
import type { MarkProfiles } from '../checks/archive-marks.ts';
import { archiveFingerprint, emptyFingerprints, learnFingerprints } from '../checks/archive-fingerprint.ts';
import type { FingerprintProfiles } from '../checks/archive-fingerprint.ts';
import { archiveTimestamps, learnTimeFormats } from '../checks/archive-timestamps.ts';
import type { TimeFormats } from '../checks/archive-timestamps.ts';
import { archiveLookalike, knownDomains, learnDomains } from '../checks/archive-lookalike.ts';
import type { DomainCounts } from '../checks/archive-lookalike.ts';
import { archiveCopies, needsComparison, RELATIVE_DOUBTS } from '../checks/archive-copies.ts';
import type { CopyGroup, CopyRecord } from '../checks/archive-copies.ts';
import { archiveThread, quoteEdits } from '../checks/archive-thread.ts';
import type { ReplyPair } from '../checks/archive-thread.ts';
import { collectMessageFacts, FACTS_VERSION } from '../checks/message-facts.ts';
import { unpackGrams } from '../checks/text-forms.ts';
import { completeStructure } from '../parse/stored-headers.ts';
import { storedHtmlText } from '../parse/parse-message.ts';
import { decideVerdict } from '../verdict/decide-verdict.ts';
import { archiveDocuments } from '../checks/archive-documents.ts';
import { listArchivePeople, listDocumentFacts } from '../store/documents-repo.ts';
import { withSnapshot, withTransaction } from '../store/transaction.ts';

export const ARCHIVE_CHECK_IDS = archiveChecks.map((c) => c.id);

/**
 * Characters of decoded text and HTML read at once for one group of copies (or one page of reply
 * pairs). Copies of one Message-ID can be hundreds (the fuzz run: groups of 309, texts of up to
 * 2 M characters: 600 MB of strings for one group, and two minutes of diffs). Copies beyond it are
 * still compared by their content facts; only their text diff is not shown.
 */
export const MAX_COMPARED_TEXT_CHARS = 8 * 1024 * 1024;

/**
 * What a shared pass does next: 'places' (each source's mailbox and role, worked out from a snapshot),
 * 'placing' (it waits for the write lock and writes them, working them out again first if another
 * writer committed since that snapshot), 'reading' (learning and judging from a new snapshot),
 * 'writing' (it waits for the write lock, then writes), 'again' (another writer committed since its
 * snapshot: it judges again under the lock it holds).
 */
export type ArchivePassPhase = 'places' | 'placing' | 'reading' | 'writing' | 'again';

/**
 * How the pass shares the database while it runs. 'locked' (the default): it holds the write lock
 * from its first read to its last write (of the places, then of the findings). 'shared': it works out
 * the places, then learns and judges, from snapshots, without the write lock, so that the import
 * that runs it can meanwhile index its messages for search on another core (run-import.ts); it
 * takes the lock for its writes only, and works out again under the lock what it read from a
 * snapshot if anything changed meanwhile. `onPhase` hears each ArchivePassPhase as it starts.
 */
export interface ArchivePassOptions {
  sharing?: 'locked' | 'shared';
  onPhase?: (phase: ArchivePassPhase) => void;
}

/** Runs every archive check; returns how many messages' archive findings changed (their verdicts decided again). */
export function runArchiveChecks(db: Db, options: ArchivePassOptions = {}): number {
  // The places first, committed: they are written for every source of a new import, and a page
  // written stays in the connection's cache until the commit. In the findings' transaction, the
  // 20 MB of sources that 100,000 small messages dirtied held most of the pass's 25 MB cache, and
  // learning and judging read 8.4 GB from the OS (10.2-11.6 s, three runs); after a commit of
  // their own, 1.1 GB (6.8 s, one run). A reader may see the new places before the findings that
  // follow from them; a pass that fails between the two leaves places the next pass recomputes.
  withTransaction(db, () => backfillFacts(db));
  planThenWrite(
    db,
    options,
    ['places', 'placing'],
    () => planPlaces(db),
    () => placePlaces(db),
  );
  return planThenWrite(
    db,
    options,
    ['reading', 'writing', 'again'],
    () => judgeArchive(db),
    () => finishArchiveFindings(db, ARCHIVE_CHECK_IDS),
  );
}

/**
 * One step of the pass: `plan` works out what `write` writes (into temporary tables), then `write`
 * writes it, and the step returns what `plan` returned. Locked, both run in one write transaction.
 * Shared, `plan` runs from a snapshot, so that the import's search index grows meanwhile, and only
 * `write` holds the lock; if another writer committed in between (storedMark), `plan` runs again
 * under the lock first. `phases` are told as they start: planning, writing, planning again.
 */
function planThenWrite<T>(
  db: Db,
  options: ArchivePassOptions,
  phases: [ArchivePassPhase, ArchivePassPhase, ArchivePassPhase?],
  plan: () => T,
  write: () => void,
): T {
  if (options.sharing !== 'shared')
    return withTransaction(db, () => {
      const planned = plan();
      write();
      return planned;
    });
  options.onPhase?.(phases[0]);
  const [mark, first] = withSnapshot(db, () => [storedMark(db), plan()] as const);
  let planned = first;
  options.onPhase?.(phases[1]);
  return withTransaction(db, () => {
    if (storedMark(db) !== mark) {
      if (phases[2]) options.onPhase?.(phases[2]);
      planned = plan();
    }
    write();
    return planned;
  });
}

/**
 * What the archive pass reads, marked: the last rowid of messages, sources and findings. Every writer
 * whose rows the pass reads adds rows to one of them: an import stores sources, messages and their
 * findings, then runs its pass, which replaces the findings that changed. Only such a pass deletes
 * (findings), and a pass that only deleted judged the same stored rows as this one. So a mark the
 * same in the snapshot and under the write lock after it means nothing the pass read has changed,
 * so neither have the findings and verdicts it planned from them; the full-text index, written
 * meanwhile, is not read by the pass.
 */
function storedMark(db: Db): string {
  const last = (sql: string) => (db.prepare(sql).pluck().get() as number | null) ?? 0;
  return [last('SELECT max(rowid) FROM messages'), last('SELECT max(id) FROM sources'), last('SELECT max(id) FROM findings')].join();
}

/**
 * Learns the archive, judges every message against it, marks the messages whose archive findings
 * change, and plans their verdicts and how the summary counts and their triage rows change. All of
 * it waits in temporary tables (archive-repo.ts) for finishArchiveFindings, so a shared pass does
 * all of it from its snapshot. Returns how many messages are marked.
 */
function judgeArchive(db: Db): number {
  startArchiveFindings(db);
  // First pass: learn what the archive shows; second pass: judge each message against it.
  const learned = learnArchive(db);
  const known = knownDomains(learned.domains);
  const lookalikes = new Map();
  const rewritten = new Map();
  for (const page of iterateArchiveRecords(db)) {
    addArchiveFindings(db, archiveMailbox.run(page));
    addArchiveFindings(db, archiveAuthResults.run({ records: page, styles: learned.styles }));
    addArchiveFindings(db, archiveSigning.run({ records: page, profiles: learned.signing }));
    addArchiveFindings(db, archiveExport.run({ records: page, profiles: learned.exports, cache: rewritten }));
    addArchiveFindings(db, archiveMaildir.run({ records: page, names: learned.maildirNames }));
    addArchiveFindings(db, archiveMarks.run({ records: page, profiles: learned.marks }));
    addArchiveFindings(db, archiveFingerprint.run({ records: page, profiles: learned.fingerprints }));
    addArchiveFindings(db, archiveTimestamps.run({ records: page, formats: learned.timeFormats }));
    addArchiveFindings(db, archiveLookalike.run({ records: page, counts: learned.domains, known, cache: lookalikes }));
  }
  // Documents before copies: the copies check weighs what other checks found on each copy.
  addArchiveFindings(db, archiveDocuments.run({ documents: listDocumentFacts(db), people: listArchivePeople(db) }));
  for (const groups of iterateCopyGroups(db))
    for (const records of groups) if (needsComparison(records)) addArchiveFindings(db, archiveCopies.run(copyGroup(db, records)));
  for (const pairs of iterateReplyPairs(db))
    addArchiveFindings(db, archiveThread.run({ pairs: withQuoteTexts(db, pairs), formats: learned.timeFormats }));
  markTouched(db, ARCHIVE_CHECK_IDS);
  const marked = planVerdicts(db);
  planCounts(db, ARCHIVE_CHECK_IDS);
  return marked;
}

interface Learned {
  styles: ResultsStyles;
  signing: SigningProfiles;
  exports: ExportProfiles;
  maildirNames: MaildirNames;
  marks: MarkProfiles;
  fingerprints: FingerprintProfiles;
  timeFormats: TimeFormats;
  domains: DomainCounts;
}

/** The habits of the archive's mailboxes, domains, senders and platforms, in one streaming pass. */
function learnArchive(db: Db): Learned {
  const learned: Learned = {
    styles: { byMailbox: new Map(), archive: new Map() },
    signing: emptyProfiles(),
    exports: emptyExportProfiles(),
    maildirNames: emptyMaildirNames(),
    marks: emptyMarkProfiles(),
    fingerprints: emptyFingerprints(),
    timeFormats: new Map(),
    domains: new Map(),
  };
  for (const page of iterateArchiveRecords(db)) {
    learnStyles(page, learned.styles);
    learnSigning(page, learned.signing);
    learnExports(page, learned.exports);
    learnMaildirNames(page, learned.maildirNames);
    learnMarks(page, learned.marks);
    learnFingerprints(page, learned.fingerprints);
    learnTimeFormats(page, learned.timeFormats);
    learnDomains(page, learned.domains);
  }
  return learned;
}

/** Facts for messages stored without them (older databases, records written by other tools). */
function backfillFacts(db: Db): void {
  for (const sha of listMessagesNeedingFacts(db, FACTS_VERSION)) {
    const stored = readStoredCheckParts(db, sha);
    if (!stored) continue;
    const parsed = { ...completeStructure(stored.structure, stored.raw), text: stored.text, html: storedHtmlText(stored.html) };
    const own = stored.findings.filter((f) => !ARCHIVE_CHECK_IDS.includes(f.check));
    insertFacts(
      db,
      stored.message,
      sha,
      collectMessageFacts({ parsed, verification: stored.verification }, { verdict: decideVerdict(own).verdict, findings: own }),
    );
  }
}

function ownerEvidence(s: SourceForRoles): OwnerEvidence {
  const key = mailboxKeyOf(s);
  const isMaildir = s.mailbox !== null && (s.folder === 'cur' || s.folder === 'new');
  return {
    mailbox: key,
    account: accountOf(key, isMaildir),
    nameRole: roleFromName(mailboxNameOf(key)),
    from: s.from,
    deliveredTo: s.deliveredTo,
    recipients: s.recipients,
    receivingHops: s.receivingHops,
    labels: s.labels,
  };
}

/**
 * Works out the mailbox and role of every source (owners learned in a first pass, roles in a second)
 * and the mailbox list, for placePlaces (archive-repo.ts) to write.
 */
function planPlaces(db: Db): void {
  startPlaces(db);
  const mailboxes = new Map<string, MailboxSummary>();
  function* evidence(): Generator<OwnerEvidence> {
    for (const page of iterateSourcesForRoles(db)) {
      for (const s of page) {
        const e = ownerEvidence(s);
        const m = mailboxes.get(e.mailbox);
        if (m) m.copies++;
        else
          mailboxes.set(e.mailbox, {
            key: e.mailbox,
            name: mailboxNameOf(e.mailbox),
            account: e.account,
            nameRole: e.nameRole,
            owners: [],
            copies: 1,
          });
        yield e;
      }
    }
  }
  const owners = learnOwners(evidence());
  for (const m of mailboxes.values()) m.owners = [...(owners.get(m.account) ?? [])].sort();
  planMailboxes(db, mailboxes.values());
  for (const page of iterateSourcesForRoles(db)) {
    const changes: { id: number; mailboxKey: string; role: MailboxRole }[] = [];
    for (const s of page) {
      const e = ownerEvidence(s);
      const { role } = assignRole(e, owners.get(e.account));
      if (s.mailboxKey !== e.mailbox || s.role !== role) changes.push({ id: s.id, mailboxKey: e.mailbox, role });
    }
    planSourcePlaces(db, changes);
  }
}

/** The copies of one Message-ID, with their texts when their content differs, the later quotes and the parent. */
function copyGroup(db: Db, records: ArchiveRecord[]): CopyGroup {
  const messageId = records[0]!.messageId!;
  const differ = new Set(records.map((r) => JSON.stringify(r.facts.content))).size > 1;
  const shas = records.map((r) => r.sha256);
  const bodies = differ ? readBodies(db, shas, MAX_COMPARED_TEXT_CHARS) : new Map<string, StoredBodies>();
  const grams = differ ? readGrams(db, shas) : new Map<string, { text: string; quote: string }>();
  // What the checks that ran before say of each copy (its own findings and the archive's so far).
  const flags = differ ? readFlags(db, shas, [...RELATIVE_DOUBTS, GATEWAY_MARK, REPLACED_KEY]) : new Map<string, string[]>();
  const copies = records.map((r): CopyRecord => ({
    ...r,
    text: bodies.get(r.sha256)?.text ?? null,
    html: storedHtmlText(bodies.get(r.sha256)?.html ?? null),
    textGrams: unpackGrams(grams.get(r.sha256)?.text ?? ''),
    quoteGrams: unpackGrams(grams.get(r.sha256)?.quote ?? ''),
    flags: flags.get(r.sha256) ?? [],
  }));
  if (!differ) return { copies, replyQuotes: [], parentGrams: [] };
  const parent = records.find((r) => r.inReplyTo !== null)?.inReplyTo ?? null;
  return {
    copies,
    replyQuotes: listReplyQuotes(db, messageId).map(unpackGrams),
    parentGrams: parent === null ? [] : listTextGrams(db, parent).flatMap(unpackGrams),
  };
}

/** The texts of the few replies whose quote differs from their parent, for the diff the finding shows. */
function withQuoteTexts(db: Db, pairs: ReplyPair[]): ReplyPair[] {
  const parentGrams = new Map<string, Set<number>>();
  const first = new Map<string, ReplyPair>();
  for (const p of pairs) {
    const set = parentGrams.get(p.reply.sha256) ?? new Set<number>();
    for (const g of unpackGrams(p.parent.facts.textGrams)) set.add(g);
    parentGrams.set(p.reply.sha256, set);
    if (!first.has(p.reply.sha256)) first.set(p.reply.sha256, p);
  }
  const wanted = [...first.values()].filter(
    (p) => quoteEdits(unpackGrams(p.reply.facts.quoteGrams), parentGrams.get(p.reply.sha256)!).runs > 0,
  );
  if (wanted.length === 0) return pairs;
  const bodies = readBodies(
    db,
    wanted.flatMap((p) => [p.reply.sha256, p.parent.sha256]),
    MAX_COMPARED_TEXT_CHARS,
  );
  const chosen = new Set(wanted);
  return pairs.map((p) =>
    chosen.has(p)
      ? { ...p, replyText: bodies.get(p.reply.sha256)?.text ?? null, parentText: bodies.get(p.parent.sha256)?.text ?? null }
      : p,
  );
}

/**
 * Decides again the verdict of every marked message (markTouched), from the findings it will have,
 * and plans those that change; returns how many are marked.
 */
function planVerdicts(db: Db): number {
  let n = 0;
  for (const page of iterateTouchedFindings(db, ARCHIVE_CHECK_IDS)) {
    const stored = readVerdicts(
      db,
      page.map((p) => p.sha256),
    );
    for (const { sha256, findings } of page) {
      n++;
      const v = decideVerdict(findings as Finding[]);
      const old = stored.get(sha256);
      if (old && (old.verdict !== v.verdict || old.summary !== v.summary || old.reasons !== v.reasons.join(';')))
        planVerdict(db, old.id, v);
    }
  }
  return n;
}
