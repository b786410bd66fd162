// After an import: the archive-wide checks over everything stored, then the verdicts they change.
import type { Finding } from '../model.ts';
import { withWriteLock } from '../store/database.ts';
import type { Db } from '../store/database.ts';
import { listMessagesWithChecks, listRepliesWithParents, listSharedMessageIdGroups } from '../store/archive-repo.ts';
import { listFindings, replaceCheckFindings, updateVerdict } from '../store/messages-repo.ts';
import { archiveCopies } from '../checks/archive-copies.ts';
import { archiveThread } from '../checks/archive-thread.ts';
import { decideVerdict } from '../verdict/decide-verdict.ts';

export const ARCHIVE_CHECK_IDS = [archiveCopies.id, archiveThread.id];

export function runArchiveChecks(db: Db): number {
  const found = new Map<string, Finding[]>();
  const merge = (m: Map<string, Finding[]>): void => {
    for (const [sha, fs] of m) found.set(sha, [...(found.get(sha) ?? []), ...fs]);
  };
  // Verdicts before this pass are per message; copies are compared against those.
  for (const group of listSharedMessageIdGroups(db)) merge(archiveCopies.run(group));
  merge(archiveThread.run(listRepliesWithParents(db)));
  const touched = new Set([...found.keys(), ...listMessagesWithChecks(db, ARCHIVE_CHECK_IDS)]);
  withWriteLock(db, () => {
    for (const sha of touched) {
      replaceCheckFindings(db, sha, ARCHIVE_CHECK_IDS, found.get(sha) ?? []);
      updateVerdict(db, sha, decideVerdict(listFindings(db, sha)));
    }
  });
  return touched.size;
}
