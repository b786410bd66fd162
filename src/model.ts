// The types every stage speaks. Third-party results are mapped into these field by field in the
// adapters (mailparser in src/parse/parse-message.ts, mailauth in src/verify/mailauth-adapter.ts);
// nothing else sees them. The store hands these types back out (src/store/row-codec.ts maps columns).

/**
 * The verdicts, a closed vocabulary that exports, the review screens and scripts depend on (README,
 * "How a verdict is reached"). Written once: the queue filters, the review form, the templates and
 * the CLI read this list; the SQL CHECK constraints of migration 001 must equal it (a test compares).
 */
export const VERDICTS = ['verified', 'tampered', 'suspicious', 'unverifiable'] as const;
export type VerdictName = (typeof VERDICTS)[number];

export type Severity = 'info' | 'weak' | 'strong';

/** One observation made by a check. `code` is stable and documented in docs/checks.md. */
export interface Finding {
  check: string;
  code: string;
  severity: Severity;
  detail: string;
  evidence: Record<string, unknown>;
  /** The DKIM signature (SignatureCheck.index) the finding is about, when it is about one. */
  signature?: number;
  /**
   * Codes of other findings on the same message that this one explains, e.g. a sent copy explains
   * `dkim/missing-signature`. The verdict sets explained findings aside (they stay on record). An
   * explanation that names a signature explains only findings about that signature.
   */
  explains?: string[];
}

// ---------------------------------------------------------------- import

/** Where a message's bytes were found. One message (sha256) may have several sources. */
export interface SourceRef {
  /** The path as given on the command line, joined with the path inside it (zip entries, files). */
  path: string;
  /** For members of an archive: the archive file; for plain files: null. */
  container: string | null;
  /** mbox file or maildir folder the message belongs to, when there is one. */
  mailbox: string | null;
  /** Sub-folder: maildir cur/new, the directory inside a dump, the folder inside a zip. */
  folder: string | null;
  /** Byte offset of the message inside an mbox (or null when the message is a whole file). */
  offset: number | null;
  /** Length of the message's bytes. */
  length: number;
}

/** A message's exact bytes and where they came from. */
export interface RawMessage {
  bytes: Buffer;
  source: SourceRef;
  /**
   * Set when the bytes live in memory that is reused (pipeline/byte-slabs.ts): called once, when the
   * pipeline will never read them again.
   */
  done?: () => void;
}

/** An input that could not be read as mail; it is stored, never swallowed. */
export interface InputFailure {
  path: string;
  offset: number | null;
  /** Stable code, e.g. `input/empty`, `zip/entry-escapes`, listed in docs/input-errors.md. */
  code: string;
  reason: string;
}

/** What a reader yields: a message, a failure, or a note that a file was skipped (not mail). */
export type InputItem =
  | { kind: 'message'; message: RawMessage }
  | { kind: 'failure'; failure: InputFailure }
  | { kind: 'skipped'; path: string; code: string; reason: string };

// ---------------------------------------------------------------- parse

export interface RawHeader {
  /** Position in the header section, 0 = topmost. */
  index: number;
  /** Name as written (case kept). */
  name: string;
  /** Lower-cased name, for lookups. */
  key: string;
  /** The header exactly as in the bytes, folding included, without the final line break (latin1-decoded). */
  raw: string;
  /** The value unfolded (CRLF + WSP collapsed to the WSP), trimmed; not MIME-decoded. */
  value: string;
}

export interface Address {
  name: string;
  address: string;
  /** Lower-cased domain part, or '' when the address has none. */
  domain: string;
}

export interface ReceivedHop {
  /** 0 = topmost Received header (the last hop, nearest the mailbox). */
  index: number;
  from: string | null;
  by: string | null;
  /** Time after the `;`, as ISO string, null when missing or unparseable. */
  time: string | null;
  /** The same time as Unix seconds. */
  epoch: number | null;
  /** The zone as written, e.g. "+0200", "GMT". */
  zone: string | null;
  raw: string;
}

