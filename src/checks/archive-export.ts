// Archive-wide: a mailbox whose messages were rewritten on their way into the dump. An export or a
// conversion (a mail store exported through a tool that rebuilds each message's MIME, a client that
// re-encodes what it keeps) changes the bytes of every message it touches, and every signature in
// them fails as an edit would make it fail. One failing signature accuses its message; nearly every
// signed message of one mailbox failing, from several signers whose mail verifies elsewhere in the
// archive, accuses the mailbox's way into the dump instead, and no signature in it can then speak
// for or against one of its messages. Learned from the archive, not from a list of tools.
import type { ArchiveCheck, ArchiveRecord, CodeDoc, Finding, SignatureSummary } from '../model.ts';
import { HABIT_MIN_MESSAGES, HABIT_MIN_SHARE } from './archive-signing.ts';

const ID = 'archive-export';

/**
 * Signers among a mailbox's broken signatures whose signatures verify outside that mailbox: one
 * signer whose mail fails could be that signer's own fault (a key replaced, a relay that rewrites);
 * three independent ones failing in one mailbox only point at the mailbox.
 */
export const MIN_REWRITTEN_SIGNERS = 3;

/** The failures of a signature that say the bytes it covers changed (the body, or signed headers). */
const BROKEN_CODES = ['dkim/body-hash-mismatch', 'dkim/bad-signature'];

/** What a rewritten mailbox explains: those, and an ARC chain, whose seals cover the same bytes. */
const EXPLAINED_CODES = [...BROKEN_CODES, 'arc/fail'];

/** A signature whose body hash or whose signature over the headers failed: the bytes it covers changed. */
function broken(s: SignatureSummary): boolean {
  return s.bodyHash === 'fail' || s.result === 'fail';
}

/** A message whose signatures all fail, at least one of them over changed bytes. */
function allBroken(r: ArchiveRecord): boolean {
  return r.signatures.length > 0 && r.signatures.some(broken) && r.signatures.every((s) => s.result !== 'pass');
}

interface MailboxTally {
  /** Messages with at least one DKIM signature. */
  signed: number;
  /** Of those, messages whose signatures all fail, at least one over changed bytes (allBroken). */
  broken: number;
  /** Signing domain -> messages of this mailbox with a broken signature of it (made at the first). */
  brokenBy: Map<string, number> | null;
  /** Signing domain -> messages of this mailbox it verifies, to tell passes elsewhere (made at the first). */
  passedBy: Map<string, number> | null;
}

/** What the archive shows of failing signatures, per mailbox, and of passing ones, per signing domain. */
export interface ExportProfiles {
  mailboxes: Map<string, MailboxTally>;
  /** Signing domain -> messages of the archive it verifies. */
  passes: Map<string, number>;
}

export function emptyExportProfiles(): ExportProfiles {
  return { mailboxes: new Map(), passes: new Map() };
}

function add(m: Map<string, number>, key: string): void {
  m.set(key, (m.get(key) ?? 0) + 1);
}

/** Adds a page of records to the profiles (feed every page before judging). */
export function learnExports(records: Iterable<ArchiveRecord>, p: ExportProfiles): void {
  for (const r of records) {
    if (r.signatures.length === 0) continue;
    const passing = [...new Set(r.signatures.filter((s) => s.result === 'pass').map((s) => s.domain.toLowerCase()))];
    const failing = allBroken(r) ? [...new Set(r.signatures.filter(broken).map((s) => s.domain.toLowerCase()))] : [];
    for (const d of passing) add(p.passes, d);
    for (const mailbox of new Set(r.places.map((x) => x.mailbox))) {
      let t = p.mailboxes.get(mailbox);
      // One small record a mailbox: a dump may hold a mailbox for every message.
      if (!t) p.mailboxes.set(mailbox, (t = { signed: 0, broken: 0, brokenBy: null, passedBy: null }));
      t.signed++;
      if (failing.length > 0) t.broken++;
      for (const d of failing) add((t.brokenBy ??= new Map()), d);
      for (const d of passing) add((t.passedBy ??= new Map()), d);
    }
  }
}

