// The registry of per-message checks: one list, in the order their findings are reported.
import type { ArchiveCheck, CheckInput, Finding, MessageCheck } from '../model.ts';
import { check as dkim } from './dkim.ts';
import { check as arc } from './arc.ts';
import { check as duplicateHeaders } from './duplicate-headers.ts';
import { check as authResults } from './auth-results.ts';
import { check as receivedOrder } from './received-order.ts';
import { check as dateConsistency } from './date-consistency.ts';
import { check as dkimTime } from './dkim-time.ts';
import { check as messageId } from './message-id.ts';
import { check as lookalikeDomain } from './lookalike-domain.ts';
import { check as attachmentTimes } from './attachment-times.ts';
import { check as listArc } from './list-arc.ts';
import { check as topAdditions } from './top-additions.ts';
import { archiveMailbox } from './archive-mailbox.ts';
import { archiveAuthResults } from './archive-auth-results.ts';
import { archiveSigning } from './archive-signing.ts';
import { archiveExport } from './archive-export.ts';
import { archiveMaildir } from './archive-maildir.ts';
import { archiveMarks } from './archive-marks.ts';
import { archiveFingerprint } from './archive-fingerprint.ts';
import { archiveTimestamps } from './archive-timestamps.ts';
import { archiveLookalike } from './archive-lookalike.ts';
import { archiveCopies } from './archive-copies.ts';
import { archiveDocuments } from './archive-documents.ts';
import { archiveThread } from './archive-thread.ts';

export const checks: readonly MessageCheck[] = [
  dkim,
  arc,
  duplicateHeaders,
  authResults,
  receivedOrder,
  dateConsistency,
  dkimTime,
  messageId,
  lookalikeDomain,
  attachmentTimes,
  listArc,
  topAdditions,
];

/**
 * The archive-wide checks, run over the whole store after every import (src/pipeline/archive-pass.ts
 * feeds each its input). Listed here so the docs test and the pass know them all.
 */
export const archiveChecks: readonly Omit<ArchiveCheck<never>, 'run'>[] = [
  archiveMailbox,
  archiveAuthResults,
  archiveSigning,
  archiveExport,
  archiveMaildir,
  archiveMarks,
  archiveFingerprint,
  archiveTimestamps,
  archiveLookalike,
  archiveDocuments,
  archiveCopies,
  archiveThread,
];

/** Runs every check. A check that throws is a programming error, reported as a finding, not a crash. */
export function runChecks(input: CheckInput): Finding[] {
  const out: Finding[] = [];
  for (const c of checks) {
    try {
      out.push(...c.run(input));
    } catch (err) {
      out.push({
        check: c.id,
        code: 'check/error',
        severity: 'info',
        detail: `The ${c.id} check failed on this message (${(err as Error).message}); its result is missing.`,
        evidence: { error: String((err as Error).stack ?? err).slice(0, 2000) },
      });
    }
  }
  return out;
}