export interface AttachmentInfo {
  filename: string | null;
  contentType: string;
  size: number;
  sha256: string;
  disposition: string | null;
  contentId: string | null;
  /**
   * What an office document or PDF says about itself (its own metadata), read from the decoded
   * attachment by src/parse/document-metadata.ts; null when the attachment is not such a document
   * or was not read (too large, damaged: see `problems`).
   */
  document: DocumentMetadata | null;
}

/** Metadata a document carries inside itself: who made it, with what, in which language, and when. */
export interface DocumentMetadata {
  /** The container read: OOXML (docx/xlsx/pptx), OpenDocument, or PDF. */
  format: 'docx' | 'xlsx' | 'pptx' | 'odt' | 'ods' | 'odp' | 'pdf';
  title: string | null;
  /** dc:creator (OOXML core.xml, ODF meta.xml), /Author or XMP dc:creator (PDF). */
  author: string | null;
  /** cp:lastModifiedBy (OOXML); null where the format has no such field. */
  lastModifiedBy: string | null;
  /** The application that wrote it: app.xml Application + AppVersion, ODF meta:generator, PDF /Creator. */
  application: string | null;
  /** PDF /Producer (the library that wrote the PDF); null for other formats. */
  producer: string | null;
  /** The organisation the writing program is registered to (OOXML app.xml Company), when recorded. */
  company: string | null;
  /**
   * Editing language as the document records it (BCP 47 as written, e.g. "ru-RU"): dc:language,
   * the default language of the text (OOXML w:lang in styles, PDF /Lang or XMP dc:language).
   */
  language: string | null;
  /** Unix seconds; null when absent or unreadable. */
  created: number | null;
  modified: number | null;
  /**
   * A time was written without a zone (ODF and some PDFs write local time): it is read as UTC and
   * may be off by up to 14 hours either way.
   */
  timesWithoutZone: boolean;
  /** How many times it was saved (OOXML cp:revision), when recorded. */
  revision: number | null;
  /** Template the document was made from (app.xml Template), when recorded. */
  template: string | null;
  /** What could not be read (damaged parts, limits reached): plain reasons. */
  problems: string[];
}

export interface ParsedMessage {
  headers: RawHeader[];
  from: Address[];
  sender: Address[];
  replyTo: Address[];
  to: Address[];
  cc: Address[];
  /** The Date header as written. */
  dateRaw: string | null;
  /** Date as Unix seconds, null when missing, unparseable or a date that cannot exist. */
  dateEpoch: number | null;
  /**
   * Why the Date as written cannot exist (31 February, a weekday that does not match), read
   * strictly by src/parse/mail-time.ts; null when it can. Absent in records stored before it existed.
   */
  dateProblem?: string | null;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  subject: string | null;
  listId: string | null;
  received: ReceivedHop[];
  /** X-Mailer, else User-Agent. */
  mailer: string | null;
  text: string | null;
  html: string | null;
  attachments: AttachmentInfo[];
  /** Problems met while parsing (the message is still kept): stable codes with a plain reason. */
  problems: { code: string; reason: string }[];
}

// ---------------------------------------------------------------- keys and verify

export type KeySourceKind = 'zone' | 'json' | 'archive' | 'dns';

/** A DKIM public key record as held by the key store. */
export interface KeyRecord {
  /** `selector._domainkey.domain`, lower-cased, no trailing dot. */
  name: string;
  domain: string;
  selector: string;
  /** The TXT record text (strings already joined). */
  value: string;
  sourceKind: KeySourceKind;
  /** Human-readable origin: file name, "archive:file", "dns". */
  source: string;
  /** Unix seconds; archive exports give first/last seen; null when unknown. */
  firstSeen: number | null;
  lastSeen: number | null;
  /** Unix seconds when fetched from live DNS; null otherwise. */
  fetchedAt: number | null;
  /** Simulated DNS outcome recorded in a key file (NXDOMAIN, TIMEOUT, SERVFAIL); null for a key. */
  dnsError: string | null;
}

