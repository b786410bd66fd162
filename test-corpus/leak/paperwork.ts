// The documents people attach: one document per topic and office format, written by a member of
// staff some days before it is first sent, then revised by whoever sends it next. Its metadata is
// what the office's software writes: the staff as authors, their editing languages, the company
// name, times before the e-mail — and, honestly, a template's author or a later revision re-sent.
import { DAY, HOUR, MINUTE } from './clock.ts';
import { CONTENT_TYPES, buildDocument, type DocKind, type DocMeta, type DocSpec } from './documents.ts';
import type { Attachment } from './letter.ts';
import type { Random } from './random.ts';
import type { Topic } from './texts.ts';
import type { Person } from './world.ts';

export const EDITING_LANGUAGE: Record<string, string> = {
  marta: 'en-GB',
  anna: 'de-DE',
  tom: 'en-GB',
  claire: 'fr-BE',
  mark: 'en-GB',
  sophie: 'fr-FR',
  karl: 'de-DE',
  jonas: 'de-DE',
  priya: 'en-GB',
  elodie: 'fr-BE',
  pieter: 'en-GB',
  ines: 'es-ES',
  oliver: 'en-GB',
  hanna: 'de-DE',
  luca: 'en-GB',
  sara: 'en-GB',
  david: 'en-GB',
  camille: 'fr-FR',
  rafael: 'es-ES',
  lucia: 'es-ES',
  james: 'en-GB',
  amira: 'en-GB',
  helen: 'en-GB',
  nadia: 'en-GB',
  ben: 'en-GB',
  jan: 'nl-BE',
  maria: 'it-IT',
};

/** People whose desktops run LibreOffice rather than Microsoft 365. */
const LIBREOFFICE_USERS = new Set(['karl', 'luca', 'jan']);

/** Templates made years ago by someone who left: their name stays as the document's creator. */
const TEMPLATE_AUTHORS = ['Fiona Walsh', 'Aldermoor Admin'];

interface Version {
  modified: number;
  by: Person;
  revision: number;
  totalTime: number;
  data?: Buffer;
}

interface DocumentHistory {
  key: string;
  kind: DocKind;
  topic: Topic;
  creator: string;
  created: number;
  company: string;
  documentId: string;
  /** Sorted by modification time. */
  versions: Version[];
  /** When each version was attached to a message. */
  sends: { at: number; version: number }[];
}

export interface AttachedDocument {
  attachment: Attachment;
  history: string;
  version: number;
  templateAuthor: boolean;
}

export class Paperwork {
  private histories = new Map<string, DocumentHistory>();
  private readonly rng: Random;

  constructor(rng: Random) {
    this.rng = rng;
  }

  /**
   * The document of `topic` in `kind` as `sender` attaches it at `at`. A first send creates it
   * (written days before); a later send by someone who edits it makes a new revision.
   */
  async attach(sender: Person, topic: Topic, kind: DocKind, at: number, edit: boolean): Promise<AttachedDocument> {
    const rng = this.rng;
    let key = `${topic.id}/${kind}/${sender.org}`;
    let history = this.histories.get(key);
    // Events are made roughly in time order; a send before the document existed starts another one.
    if (history && at <= history.versions[0]!.modified + MINUTE) {
      key = `${key}/${at}`;
      history = undefined;
    }
    if (!history) {
      const created = at - rng.int(1, 20) * DAY - rng.int(0, 8) * HOUR;
      const templateAuthor = sender.staff && kind !== 'pdf' && rng.chance(0.12);
      history = {
        key,
        kind,
        topic,
        creator: templateAuthor ? rng.pick(TEMPLATE_AUTHORS) : sender.name,
        created,
        company: sender.org,
        documentId: rng.uuid(),
        versions: [
          {
            modified: Math.max(created + 10 * MINUTE, at - rng.int(5, 48 * 60) * MINUTE),
            by: sender,
            revision: rng.int(2, 9),
            totalTime: rng.int(12, 240),
          },
        ],
        sends: [],
      };
      this.histories.set(key, history);
    } else if (edit) {
      const modified = at - rng.int(3, 6 * 60) * MINUTE;
      // Only a revision newer than every earlier one: version numbers never move.
      const previous = history.versions.at(-1)!;
      if (modified > previous.modified + MINUTE) {
        history.versions.push({
          modified,
          by: sender,
          revision: previous.revision + rng.int(1, 4),
          totalTime: previous.totalTime + rng.int(5, 90),
        });
      }
    }
    const index = Math.max(
      0,
      history.versions.findLastIndex((v) => v.modified < at),
    );
    const version = history.versions[index]!;
    history.sends.push({ at, version: index });
    const meta = this.metaOf(history, version);
    version.data ??= await buildDocument(this.spec(kind, topic, meta));
    const filename = `${topic.doc}${index > 0 && rng.chance(0.4) ? `_v${index + 1}` : ''}.${kind}`;
    return {
      attachment: { filename, contentType: CONTENT_TYPES[kind], data: version.data, doc: this.spec(kind, topic, meta) },
      history: key,
      version: index,
      templateAuthor: TEMPLATE_AUTHORS.includes(history.creator),
    };
  }

  /** Whether an earlier version of this document was sent before `at` (the document was edited and re-sent). */
  wasReEdited(history: string, version: number, at: number): boolean {
    const h = this.histories.get(history);
    if (!h || version === 0) return false;
    const mine = h.versions[version];
    return h.sends.some((s) => s.version < version && s.at < at) && !!mine;
  }

  private metaOf(history: DocumentHistory, version: Version): DocMeta {
    return {
      title: history.topic.docTitle,
      creator: history.creator,
      lastModifiedBy: version.by.name,
      created: history.created,
      modified: version.modified,
      zone: version.by.zone,
      language: EDITING_LANGUAGE[version.by.key] ?? 'en-GB',
      company: history.company,
      application: LIBREOFFICE_USERS.has(version.by.key) ? 'libreoffice' : 'office',
      revision: version.revision,
      totalTime: version.totalTime,
      documentId: history.documentId,
    };
  }

  spec(kind: DocKind, topic: Topic, meta: DocMeta): DocSpec {
    return {
      kind,
      filename: `${topic.doc}.${kind}`,
      meta,
      paragraphs: [
        `${topic.docTitle}. Prepared for internal discussion.`,
        `This paper summarises the state of the ${topic.name.en} and the decisions still open.`,
        'Section 1 sets out the background; section 2 the options; section 3 the budget implications.',
        `Revision ${meta.revision}, last edited by ${meta.lastModifiedBy}.`,
      ],
    };
  }

  /** A scanned page from the Brussels device (its PDFs name no author). */
  async scan(at: number): Promise<Attachment> {
    const stamp = new Date(at + HOUR).toISOString().replace(/[-:T]/g, '').slice(0, 14);
    const meta: DocMeta = {
      title: '',
      creator: '',
      lastModifiedBy: '',
      created: at,
      modified: at,
      zone: 'Europe/Brussels',
      language: 'en-US',
      company: '',
      application: 'scanner',
      revision: 1,
      totalTime: 0,
      documentId: this.rng.uuid(),
    };
    const spec: DocSpec = { kind: 'pdf', filename: `DOC${stamp}.pdf`, meta, paragraphs: ['[scanned image]'] };
    return { filename: spec.filename, contentType: 'application/pdf', data: await buildDocument(spec), doc: spec };
  }
}
