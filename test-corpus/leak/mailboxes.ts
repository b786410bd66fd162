// Writes the leaked mailboxes as their programs store them: Dovecot maildirs (Maildir++ folders,
// LF line ends, uidlist files), Thunderbird local folders (mbox with X-Mozilla-Status, .msf
// indexes), a Takeout mbox (X-GM-THRID, X-Gmail-Labels), Outlook-style .eml trees named by subject
// (one of them zipped), and a Thunderbird export tree on Linux. Returns every message's path as
// leaktriage prints it (`#offset` for mbox members, `!/` inside the zip) and its exact bytes.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeZip, type ZipEntry } from '../zip-writer.ts';
import { buildTar, type TarEntrySpec } from '../tar-writer.ts';
import { formatAsctime, pad } from './clock.ts';
import { serialize } from './mime.ts';
import type { Copy, Folder } from './post-office.ts';
import type { Random } from './random.ts';
import { MAILBOXES, type MailboxSpec } from './world.ts';

export interface StoredMessage {
  path: string;
  sha256: string;
  bytes: Buffer;
  copy: Copy;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function folderName(mailbox: MailboxSpec, folder: Folder): string {
  const name = mailbox.folders[folder];
  return name ?? mailbox.folders.inbox;
}

/** Windows file names from a subject, as Outlook's drag-and-drop export writes them. */
function outlookFileName(subject: string): string {
  const clean = subject
    .replace(/[:]/g, '_')
    .replace(/[\\/*?"<>|\r\n\t]/g, '')
    .trim()
    .slice(0, 120)
    .replace(/[. ]+$/, '');
  return clean || '(no subject)';
}

function uniqueName(used: Set<string>, base: string, ext: string): string {
  let name = `${base}${ext}`;
  for (let i = 2; used.has(name.toLowerCase()); i++) name = `${base} (${i})${ext}`;
  used.add(name.toLowerCase());
  return name;
}

const lf = (text: string): string => text.replace(/\r\n/g, '\n');

/** mbox writers quote body lines that look like a From_ line; ours never write one, and must not need to. */
function assertNoFromLines(bytes: string, where: string): void {
  if (/\r?\nFrom /.test(bytes)) throw new Error(`a message for ${where} has a line starting with "From ": it would need >From quoting`);
}

export function writeMailboxes(dumpDir: string, copies: readonly Copy[], rng: Random): StoredMessage[] {
  const out: StoredMessage[] = [];
  for (const mailbox of MAILBOXES) {
    const mine = copies.filter((c) => c.mailbox === mailbox && !c.removed).sort((a, b) => a.at - b.at || a.serial - b.serial);
    switch (mailbox.format) {
      case 'maildir':
        out.push(...writeMaildir(dumpDir, mailbox, mine, rng));
        break;
      case 'thunderbird-mbox':
        out.push(...writeThunderbirdMbox(dumpDir, mailbox, mine));
        break;
      case 'takeout':
        out.push(...writeTakeout(dumpDir, mailbox, mine, rng));
        break;
      case 'apple-mbox':
        out.push(...writeAppleMbox(dumpDir, mailbox, mine));
        break;
      case 'outlook-eml':
      case 'eml-tree':
        out.push(...writeEmlTree(dumpDir, mailbox, mine));
        break;
    }
  }
  return out;
}

/**
 * A maildir's files: on disk under dump/, or gathered into a tar that is written gzip-compressed
 * (MailboxSpec.tarGz), each path then as leaktriage prints it (`a.tar.gz!/a.tar!/maildir/...`).
 */
class MaildirFiles {
  private readonly entries: TarEntrySpec[] = [];
  private readonly dumpDir: string;
  private readonly tarGz: string | undefined;
  constructor(dumpDir: string, tarGz: string | undefined) {
    this.dumpDir = dumpDir;
    this.tarGz = tarGz;
  }
  folder(rel: string): void {
    if (this.tarGz) this.entries.push({ name: `${rel}/`, type: 'directory' });
    else mkdirSync(join(this.dumpDir, rel), { recursive: true });
  }
  /** Writes a file; returns its path as leaktriage prints it. */
  file(rel: string, data: Buffer | string, at?: number): string {
    if (!this.tarGz) {
      mkdirSync(dirname(join(this.dumpDir, rel)), { recursive: true });
      writeFileSync(join(this.dumpDir, rel), data);
      return rel;
    }
    this.entries.push({ name: rel, data, ...(at === undefined ? {} : { modifiedAt: new Date(at) }) });
    return `${this.tarGz}!/${basename(this.tarGz).replace(/\.gz$/, '')}!/${rel}`;
  }
  end(): void {
    if (this.tarGz) writeFileSync(join(this.dumpDir, this.tarGz), gzipSync(buildTar(this.entries)));
  }
}

function writeMaildir(dumpDir: string, mailbox: MailboxSpec, copies: Copy[], rng: Random): StoredMessage[] {
  const out: StoredMessage[] = [];
  const folders = new Map<string, string[]>();
  const pid = rng.int(1200, 64000);
  const files = new MaildirFiles(dumpDir, mailbox.tarGz);
  const compressedSince = mailbox.compressedSince ? Date.parse(mailbox.compressedSince) : Infinity;
  for (const copy of copies) {
    const folder = folderName(mailbox, copy.folder);
    // Dovecot stores messages with LF line ends; S= is the file size, W= the size with CRLF, of the
    // message as delivered (a forger who edited the file in place kept its name: Copy.namedAfter).
    const crlfText = serialize(copy.message);
    const bytes = Buffer.from(lf(crlfText), 'latin1');
    const namedText = copy.namedAfter ? serialize(copy.namedAfter.message) : crlfText;
    const seconds = Math.floor((copy.namedAfter?.at ?? copy.at) / 1000);
    const usec = rng.int(0, 999999);
    const unseen = copy.role === 'inbox' && !copy.seen;
    const flags = copy.role === 'draft' ? 'DS' : copy.role === 'sent' ? 'S' : rng.chance(0.2) ? 'RS' : 'S';
    const base = `${seconds}.M${usec}P${pid}.mail,S=${Buffer.byteLength(lf(namedText), 'latin1')},W=${namedText.length}`;
    const name = unseen ? base : `${base}:2,${flags}`;
    const sub = unseen ? 'new' : 'cur';
    const rel = join(mailbox.root, folder, sub, name);
    // Dovecot's zlib plugin compresses what it saves from the day it is turned on; the name stays.
    const compressed = seconds * 1000 >= compressedSince;
    const path = files.file(rel, compressed ? gzipSync(bytes) : bytes, seconds * 1000);
    folders.set(folder, [...(folders.get(folder) ?? []), name]);
    out.push({ path: compressed ? `${path}!/${name}` : path, sha256: sha256(bytes), bytes, copy });
  }
  for (const folder of new Set([...Object.values(mailbox.folders).filter((f): f is string => f !== undefined), ...folders.keys()])) {
    for (const sub of ['cur', 'new', 'tmp']) files.folder(join(mailbox.root, folder, sub));
    const names = folders.get(folder) ?? [];
    const uidlist = [
      `3 V${1680000000 + names.length} N${names.length + 1} G${rng.hex(32)}`,
      ...names.map((n, i) => `${i + 1} :${n.replace(/:2,.*$/, '')}`),
    ];
    files.file(join(mailbox.root, folder, 'dovecot-uidlist'), `${uidlist.join('\n')}\n`);
    if (folder !== '') files.file(join(mailbox.root, folder, 'maildirfolder'), '');
  }
  files.file(
    join(mailbox.root, 'subscriptions'),
    `V\t2\n\n${Object.values(mailbox.folders)
      .filter((f): f is string => !!f)
      .map((f) => f.slice(1))
      .join('\n')}\n`,
  );
  files.end();
  return out;
}

function writeThunderbirdMbox(dumpDir: string, mailbox: MailboxSpec, copies: Copy[]): StoredMessage[] {
  const out: StoredMessage[] = [];
  const files = new Map<string, Buffer[]>();
  const offsets = new Map<string, number>();
  for (const copy of copies) {
    const file = folderName(mailbox, copy.folder);
    const status = copy.role === 'draft' ? '0000' : copy.seen || copy.role === 'sent' ? '0001' : '0000';
    const prefix = `X-Mozilla-Status: ${status}\r\nX-Mozilla-Status2: 00000000\r\nX-Mozilla-Keys:${' '.repeat(81)}\r\n`;
    const message = prefix + serialize(copy.message);
    assertNoFromLines(message, mailbox.root);
    const fromLine = `From - ${formatAsctime(copy.at)}\r\n`;
    const start = (offsets.get(file) ?? 0) + Buffer.byteLength(fromLine, 'latin1');
    const bytes = Buffer.from(message, 'latin1');
    const chunk = Buffer.concat([Buffer.from(fromLine, 'latin1'), bytes, Buffer.from('\r\n', 'latin1')]);
    files.set(file, [...(files.get(file) ?? []), chunk]);
    offsets.set(file, (offsets.get(file) ?? 0) + chunk.length);
    out.push({ path: `${join(mailbox.root, file)}#${start}`, sha256: sha256(bytes), bytes, copy });
  }
  for (const file of new Set([...Object.values(mailbox.folders).filter((f): f is string => f !== undefined), ...files.keys()])) {
    const path = join(dumpDir, mailbox.root, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, Buffer.concat(files.get(file) ?? []));
    writeFileSync(
      `${path}.msf`,
      '// <!-- <mdb:mork:z v="1.4"/> -->\r\n< <(a=c)> // (f=iso-8859-1)\r\n  (B8=ns:msg:db:row:scope:msgs:all)>\r\n',
    );
  }
  return out;
}

function writeTakeout(dumpDir: string, mailbox: MailboxSpec, copies: Copy[], rng: Random): StoredMessage[] {
  const out: StoredMessage[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  const threads = new Map<number, string>();
  for (const copy of copies) {
    const gmailId = (BigInt(copy.at) * 1048576n + BigInt(rng.int(0, 1048575))).toString();
    const threadKey = copy.letter.thread ?? copy.letter.serial;
    const thrid = threads.get(threadKey) ?? gmailId;
    threads.set(threadKey, thrid);
    const labels =
      copy.role === 'sent'
        ? 'Sent'
        : [
            copy.folder === 'trash' ? 'Trash' : 'Inbox',
            copy.seen ? 'Opened' : 'Unread',
            copy.letter.kind === 'newsletter' ? 'Category Updates' : 'Category Personal',
          ].join(',');
    const message = `X-GM-THRID: ${thrid}\r\nX-Gmail-Labels: ${labels}\r\n${serialize(copy.message)}`;
    assertNoFromLines(message, mailbox.root);
    const d = new Date(copy.at);
    const fromLine = `From ${gmailId}@xxx ${formatAsctime(copy.at).slice(0, 19)} +0000 ${d.getUTCFullYear()}\r\n`;
    const start = offset + Buffer.byteLength(fromLine, 'latin1');
    const bytes = Buffer.from(message, 'latin1');
    const chunk = Buffer.concat([Buffer.from(fromLine, 'latin1'), bytes, Buffer.from('\r\n', 'latin1')]);
    chunks.push(chunk);
    offset += chunk.length;
    out.push({ path: `${mailbox.root}#${start}`, sha256: sha256(bytes), bytes, copy });
  }
  const path = join(dumpDir, mailbox.root);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, Buffer.concat(chunks));
  return out;
}

/** Apple Mail's export: `Folder.mbox/mbox` (LF, `From ???@???` lines) and an Info.plist beside it. */
function writeAppleMbox(dumpDir: string, mailbox: MailboxSpec, copies: Copy[]): StoredMessage[] {
  const out: StoredMessage[] = [];
  const files = new Map<string, Buffer[]>();
  const offsets = new Map<string, number>();
  for (const copy of copies) {
    const folder = folderName(mailbox, copy.folder);
    const message = lf(serialize(copy.message));
    assertNoFromLines(message, mailbox.root);
    const fromLine = `From ???@??? ${formatAsctime(copy.at)}\n`;
    const start = (offsets.get(folder) ?? 0) + fromLine.length;
    const bytes = Buffer.from(message, 'latin1');
    const chunk = Buffer.concat([Buffer.from(fromLine, 'latin1'), bytes, Buffer.from('\n', 'latin1')]);
    files.set(folder, [...(files.get(folder) ?? []), chunk]);
    offsets.set(folder, (offsets.get(folder) ?? 0) + chunk.length);
    out.push({ path: `${join(mailbox.root, folder, 'mbox')}#${start}`, sha256: sha256(bytes), bytes, copy });
  }
  for (const [folder, chunks] of files) {
    const dir = join(dumpDir, mailbox.root, folder);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'mbox'), Buffer.concat(chunks));
    writeFileSync(
      join(dir, 'Info.plist'),
      `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n<dict>\n\t<key>LocalFileSystemPath</key>\n\t<string>${folder.replace(/\.mbox$/, '')}</string>\n</dict>\n</plist>\n`,
    );
  }
  return out;
}

function writeEmlTree(dumpDir: string, mailbox: MailboxSpec, copies: Copy[]): StoredMessage[] {
  const out: StoredMessage[] = [];
  const used = new Map<string, Set<string>>();
  const entries: ZipEntry[] = [];
  for (const copy of copies) {
    const folder = folderName(mailbox, copy.folder);
    const names = used.get(folder) ?? new Set<string>();
    used.set(folder, names);
    let base: string;
    if (mailbox.format === 'eml-tree') {
      // ImportExportTools-style names on a Linux desktop: date, sender, subject.
      const d = new Date(copy.at);
      const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;
      base = `${stamp}-${(copy.letter.from.name ?? copy.letter.from.address).replace(/[/\\:*?"<>|]/g, '_')}-${outlookFileName(copy.letter.subject).slice(0, 60)}`;
    } else {
      base = outlookFileName(copy.role === 'inbox' ? subjectAsReceived(copy) : copy.letter.subject);
    }
    const name = uniqueName(names, base, '.eml');
    const text = serialize(copy.message);
    const bytes = Buffer.from(mailbox.format === 'eml-tree' ? lf(text) : text, 'latin1');
    const rel = join(mailbox.root, folder, name);
    if (mailbox.zip) {
      entries.push({ name: rel.normalize('NFC'), data: bytes, modifiedAt: new Date(copy.at) });
      out.push({ path: `${mailbox.zip}!/${rel.normalize('NFC')}`, sha256: sha256(bytes), bytes, copy });
    } else {
      mkdirSync(join(dumpDir, mailbox.root, folder), { recursive: true });
      writeFileSync(join(dumpDir, rel), bytes);
      out.push({ path: rel, sha256: sha256(bytes), bytes, copy });
    }
  }
  if (mailbox.zip) writeFileSync(join(dumpDir, mailbox.zip), writeZip(entries));
  return out;
}

/** The subject as the mailbox shows it (a list's tag included). */
function subjectAsReceived(copy: Copy): string {
  const field = copy.message.fields.find((f) => /^subject:/i.test(f));
  if (!field) return copy.letter.subject;
  const raw = field
    .slice(8)
    .replace(/\r\n[ \t]/g, ' ')
    .trim();
  return /=\?/.test(raw) ? copy.letter.subject : raw;
}