export type DkimResult = 'pass' | 'fail' | 'neutral' | 'policy' | 'temperror' | 'permerror' | 'none';

/**
 * Why a signature that did not pass did not, in our words (the verifier's own words are `comment`):
 * - `expired`: x= had passed at the message time;
 * - `no-key`: the key store has no record for the selector (nor live DNS, when asked);
 * - `key-unusable`: the record exists but cannot be used (bad encoding, unknown type or version,
 *   not for e-mail, hash not allowed, key type not the signature's);
 * - `weak-algorithm`: rsa-sha1, refused before any crypto (RFC 8301);
 * - `from-not-signed`: h= leaves out From;
 * - `not-evaluated`: a resource limit (signature count, h= length);
 * - `syntax`: the signature header breaks RFC 6376 (tags, version, algorithm, canonicalization).
 */
export type SignatureProblem = 'expired' | 'no-key' | 'key-unusable' | 'weak-algorithm' | 'from-not-signed' | 'not-evaluated' | 'syntax';

export interface SignatureCheck {
  /** Position among the message's DKIM-Signature headers, 0 = topmost. */
  index: number;
  /** d= */
  domain: string;
  /** s= */
  selector: string;
  /** a=, e.g. rsa-sha256, ed25519-sha256, rsa-sha1 */
  algorithm: string;
  /** c=, e.g. relaxed/relaxed */
  canonicalization: string;
  /** v= as written (null when absent: a pre-standard signature). */
  version: string | null;
  /** i= */
  identity: string | null;
  /** h=, lower-cased, in order */
  signedHeaders: string[];
  /** l= (body length limit) or null */
  bodyLength: number | null;
  /** t= (Unix seconds) or null */
  signTime: number | null;
  /** x= (Unix seconds) or null */
  expiresAt: number | null;
  bodyHash: 'pass' | 'fail' | 'unknown';
  /**
   * The body hash the verifier computed over the canonical body, and the one bh= recorded (base64):
   * what `bodyHash` compared. Null when the verifier did not get that far (and for signatures stored
   * before these were kept).
   */
  bodyHashComputed: string | null;
  bodyHashExpected: string | null;
  /**
   * The signature over the signed headers (b=) checked on its own: after a body-hash mismatch it
   * tells an edited body (headers still verify) from a signature not made for this message.
   */
  headerSignature: 'pass' | 'fail' | 'unknown';
  /**
   * When the signature over the headers fails: whether a key the store holds for the selector made
   * it all the same ('yes': it was made over other header values, which changed) or none did ('no':
   * it was made with another key, one the selector had before or one never the domain's). RSA
   * only: 'unknown' otherwise, and whenever b= did not fail.
   */
  keyMade: 'yes' | 'no' | 'unknown';
  result: DkimResult;
  /** The verifier's own words on the result. */
  comment: string;
  /** What kept the signature from passing, when that is not a failed hash (null otherwise). */
  problem: SignatureProblem | null;
  keyType: string | null;
  keyBits: number | null;
  /** Key record used (name + source) or null when no key was found. */
  keyName: string;
  keySource: string | null;
  /** Key record revoked (empty p=). */
  keyRevoked: boolean;
  /** When the key record was observed (key-archive exports); null for undated records. */
  keyFirstSeen: number | null;
  keyLastSeen: number | null;
  /** The key store said "no such key" (NXDOMAIN-like) or a simulated DNS error. */
  keyError: string | null;
  /** d= equals, or is a parent/child of, the From domain (relaxed alignment). */
  aligned: boolean;
  /** Bytes of canonical body after the l= limit (not covered by the signature). */
  unsignedBodyBytes: number;
}

export interface ArcCheck {
  result: 'pass' | 'fail' | 'none';
  /** Number of ARC sets found. */
  instances: number;
  comment: string;
  /** For each set i=1..n, the domain/selector of its ARC-Seal. */
  seals: { instance: number; domain: string; selector: string; result: string }[];
}

export type AsOfSource = 'received' | 'dkim-t' | 'date' | 'import';

