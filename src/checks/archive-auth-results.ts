// Archive-wide: Authentication-Results learned from the archive, not from vendor names. A mailbox's
// receiving servers write their results the same way on every message they receive: the same
// authserv-id (or none, as Exchange Online writes) beside the same hop. Learned from the mailbox's
// messages that verify, such a header is vouched for wherever it appears in that mailbox; a header
// that claims a pass in any other way stays reported by the auth-results check.
import type { ArchiveCheck, ArchiveRecord, AuthResultsFact, CodeDoc, Finding } from '../model.ts';
import { organisationalDomain } from '../common/org-domain.ts';

const ID = 'archive-auth-results';

/** Methods whose "pass" readers take as proof of origin (as in the auth-results check). */
const PROOF_METHODS = new Set(['dkim', 'spf', 'dmarc', 'arc']);

/**
 * A way of writing results is the mailbox's own when at least this many of its verified messages
 * carry it: one verified message could carry a header a sender wrote; three that agree are the
 * receiving site's habit. Below this a mailbox borrows what the whole archive shows.
 */
export const MIN_VOUCHING_MESSAGES = 3;

/** How a receiving site writes its header: its authserv-id (or none) and the hops beside it. */
export function styleOf(r: AuthResultsFact): string {
  return `${r.kind}|${r.authservId ?? '(none)'}|${r.hopBelow ?? '-'}|${r.hopAbove ?? '-'}`;
}

/** The styles each mailbox's verified messages show, and the archive's as a whole, with counts. */
export interface ResultsStyles {
  byMailbox: Map<string, Map<string, number>>;
  archive: Map<string, number>;
}

/** Learns styles from the verified messages among these records (feed every page). */
export function learnStyles(
  records: Iterable<ArchiveRecord>,
  into: ResultsStyles = { byMailbox: new Map(), archive: new Map() },
): ResultsStyles {
  for (const r of records) {
    if (r.facts.selfVerdict !== 'verified') continue;
    const styles = new Set(r.facts.authResults.map(styleOf));
    for (const s of styles) into.archive.set(s, (into.archive.get(s) ?? 0) + 1);
    for (const mailbox of new Set(r.places.map((p) => p.mailbox))) {
      let m = into.byMailbox.get(mailbox);
      if (!m) into.byMailbox.set(mailbox, (m = new Map()));
      for (const s of styles) m.set(s, (m.get(s) ?? 0) + 1);
    }
  }
  return into;
}

/** A header names the hop beside it (the per-message rule, already satisfied): nothing to learn. */
function namesItsHop(r: AuthResultsFact): boolean {
  if (r.authservId === null) return false;
  const org = organisationalDomain(r.authservId);
  return org === r.hopBelow || org === r.hopAbove;
}

const codes: Record<string, CodeDoc> = {
  [`${ID}/vouched`]: {
    severity: 'info',
    meaning: `Every Authentication-Results header that claims a pass is written the way the mailbox's receiving servers write theirs on its verified messages (same authserv-id, or none, beside the same hop; at least ${MIN_VOUCHING_MESSAGES} messages, else the archive's), so the archive vouches for them.`,
  },
};

function run(input: { records: ArchiveRecord[]; styles: ResultsStyles }): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const r of input.records) {
    if (!r.facts.selfFlags.includes('auth-results/unvouched-pass')) continue;
    const claims = r.facts.authResults.filter((h) => h.results.some((x) => PROOF_METHODS.has(x.method) && x.result === 'pass'));
    const unnamed = claims.filter((h) => !namesItsHop(h));
    if (unnamed.length === 0) continue;
    const evidence: { style: string; seen: number; where: string }[] = [];
    let all = true;
    for (const h of unnamed) {
      const style = styleOf(h);
      let best: { seen: number; where: string } | null = null;
      for (const p of r.places) {
        const own = input.styles.byMailbox.get(p.mailbox);
        const verifiedThere = own ? Math.max(0, ...own.values()) : 0;
        const table = verifiedThere >= MIN_VOUCHING_MESSAGES ? own! : input.styles.archive;
        const where = table === input.styles.archive ? 'the archive' : p.mailbox;
        const seen = table.get(style) ?? 0;
        if (seen >= MIN_VOUCHING_MESSAGES && (best === null || seen > best.seen)) best = { seen, where };
      }
      if (!best) {
        all = false;
        break;
      }
      evidence.push({ style, ...best });
    }
    if (!all) continue;
    const first = evidence[0]!;
    out.set(r.sha256, [
      {
        check: ID,
        code: `${ID}/vouched`,
        severity: 'info',
        detail: `The Authentication-Results header${unnamed.length > 1 ? 's' : ''} claiming a pass ${unnamed.length > 1 ? 'are' : 'is'} written the way the receiving servers write theirs on ${first.seen} verified message(s) of ${first.where === 'the archive' ? 'the archive' : `this mailbox (${first.where})`}: ${describeStyle(unnamed[0]!)}.`,
        evidence: { styles: evidence },
        explains: ['auth-results/unvouched-pass'],
      },
    ]);
  }
  return out;
}

function describeStyle(h: AuthResultsFact): string {
  const id = h.authservId === null ? 'no authserv-id' : `authserv-id ${h.authservId}`;
  const beside = [h.hopBelow ? `below it a hop by ${h.hopBelow}` : '', h.hopAbove ? `above it a hop by ${h.hopAbove}` : ''].filter(Boolean);
  return `${id}${beside.length ? `, ${beside.join(' and ')}` : ', no hop beside it'}`;
}

export const archiveAuthResults: ArchiveCheck<{ records: ArchiveRecord[]; styles: ResultsStyles }> = {
  id: ID,
  title: 'Authentication-Results learned from the mailbox',
  codes,
  run,
};
