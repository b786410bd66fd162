// What attached documents say about themselves: written with each message, read back for the
// archive-wide document checks, the message page and the export.
import { cachedStatement } from './database.ts';
import type { Db } from './database.ts';
import type { ArchivePerson, AttachmentInfo, DocumentFact, DocumentMetadata } from '../model.ts';

interface DocumentRow {
  format: DocumentMetadata['format'];
  title: string | null;
  author: string | null;
  last_modified_by: string | null;
  application: string | null;
  producer: string | null;
  company: string | null;
  language: string | null;
  created: number | null;
  modified: number | null;
  times_without_zone: number;
  revision: number | null;
  template: string | null;
  problems: string;
}

const COLUMNS = `d.format, d.title, d.author, d.last_modified_by, d.application, d.producer, d.company, d.language,
  d.created, d.modified, d.times_without_zone, d.revision, d.template, d.problems`;

function toMetadata(r: DocumentRow): DocumentMetadata {
  return {
    format: r.format,
    title: r.title,
    author: r.author,
    lastModifiedBy: r.last_modified_by,
    application: r.application,
    producer: r.producer,
    company: r.company,
    language: r.language,
    created: r.created,
    modified: r.modified,
    timesWithoutZone: r.times_without_zone === 1,
    revision: r.revision,
    template: r.template,
    problems: JSON.parse(r.problems) as string[],
  };
}

/**
 * The rows of a message's documents (attachment index, then the columns insertDocumentRows writes),
 * worked out where the message is analysed; none when no attachment is a document.
 */
export function documentRows(attachments: readonly AttachmentInfo[]): unknown[][] {
  const rows: unknown[][] = [];
  attachments.forEach((a, idx) => {
    const d = a.document;
    if (!d) return;
    rows.push([
      idx,
      d.format,
      d.title,
      d.author,
      d.lastModifiedBy,
      d.application,
      d.producer,
      d.company,
      d.language,
      d.created,
      d.modified,
      d.timesWithoutZone ? 1 : 0,
      d.revision,
      d.template,
      JSON.stringify(d.problems),
    ]);
  });
  return rows;
}

/** Records the metadata of a new message's documents (documentRows; its attachments rows exist). Call inside a transaction. */
export function insertDocumentRows(db: Db, sha256: string, rows: readonly unknown[][]): void {
  if (rows.length === 0) return;
  const ins = cachedStatement(
    db,
    `INSERT INTO attachment_documents (sha256, idx, format, title, author, last_modified_by, application, producer,
       company, language, created, modified, times_without_zone, revision, template, problems)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const row of rows) ins.run(sha256, ...row);
}

/** The documents of one message, by attachment position. */
export function listMessageDocuments(db: Db, sha256: string): { idx: number; document: DocumentMetadata }[] {
  const rows = cachedStatement(db, `SELECT d.idx, ${COLUMNS} FROM attachment_documents d WHERE d.sha256 = ? ORDER BY d.idx`).all(
    sha256,
  ) as (DocumentRow & {
    idx: number;
  })[];
  return rows.map((r) => ({ idx: r.idx, document: toMetadata(r) }));
}

/** Every document of the archive with its carrying message's date and sender (archive-documents check). */
export function listDocumentFacts(db: Db): DocumentFact[] {
  const rows = db
    .prepare(
      `SELECT d.sha256, d.idx, a.filename, a.content_sha256, m.date_epoch, m.from_address, m.from_domain, ${COLUMNS}
       FROM attachment_documents d
       JOIN attachments a ON a.sha256 = d.sha256 AND a.idx = d.idx
       JOIN messages m ON m.sha256 = d.sha256
       ORDER BY d.sha256, d.idx`,
    )
    .all() as (DocumentRow & {
    sha256: string;
    idx: number;
    filename: string | null;
    content_sha256: string;
    date_epoch: number | null;
    from_address: string | null;
    from_domain: string | null;
  })[];
  return rows.map((r) => ({
    messageSha256: r.sha256,
    messageDate: r.date_epoch,
    sender: r.from_address === null ? null : r.from_address.toLowerCase(),
    senderDomain: r.from_domain,
    attachmentIndex: r.idx,
    filename: r.filename,
    contentSha256: r.content_sha256,
    document: toMetadata(r),
  }));
}

/**
 * Everyone the archive knows: each From name and address, and each To/Cc address, with how many
 * messages name them. The document checks recognise editors by these names.
 */
export function listArchivePeople(db: Db): ArchivePerson[] {
  // One scan of messages for senders and recipients: a small message's row fills a page of its own,
  // so each scan reads every message whole (1.2 GB for 100,000 small messages).
  const senders = new Map<string, ArchivePerson>();
  const recipients = new Map<string, number>();
  const rows = db.prepare(`SELECT from_name, lower(from_address), to_addresses FROM messages`).raw().iterate() as IterableIterator<
    [string | null, string | null, string | null]
  >;
  for (const [name, address, to] of rows) {
    if (address !== null && address !== '') {
      // Grouped as SQL's GROUP BY from_name, lower(from_address) did: a null name apart from ''.
      const key = `${name === null ? 'n' : `s${name}`}\u0000${address}`;
      const known = senders.get(key);
      if (known) known.messages++;
      else senders.set(key, { name, address, messages: 1 });
    }
    // To/Cc are stored joined by ', ' (messages-repo); split here rather than in SQL.
    if (to === null) continue;
    for (const a of to.split(', ')) {
      const r = a.trim().toLowerCase();
      if (r) recipients.set(r, (recipients.get(r) ?? 0) + 1);
    }
  }
  return [...senders.values(), ...[...recipients].map(([address, messages]) => ({ name: null, address, messages }))];
}

/**
 * The export's `documents` column: per document `filename: author / application / language /
 * created / modified`, the last saver added to the author when another, documents joined by '; '.
 */
export const documentsExportSql = (message: string): string => `(SELECT group_concat(
    coalesce(a.filename, '(no name)') || ': ' ||
    coalesce(d.author, '-') || CASE WHEN d.last_modified_by IS NOT NULL AND d.last_modified_by IS NOT d.author
      THEN ' (last saved by ' || d.last_modified_by || ')' ELSE '' END || ' / ' ||
    coalesce(d.application, d.producer, '-') || ' / ' || coalesce(d.language, '-') || ' / ' ||
    coalesce(strftime('%Y-%m-%dT%H:%M:%SZ', d.created, 'unixepoch'), '-') || ' / ' ||
    coalesce(strftime('%Y-%m-%dT%H:%M:%SZ', d.modified, 'unixepoch'), '-'),
    '; ' ORDER BY d.idx)
  FROM attachment_documents d JOIN attachments a ON a.sha256 = d.sha256 AND a.idx = d.idx
  WHERE d.sha256 = ${message}.sha256)`;