export interface Verification {
  /** Unix seconds: the time the message is verified as of. */
  asOf: number;
  asOfSource: AsOfSource;
  signatures: SignatureCheck[];
  arc: ArcCheck;
  /** Keys fetched from live DNS during this verification (only with --dns live). */
  fetchedKeys: KeyRecord[];
  /**
   * Which verifier read the signatures: leaktriage's own (well-formed DKIM without ARC), mailauth
   * (everything else), or null when there was nothing to verify or it was not evaluated.
   */
  verifiedBy?: 'own' | 'mailauth' | null;
  /**
   * For list mail whose signature broke: the list's usual additions that, once undone, make the
   * signature verify again (src/verify/list-undo.ts). Absent when nothing was tried.
   */
  listUndo?: ListUndo[];
  /**
   * For a broken signature no list undo explains: additions at the top that, once removed, make it
   * verify again: a tag at the start of the subject, whole lines at the top of the text and right
   * after the HTML's <body> (src/verify/mark-undo.ts). Absent when nothing was found.
   */
  markUndo?: MarkUndo[];
}

/**
 * Additions at the top of a message (the marks a receiving gateway puts on external mail, or a
 * forger's lines) without which a broken signature verifies again. What they are, the archive tells.
 */
export interface MarkUndo {
  /** The signature (SignatureCheck.index) that verifies once they are removed. */
  signature: number;
  /** The tag removed from the start of the subject ("[EXTERNAL]"), null when the subject was kept. */
  subjectTag: string | null;
  /**
   * When only the body hash could be checked (the signer's key unknown, or the store's key did not
   * make the signature): the tag at the very start of the subject in the shape a gateway writes it,
   * not tried, since the headers cannot be checked; the gateway's or the sender's, the message alone
   * does not tell. Null otherwise.
   */
  subjectTagUnchecked: string | null;
  /** On list mail, the list's own subject tag removed after it ("[team]"), as list-undo removes it; else null. */
  listTag: string | null;
  /** On list mail, the multipart wrapper the list put around the post undone too (list-undo.ts), the notice in its first part. */
  listWrapper: boolean;
  /**
   * pass: the signature verifies (body hash and b=) without the additions; unknown: its key is not
   * known, so only its body hash was checked, and it matches without the lines removed.
   */
  headerSignature: 'pass' | 'unknown';
  /** The lines removed at the top of the text (plain) part, as they are stored, cut to 2,000 characters. */
  textLines: string | null;
  /** How many lines that was (0 when none). */
  textLineCount: number;
  /** The lines removed after the HTML part's <body> (or at its top), as stored, cut to 2,000 characters. */
  htmlLines: string | null;
  htmlLineCount: number;
  /**
   * When the notice sat in a base64 part: the part was decoded, the lines taken out, and encoded
   * again in lines of this many characters (as the sender's program had them); null otherwise.
   * The removed lines are then given decoded.
   */
  reencodedWidth: number | null;
}

/** A mailing list's additions undone so that a signature verifies over the author's text again. */
export interface ListUndo {
  /** The signature (SignatureCheck.index) that verifies once they are undone. */
  signature: number;
  /**
   * undone: the signature was broken and verifies again without the list's additions;
   * footer-after-limit: it verifies, and what follows its l= limit is the list's own footer.
   */
  kind: 'undone' | 'footer-after-limit';
  /** What was undone, in words: "a footer of 4 lines", "a trailing MIME part", "the subject tag [team]". */
  undone: string[];
  /** The text the list added (the removed footer or part), cut to a few hundred characters. */
  removed: string;
  /** b= over the signed headers once the subject tag is undone (unknown: not tried or no key). */
  headerSignature: 'pass' | 'fail' | 'unknown';
}

// ---------------------------------------------------------------- checks and verdict

/** Facts from outside the message that checks may use: given to them, never fetched by them. */
export interface CheckContext {
  /** Domains with keys in the key store, with the earliest first-seen time known (null: undated). */
  signingDomains: ReadonlyMap<string, number | null>;
}

