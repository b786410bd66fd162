// A small realistic dump for archive tests: messages composed as a mail program writes them,
// signed on the way out with the test corpus's keys (mailauth's signer), delivered with the hops and
// Delivered-To a receiving server adds, and written into per-person mailbox folders.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { readPrivateKey } from '../../test-corpus/key-list.ts';
import { openDatabase } from '../../src/store/database.ts';
import type { Db } from '../../src/store/database.ts';
import { insertKeys } from '../../src/store/keys-repo.ts';
import { readKeyFile } from '../../src/verify/key-files.ts';
import { importPaths } from '../../src/pipeline/run-import.ts';

export interface Letter {
  from: string;
  to: string[];
  cc?: string[];
  subject: string;
  date: Date;
  messageId: string;
  body: string;
  inReplyTo?: string;
  /** Headers the mail program adds (X-Mailer, List-Id, ...). */
  extra?: string[];
}

/** RFC 5322 date as mail programs write it, in UTC. */
export function mailDate(d: Date): string {
  return d.toUTCString().replace(/GMT$/, '+0000');
}

/** The message as the sender's program writes it (what the Sent folder keeps). */
export function compose(l: Letter): string {
  const headers = [
    `From: ${l.from}`,
    `To: ${l.to.join(', ')}`,
    ...(l.cc?.length ? [`Cc: ${l.cc.join(', ')}`] : []),
    `Subject: ${l.subject}`,
    `Date: ${mailDate(l.date)}`,
    `Message-ID: ${l.messageId}`,
    ...(l.inReplyTo ? [`In-Reply-To: ${l.inReplyTo}`, `References: ${l.inReplyTo}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    ...(l.extra ?? []),
  ];
  return `${headers.join('\r\n')}\r\n\r\n${l.body.replace(/\r?\n/g, '\r\n')}`;
}

/** The outgoing server's DKIM signature prepended (test keys of test-corpus/keys). */
export async function sign(message: string, domain: string, selector: string, at: Date, maxBodyLength?: number): Promise<string> {
  return signWithKey(message, domain, selector, at, readPrivateKey(domain, selector), maxBodyLength);
}

/** As sign, with this private key (PEM) instead of the test corpus's key of the selector. */
export async function signWithKey(
  message: string,
  domain: string,
  selector: string,
  at: Date,
  privateKey: string,
  maxBodyLength?: number,
): Promise<string> {
  const r = (await dkimSign(message, {
    signTime: at,
    signatureData: [
      {
        signingDomain: domain,
        selector,
        privateKey,
        canonicalization: 'relaxed/relaxed',
        ...(maxBodyLength === undefined ? {} : { maxBodyLength }),
      },
    ],
  } as unknown as Parameters<typeof dkimSign>[1])) as { signatures: string; errors: unknown[] };
  if (r.errors.length) throw new Error(`signing failed: ${JSON.stringify(r.errors)}`);
  return r.signatures + message;
}

/** What the receiving server adds on top: its Received hop and the address it delivered to. */
export function deliver(message: string, to: string, by: string, at: Date, from = 'out.sender.example'): string {
  return `Delivered-To: ${to}\r\nReceived: from ${from} by ${by} with ESMTPS id q${at.getTime().toString(36)}; ${mailDate(at)}\r\n${message}`;
}

/** Writes files (relative path -> content) under root. */
export function writeDump(root: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content, 'latin1');
  }
}

/**
 * Writes the files as a dump under `dump`, imports it for real into a new database `dbFile` with the
 * test corpus's keys (no worker threads, as of `now`, Unix seconds) and returns the open database.
 */
async function importDump(dump: string, files: Record<string, string>, dbFile: string, now: number): Promise<Db> {
  writeDump(dump, files);
  const db = openDatabase(dbFile);
  const zone = resolve(import.meta.dirname, '../../test-corpus/keys/corpus.zone');
  insertKeys(db, readKeyFile(readFileSync(zone, 'utf8'), 'corpus.zone').records);
  await importPaths(db, [dump], { workers: 0, now });
  return db;
}

/** The verdict of the message stored from `path`: its name, reason codes and summary. */
export interface StoredVerdict {
  verdict: string;
  reasons: string[];
  summary: string;
}

/** The verdict, reason codes and summary of the message stored from `path`. */
function verdictAt(db: Db, path: string): StoredVerdict {
  const r = db
    .prepare('SELECT m.verdict, m.reasons, m.summary FROM messages m JOIN sources s ON s.sha256 = m.sha256 WHERE s.path = ?')
    .get(path) as { verdict: string; reasons: string; summary: string };
  return { verdict: r.verdict, reasons: r.reasons.split(';'), summary: r.summary };
}

/**
 * A dump in a folder of its own under the system's temporary folder (`root`), imported for real by
 * importDump into a database beside it; verdictOf reads a message's verdict by its path under
 * `root`, and remove closes the database and deletes the folder (a test's afterAll).
 */
export interface TempDump {
  root: string;
  import(files: Record<string, string>, now: number): Promise<Db>;
  verdictOf(file: string): StoredVerdict;
  /** The detail of the message's finding with this code, undefined without one. */
  findingDetail(file: string, code: string): string | undefined;
  remove(): void;
}

export function tempDump(prefix: string): TempDump {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const root = join(dir, 'dump');
  let db: Db | null = null;
  const imported = (): Db => {
    if (!db) throw new Error('tempDump: read before import');
    return db;
  };
  return {
    root,
    async import(files, now) {
      db = await importDump(root, files, join(dir, 'db.sqlite'), now);
      return db;
    },
    verdictOf(file) {
      return verdictAt(imported(), join(root, file));
    },
    findingDetail(file, code) {
      const r = imported()
        .prepare('SELECT f.detail FROM findings f JOIN sources s ON s.sha256 = f.sha256 WHERE s.path = ? AND f.code = ?')
        .get(join(root, file), code) as { detail: string } | undefined;
      return r?.detail;
    },
    remove() {
      db?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