/** A mailbox rewritten on its way into the dump, with what that rests on; null when its tallies do not show it. */
interface Rewritten {
  mailbox: string;
  signed: number;
  broken: number;
  /** Signers broken here whose signatures verify on messages outside this mailbox, with both counts. */
  signers: { domain: string; brokenHere: number; verifiedElsewhere: number }[];
}

function rewritten(mailbox: string, p: ExportProfiles, cache: Map<string, Rewritten | null>): Rewritten | null {
  if (cache.has(mailbox)) return cache.get(mailbox)!;
  const t = p.mailboxes.get(mailbox);
  let out: Rewritten | null = null;
  if (t && t.signed >= HABIT_MIN_MESSAGES && t.broken >= HABIT_MIN_SHARE * t.signed) {
    const signers = [...(t.brokenBy ?? [])]
      .map(([domain, brokenHere]) => ({
        domain,
        brokenHere,
        verifiedElsewhere: (p.passes.get(domain) ?? 0) - (t.passedBy?.get(domain) ?? 0),
      }))
      .filter((s) => s.verifiedElsewhere > 0)
      .sort((a, b) => b.brokenHere - a.brokenHere || a.domain.localeCompare(b.domain));
    if (signers.length >= MIN_REWRITTEN_SIGNERS) out = { mailbox, signed: t.signed, broken: t.broken, signers };
  }
  cache.set(mailbox, out);
  return out;
}

const codes: Record<string, CodeDoc> = {
  [`${ID}/rewritten-mailbox`]: {
    severity: 'info',
    meaning: `The message's signatures fail over changed bytes, and so do those of nearly every signed message in its mailbox (at least ${HABIT_MIN_MESSAGES} signed, ${HABIT_MIN_SHARE * 100} % or more failing), from at least ${MIN_REWRITTEN_SIGNERS} signers whose signatures verify on messages elsewhere in the archive: the mailbox's messages were rewritten on their way into the dump (an export, a conversion, a gateway that marks what it lets in, or whoever assembled the dump), so the failure says nothing of this message in particular. Explains dkim/body-hash-mismatch, dkim/bad-signature and arc/fail (an ARC chain's seals cover the same bytes); the message is unverifiable, not verified.`,
  },
};

function run(input: { records: ArchiveRecord[]; profiles: ExportProfiles; cache?: Map<string, Rewritten | null> }): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  const cache = input.cache ?? new Map<string, Rewritten | null>();
  for (const r of input.records) {
    if (!allBroken(r) || !r.facts.selfFlags.some((c) => BROKEN_CODES.includes(c)) || r.places.length === 0) continue;
    // Every place the bytes were found must be such a mailbox: the same bytes in a mailbox whose
    // signatures verify were not rewritten by the way into the dump.
    const where = [...new Set(r.places.map((x) => x.mailbox))].map((m) => rewritten(m, input.profiles, cache));
    if (where.some((w) => w === null)) continue;
    const first = where[0]!;
    const named = first.signers
      .slice(0, 5)
      .map((s) => `${s.domain} (${s.brokenHere} failing here, ${s.verifiedElsewhere} verified elsewhere)`)
      .join(', ');
    out.set(r.sha256, [
      {
        check: ID,
        code: `${ID}/rewritten-mailbox`,
        severity: 'info',
        detail: `This message's signatures fail over changed bytes, and so do those of ${first.broken} of the ${first.signed} signed messages in ${first.mailbox}, from ${first.signers.length} signers whose signatures verify on messages elsewhere in the archive: ${named}${first.signers.length > 5 ? ', …' : ''}. The messages of this mailbox were rewritten on their way into the dump (an export, a conversion, a gateway that marks what it lets in, or whoever assembled the dump), so the failure says nothing of this message in particular, and no signature in this mailbox can prove or disprove one of its messages.`,
        evidence: { mailboxes: where.map((w) => ({ ...w!, signers: w!.signers.slice(0, 20), signersCount: w!.signers.length })) },
        explains: EXPLAINED_CODES,
      },
    ]);
  }
  return out;
}

export const archiveExport: ArchiveCheck<{ records: ArchiveRecord[]; profiles: ExportProfiles; cache?: Map<string, Rewritten | null> }> = {
  id: ID,
  title: 'Mailboxes rewritten on their way into the dump',
  codes,
  run,
};