export interface CheckInput {
  parsed: ParsedMessage;
  verification: Verification;
  /** Absent in unit tests of checks that do not need it. */
  context?: CheckContext;
}

export interface CodeDoc {
  severity: Severity;
  meaning: string;
}

/** One per-message check: pure, no I/O, never decides a verdict. */
export interface MessageCheck {
  /** The check id, equal to its file name without extension. */
  id: string;
  title: string;
  /** Every code this check can emit, with its meaning (docs/checks.md is kept equal to these). */
  codes: Record<string, CodeDoc>;
  run(input: CheckInput): Finding[];
}

export interface Verdict {
  verdict: VerdictName;
  /** One plain-language sentence. */
  summary: string;
  /** The codes of the findings that decided it, most important first. */
  reasons: string[];
}

/** Everything the pipeline learned about one message: what the store keeps. */
export interface AnalysedMessage {
  sha256: string;
  bytes: Buffer;
  parsed: ParsedMessage;
  verification: Verification;
  findings: Finding[];
  verdict: Verdict;
  /** Which parser read the body (our MIME walk, or mailparser for what it declines): for the benchmark's counts. */
  bodyParser?: 'walk' | 'mailparser' | 'none';
  /**
   * What the archive-wide checks need of this message, computed once at analysis
   * (src/checks/message-facts.ts). Absent where a message was stored without it: the archive pass
   * then computes it from the stored record.
   */
  facts?: MessageFacts;
}

/**
 * What the store needs of a parsed message (src/store/stored-structure.ts): all of it but the header
 * list and each Received hop's raw text, which the message's bytes, stored beside it, already hold.
 * An analysis worker hands this to the main thread instead of the whole parse.
 */
export type StorableParsed = Omit<ParsedMessage, 'headers' | 'received'> & { received: Omit<ReceivedHop, 'raw'>[] };

/** An analysis as the store takes it: a whole `AnalysedMessage` is one too. */
export type StorableAnalysis = Omit<AnalysedMessage, 'parsed'> & { parsed: StorableParsed };

/** What the parser recorded of a message's structure, whole (the bodies are kept apart). */
export type ParsedStructure = Omit<ParsedMessage, 'text' | 'html'>;

/**
 * A message's decoded HTML as the store hands it out (src/store/stored-html.ts): the HTML itself
 * where it is stored, else the message's bytes to read it again from (src/parse/parse-message.ts
 * storedHtmlText), or null when the message has none.
 */
export type StoredHtml = { html: string } | { bytes: Buffer } | null;

/**
 * A message's structure as the store hands it out: without the header list and the hops' text,
 * which src/parse/stored-headers.ts reads again from the bytes; records stored before that change
 * still carry them.
 */
export type StoredStructure = Omit<ParsedStructure, 'headers' | 'received'> & {
  headers?: RawHeader[];
  received: (Omit<ReceivedHop, 'raw'> & { raw?: string })[];
};

// ---------------------------------------------------------------- archive facts

/** An Authentication-Results (or ARC-Authentication-Results) header, as the archive compares it. */
export interface AuthResultsFact {
  kind: 'ar' | 'aar';
  /** i= of an ARC-Authentication-Results header; null for a plain one. */
  instance: number | null;
  /** The authserv-id, lower case; null when the header has none (Exchange Online writes none). */
  authservId: string | null;
  /** Organisational domains of the `by` hosts of the Received hops just above and below the header. */
  hopAbove: string | null;
  hopBelow: string | null;
  /** Received headers above this header (0: it is above every hop). */
  hopsAbove: number;
  /** method=result pairs with the domain each is about (header.d / header.i / header.from / smtp.mailfrom). */
  results: { method: string; result: string; domain: string | null }[];
}

/** A time a platform embeds in an identifier (Message-ID, MIME boundary, Outlook Thread-Index). */
export interface EmbeddedTime {
  source: 'message-id' | 'boundary' | 'thread-index';
  /** How the time was read: the shape of the identifier and the encoding, e.g. "yyyymmddhhmmss". */
  format: string;
  /** Unix seconds; when `modulo` is set, only known modulo that many seconds (a clock's low bits). */
  epoch: number;
  modulo?: number;
}

