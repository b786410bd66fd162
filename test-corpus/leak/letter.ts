// The shapes shared by the leak's writers: a draft as a mail client receives it from its user, the
// composed message it produces, attachments, and the quoted parent of a reply or forward.
import type { ZoneId } from './clock.ts';
import type { DocSpec } from './documents.ts';
import type { RawMessage } from './mime.ts';
import type { ClientId, Lang } from './world.ts';

export interface Addr {
  name?: string;
  address: string;
}

export interface Attachment {
  filename: string;
  contentType: string;
  data: Buffer;
  /** The document's own metadata, when it is an office file or PDF (kept for the truth notes). */
  doc?: DocSpec;
}

/** What a reply quotes or a forward includes, as the replying client shows it. */
export interface QuoteSource {
  from: Addr;
  to: Addr[];
  cc: Addr[];
  subject: string;
  /** The parent's Date as written (its client's clock). */
  date: number;
  /** The parent's own visible text (with the quotes it carried itself). */
  text: string;
}

export interface Draft {
  from: Addr;
  to: Addr[];
  cc: Addr[];
  replyTo?: Addr;
  subject: string;
  /** What the user typed: greeting, paragraphs, closing and signature, without the quote. */
  text: string;
  quote?: { mode: 'reply' | 'forward'; source: QuoteSource };
  attachments: Attachment[];
  /** The client's clock when sending (this is what Date says). */
  at: number;
  /** The zone the client's device is set to. */
  zone: ZoneId;
  lang: Lang;
  inReplyTo?: string;
  references: string[];
  /** The parent's Thread-Index, which Outlook-family clients extend. */
  parentThreadIndex?: string;
  calendar?: { ics: string; method: 'REQUEST' | 'REPLY' | 'CANCEL' };
  /** More header fields the program adds (Auto-Submitted, Importance, …), placed after the client's own. */
  extra?: string[];
  /** The mailer string when this person's copy writes another than the client's default. */
  mailer?: string;
  /** The domain the client puts in Message-IDs (usually the sender's). */
  idDomain: string;
  /** Outlook-family clients write a Content-Language. */
  contentLanguage?: string;
}

export interface Composed {
  message: RawMessage;
  messageId: string;
  threadIndex?: string;
  /** The plain text a reader sees (what a reply quotes). */
  fullText: string;
  client: ClientId;
}
