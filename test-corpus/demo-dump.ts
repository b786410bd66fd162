// Lays the demo messages out as a leaked dump would arrive: a folder of .eml files, an mbox called
// `inbox`, a maildir, a zip, plus a non-mail file and an empty file that the import must record.
import { createHash } from 'node:crypto';
import { buildDemoMessages, type DemoMessage } from './demo-messages.ts';
import { CRLF, formatAsctime, seededHex } from './message-text.ts';
import { writeZip } from './zip-writer.ts';

export interface DemoExpected {
  /** Path inside the demo dump; `inbox#N` = mbox member starting at byte N (after its `From ` line); `archive.zip/E` = zip entry E. */
  path: string;
  sha256: string;
  description: string;
  verdict: string;
  codes: readonly string[];
}

export interface DemoDump {
  files: Map<string, Buffer>;
  /** Directories that exist empty (git does not keep them): Maildir/tmp. */
  emptyDirs: string[];
  expected: { messages: DemoExpected[]; badInputs: { path: string; expect: string }[] };
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** The time the message reached the mailbox: the date of its topmost Received field. */
function deliveredAt(text: string): Date {
  const received = /^Received:((?:.*)(?:\r\n[ \t].*)*)/m.exec(text);
  const at = received ? new Date(received[1]!.slice(received[1]!.lastIndexOf(';') + 1).trim()) : new Date(NaN);
  if (Number.isNaN(at.getTime())) throw new Error('demo message without a dated Received field');
  return at;
}

const envelopeSender = (text: string): string => /^Return-Path: <([^>]*)>/m.exec(text)?.[1] ?? 'MAILER-DAEMON';

/** An mbox of exact message bytes separated by `From ` lines, CRLF throughout (mboxo: no quoting needed). */
function writeMbox(members: DemoMessage[], expected: DemoExpected[]): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (const member of members) {
    // A body line starting with "From " would need >From quoting, which changes the signed bytes.
    if (/\r\nFrom /.test(member.text)) throw new Error(`${member.name} has a line starting with "From "`);
    const separator = Buffer.from(`From ${envelopeSender(member.text)} ${formatAsctime(deliveredAt(member.text))}${CRLF}`, 'latin1');
    const bytes = Buffer.from(member.text, 'latin1');
    offset += separator.length;
    expected.push(entry(`inbox#${offset}`, bytes, member));
    const blank = Buffer.from(CRLF, 'latin1');
    parts.push(separator, bytes, blank);
    offset += bytes.length + blank.length;
  }
  return Buffer.concat(parts);
}

function entry(path: string, bytes: Buffer, message: DemoMessage): DemoExpected {
  return { path, sha256: sha256(bytes), description: message.description, verdict: message.verdict, codes: message.codes };
}

/** Maildir name: time.M<usec>P<pid>.host,S=<size>[:2,<flags>] (the Dovecot convention). */
function maildirName(message: DemoMessage, size: number, seen: boolean): string {
  const at = deliveredAt(message.text);
  const usec = parseInt(seededHex(`${message.name}/usec`, 5), 16) % 1_000_000;
  const pid = 1000 + (parseInt(seededHex(`${message.name}/pid`, 4), 16) % 30_000);
  return `${at.getTime() / 1000}.M${usec}P${pid}.imap.campaign.example,S=${size}${seen ? ':2,S' : ''}`;
}

/** Not mail: JPEG magic bytes, then noise. The import should skip it, and say so. */
function junkJpeg(): Buffer {
  const noise = Buffer.from(seededHex('demo/junk.jpg', 4096), 'hex');
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]), noise]);
}

export async function buildDemoDump(): Promise<DemoDump> {
  const messages = await buildDemoMessages();
  const byTime = [...messages].sort((a, b) => deliveredAt(a.text).getTime() - deliveredAt(b.text).getTime());
  const inPlace = (place: DemoMessage['places'][number]): DemoMessage[] => byTime.filter((m) => m.places.includes(place));
  const files = new Map<string, Buffer>();
  const expected: DemoExpected[] = [];

  for (const m of inPlace('eml')) {
    const bytes = Buffer.from(m.text, 'latin1');
    files.set(`eml/${m.name}`, bytes);
    expected.push(entry(`eml/${m.name}`, bytes, m));
  }
  files.set('inbox', writeMbox(inPlace('mbox'), expected));
  for (const folder of ['cur', 'new'] as const) {
    for (const m of inPlace(folder)) {
      const bytes = Buffer.from(m.text, 'latin1');
      const path = `Maildir/${folder}/${maildirName(m, bytes.length, folder === 'cur')}`;
      files.set(path, bytes);
      expected.push(entry(path, bytes, m));
    }
  }
  const zipped = inPlace('zip').map((m) => {
    const bytes = Buffer.from(m.text, 'latin1');
    const name = `export/${m.name}`;
    expected.push(entry(`archive.zip/${name}`, bytes, m));
    return { name, data: bytes, modifiedAt: deliveredAt(m.text) };
  });
  files.set('archive.zip', writeZip(zipped));

  files.set('photos/IMG_2041.jpg', junkJpeg());
  files.set('eml/unsent-draft.eml', Buffer.alloc(0));
  const badInputs = [
    { path: 'photos/IMG_2041.jpg', expect: 'not mail (JPEG magic, then noise): skipped or failed with a recorded reason' },
    { path: 'eml/unsent-draft.eml', expect: 'empty file: recorded as a failure (e.g. input/empty)' },
  ];
  return { files, emptyDirs: ['Maildir/tmp'], expected: { messages: expected, badInputs } };
}