/** How a message was made and sent, part by part, for sender and platform profiles. */
export interface Fingerprint {
  /** X-Mailer or User-Agent with version numbers folded ("Microsoft Outlook #"); '' when none. */
  mailer: string;
  /** The Message-ID's left part as a shape (runs of digits, hex, letters with their lengths). */
  idShape: string;
  /** Organisational domain of the Message-ID's right part. */
  idDomain: string;
  /** Shape of the top-level MIME boundary; '' for a single-part message. */
  boundaryShape: string;
  /** The top-level Content-Type's type/subtype and the structure of parts, e.g. "alternative(plain,html)". */
  mimeTree: string;
  /** Order of the headers every message of a mail program carries (From, To, Subject, Date, Message-ID, MIME-Version, Content-Type). */
  headerOrder: string;
  /** The zone the Date header is written in, e.g. "+0200"; '' when unknown. */
  dateZone: string;
  /** The first hop: organisational domain of its `by` host and its `with` protocol, e.g. "example.org/ESMTPSA". */
  firstHop: string;
}

/**
 * Compact facts about one message for the archive checks (profiles, copies, threads, roles). Every
 * list keeps at most MAX_FACT_ENTRIES entries of at most MAX_FACT_CHARS characters (checks/message-facts.ts).
 */
export interface MessageFacts {
  /** Bumped when what is collected changes: older facts are computed again. */
  version: number;
  /** The verdict from the message's own findings, before any archive check. */
  selfVerdict: VerdictName;
  /** Codes of the message's own weak and strong findings, before any archive check. */
  selfFlags: string[];
  /** Addresses the message was delivered to (Delivered-To, X-Original-To, Envelope-To), lower case. */
  deliveredTo: string[];
  /** From address, lower case ('' when none). */
  from: string;
  /** To and Cc addresses, lower case, sorted, unique: the first MAX_FACT_ENTRIES of them (checks/message-facts.ts). */
  recipients: string[];
  /** How many To and Cc addresses the message names (unique), whether or not all are in `recipients`. */
  recipientCount: number;
  /** Hash of the whole sorted list (hashText; '' when none): copies compare their recipients by it. */
  recipientsKey: string;
  /** Received headers, and those among them a receiving server wrote (not a logged-in submission). */
  hops: number;
  receivingHops: number;
  /** Organisational domain of each hop's `by` host, first hop (bottom) to last (top). */
  route: string[];
  /** List-Id or other List-* headers are present. */
  list: boolean;
  /** Folder labels a webmail export writes into each message (Gmail's X-Gmail-Labels: "Sent", "Inbox", …). */
  labels: string[];
  /** Content hashes as a reader sees it (normalised text, the text of the HTML, attachments). */
  content: { subject: string; text: string; html: string; attachments: string };
  authResults: AuthResultsFact[];
  fingerprint: Fingerprint;
  embeddedTimes: EmbeddedTime[];
  /** References and In-Reply-To ids, oldest first. */
  references: string[];
  /** Subject without reply/forward prefixes and list tags, lower case. */
  threadSubject: string;
  /** Hashes of word 4-grams (base64 of 32-bit values): of the text quoted from the parent, and of the whole text. */
  quoteGrams: string;
  textGrams: string;
  /**
   * Additions at the top without which a broken signature verifies (Verification.markUndo), one per
   * such signature, as keys the archive counts: the signer's organisation, the subject tag, hashes of
   * the removed text and HTML lines as a reader sees them ('' when none), and those forms themselves.
   */
  marks: MarkFact[];
  /**
   * Every signature of the message that failed over changed bytes is one of `marks`, or, on list
   * mail, broken by the list whose own signature is one of them (marksListVouched).
   */
  marksCoverAll: boolean;
  /**
   * Each of `marks` was checked with a key of the signer that made the signature, its signature over
   * the headers included (MarkUndo.headerSignature 'pass'), not its body hash alone: the signer's key
   * signed the message as it stood without them. False without marks.
   */
  marksVerified: boolean;
  /**
   * The subject's leading tag that the undo of its marks could not try (MarkUndo.subjectTagUnchecked),
   * '' when none: compared as the gateway's between copies of a message whose marks the archive
   * confirms, never counted as a mark.
   */
  marksUncheckedTag: string;
  /** The list's organisation, when its signature under the marks vouches for an author signature it broke. */
  marksListVouched: string | null;
}

