// Archive-wide: maildir files whose bytes are not the size their names give. A delivery agent that
// writes a maildir (Dovecot, Courier) puts the file's size into the name it gives it
// (`1686038250.M363559P46325.host,S=1560,W=1602:2,S`), and never rewrites a delivered file: a flag
// changes the name's last part, nothing else. A file that holds another number of bytes was written
// again after its delivery, by something other than its mail server: an editor, a script, a forger
// who changed a word and kept the name. A file that holds the size Dovecot's `W=` gives (its size
// with CRLF line breaks) had only its line breaks converted on the way (a transfer in text mode):
// that agrees with its name. Which names are to be believed is learned from each maildir itself: a
// maildir copied through a tool that rewrote its files otherwise has names that disagree with most
// of its files, and says nothing of one of them.
import type { ArchiveCheck, ArchiveRecord, CodeDoc, CopyPlace, Finding } from '../model.ts';
import { HABIT_MIN_MESSAGES } from './archive-signing.ts';

const ID = 'archive-maildir';

/** The finding's code: archive-copies weighs it when it tells two copies apart. */
export const SIZE_DIFFERS = `${ID}/size-differs`;

/**
 * Share of a maildir's named files that must hold the size their names give before one that does
 * not is evidence. A mail server's names agree with every file it wrote; a tool that rewrote the
 * files makes nearly all disagree. Three in four leaves room for a forger who edited many files of
 * one maildir, and none for a tool that rewrote most of it.
 */
export const MIN_AGREEING_SHARE = 0.75;

interface NameTally {
  /** Files whose name gives a size. */
  named: number;
  /** Of those, files that hold that many bytes. */
  agreeing: number;
}

/** Per maildir (mailbox key): how many of its files' names give a size, and how many of those agree. */
export type MaildirNames = Map<string, NameTally>;

export function emptyMaildirNames(): MaildirNames {
  return new Map();
}

type NamedPlace = CopyPlace & { file: NonNullable<CopyPlace['file']> };

function named(p: CopyPlace): p is NamedPlace {
  return p.file !== undefined;
}

/** A file that holds the size its name gives, as delivered (S=) or with its line breaks turned into CRLF (W=). */
function agrees(p: NamedPlace): boolean {
  return p.file.bytes === p.file.namedSize || p.file.bytes === p.file.namedCrlfSize;
}

/** Adds a page of records to the tallies (feed every page before judging). */
export function learnMaildirNames(records: Iterable<ArchiveRecord>, names: MaildirNames): void {
  for (const r of records)
    for (const p of r.places) {
      if (!named(p)) continue;
      let t = names.get(p.mailbox);
      if (!t) names.set(p.mailbox, (t = { named: 0, agreeing: 0 }));
      t.named++;
      if (agrees(p)) t.agreeing++;
    }
}

/** Whether a maildir's names are to be believed: enough of them, and nearly all agreeing with their files. */
function trusted(t: NameTally | undefined): t is NameTally {
  return t !== undefined && t.named >= HABIT_MIN_MESSAGES && t.agreeing >= MIN_AGREEING_SHARE * t.named;
}

const codes: Record<string, CodeDoc> = {
  [SIZE_DIFFERS]: {
    severity: 'weak',
    meaning: `The message's maildir file holds another number of bytes than the size its name gives (the S= a delivery agent such as Dovecot or Courier writes into the name of each file it delivers, and never rewrites; nor the size with CRLF line breaks that Dovecot also writes, W=, which a file whose line breaks were converted on the way holds), in a maildir where at least ${HABIT_MIN_MESSAGES} files have such names and at least ${MIN_AGREEING_SHARE * 100} % of them hold a size their names give: the file was written again after its delivery (an editor, a script, a forger who kept the name). Not raised when the same bytes are also in a file whose name agrees with them.`,
  },
};

function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

function run(input: { records: ArchiveRecord[]; names: MaildirNames }): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const r of input.records) {
    const files = r.places.filter(named);
    // The same bytes in a file whose name agrees with them were delivered as they are.
    if (files.length === 0 || files.some(agrees)) continue;
    const differing = files.filter((p) => trusted(input.names.get(p.mailbox)));
    if (differing.length === 0) continue;
    const first = differing[0]!;
    const t = input.names.get(first.mailbox)!;
    const more = differing.length > 1 ? ` ${differing.length - 1} more file${differing.length === 2 ? '' : 's'} of it say the same.` : '';
    out.set(r.sha256, [
      {
        check: ID,
        code: SIZE_DIFFERS,
        severity: 'weak',
        detail: `The file of this message in ${first.mailbox} (${first.file.name}) holds ${thousands(first.file.bytes)} bytes, but the name its mail server gave it when it delivered it says ${thousands(first.file.namedSize)}${first.file.namedCrlfSize === null ? '' : ` (${thousands(first.file.namedCrlfSize)} with CRLF line breaks)`}: the file was written again after its delivery. The names of that maildir can be believed: ${thousands(t.agreeing)} of its ${thousands(t.named)} files whose names give a size hold a size their names give.${more}`,
        evidence: {
          files: differing.slice(0, 20).map((p) => ({
            mailbox: p.mailbox,
            name: p.file.name,
            namedSize: p.file.namedSize,
            namedCrlfSize: p.file.namedCrlfSize,
            bytes: p.file.bytes,
            maildirNamed: input.names.get(p.mailbox)!.named,
            maildirAgreeing: input.names.get(p.mailbox)!.agreeing,
          })),
        },
      },
    ]);
  }
  return out;
}

export const archiveMaildir: ArchiveCheck<{ records: ArchiveRecord[]; names: MaildirNames }> = {
  id: ID,
  title: 'Maildir files changed after their delivery',
  codes,
  run,
};