/** One signature's additions at the top, as the archive compares them across messages. */
export interface MarkFact {
  signer: string;
  tag: string;
  text: string;
  html: string;
  /**
   * The removed text lines and HTML lines as a reader sees them (whitespace folded; the HTML's text),
   * at most MARK_NOTICE_CHARS characters ('' when none): what copies are compared against and the
   * archive's finding quotes.
   */
  textNotice: string;
  htmlNotice: string;
}

/** The role of a copy in the mailbox it was found in. */
export type MailboxRole = 'sent' | 'inbox' | 'other';

/** Where one copy of a message sits: its mailbox (folder, mbox or maildir) and its role there. */
export interface CopyPlace {
  /** The mailbox's key: the folder, mbox file or maildir path as imported. */
  mailbox: string;
  /** The account (a person's folder) the mailbox belongs to. */
  account: string;
  role: MailboxRole;
  /**
   * A maildir file whose name gives its size (`S=`, as Dovecot and Courier name what they deliver):
   * its name, that size, the size with CRLF line breaks that Dovecot also writes (`W=`, null
   * without), and the bytes the file holds.
   */
  file?: { name: string; namedSize: number; namedCrlfSize: number | null; bytes: number };
}

/** What the archive checks see of one DKIM signature. */
export interface SignatureSummary {
  index: number;
  domain: string;
  selector: string;
  algorithm: string;
  keyType: string | null;
  keyBits: number | null;
  result: DkimResult;
  aligned: boolean;
  bodyHash: 'pass' | 'fail' | 'unknown';
  /** SignatureCheck.keyMade. */
  keyMade: 'yes' | 'no' | 'unknown';
  signedHeaders: string[];
  /** When a key archive saw the key record used (null: undated or no key). */
  keyFirstSeen: number | null;
  keyLastSeen: number | null;
}

/** What the archive-wide checks see of one stored message. */
export interface ArchiveRecord {
  sha256: string;
  messageId: string | null;
  subject: string | null;
  fromDomain: string | null;
  dateHeader: string | null;
  dateEpoch: number | null;
  /** The time the message was verified as of (top Received hop, else t=, else Date). */
  asOf: number;
  listId: string | null;
  inReplyTo: string | null;
  facts: MessageFacts;
  signatures: SignatureSummary[];
  /** Every place the bytes were found (one message may sit in several mailboxes). */
  places: CopyPlace[];
}

/** One document attached to one stored message, as the archive-wide document checks see it. */
export interface DocumentFact {
  messageSha256: string;
  /** The carrying message's Date (Unix seconds), null when missing or unreadable. */
  messageDate: number | null;
  /** The carrying message's From address and domain (lower-cased), null when it has none. */
  sender: string | null;
  senderDomain: string | null;
  attachmentIndex: number;
  filename: string | null;
  /** SHA-256 of the decoded attachment: the same file attached to several messages is one document. */
  contentSha256: string;
  document: DocumentMetadata;
}

/** Someone the archive knows: a From name and address, or a recipient address, with how often seen. */
export interface ArchivePerson {
  name: string | null;
  address: string;
  messages: number;
}

/** An archive-wide check: pure, over messages the pipeline reads from the store for it. */
export interface ArchiveCheck<T> {
  id: string;
  title: string;
  codes: Record<string, CodeDoc>;
  /** Findings per message sha256. */
  run(input: T): Map<string, Finding[]>;
}
