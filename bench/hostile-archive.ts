// Not a test: a scan for dump shapes whose archive pass grows faster than the dump. hostile-shapes.ts
// times one message's analysis; this times the checks that read the whole archive (copies of one
// Message-ID, threads and quotes, habits of a sender, look-alike domains). Each shape is a dump of
// small messages built around one pathological relation (thousands of copies of one Message-ID, one
// thread thousands deep, thousands of replies to one message, ...). The shapes named `signed-…` carry
// DKIM signatures (the test corpus's key, published under as many names as the shape needs), so
// that the checks that weigh verified copies and signing habits get thousands to weigh; signing
// them takes most of their time, which is not timed. Each dump is imported twice, at `--n`
// messages and at a quarter of that, into a new database (analysed on the main thread: only the
// archive phase is timed). Linear work takes about four times as long, work in the square of the
// number of messages sixteen. A shape is printed with both times; one that grew more than `--ratio`
// times is marked.
//   node bench/hostile-archive.ts [--n 4000] [--ratio 8] [--only copies-differing,...]
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/store/database.ts';
import { importPaths } from '../src/pipeline/run-import.ts';
import { insertKeys } from '../src/store/keys-repo.ts';
import { readKeyFile } from '../src/verify/key-files.ts';
import type { KeyRecord } from '../src/model.ts';
import { signMessage } from '../test-corpus/sign.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '4000' },
    ratio: { type: 'string', default: '8' },
    only: { type: 'string', default: '' },
  },
});
const N = Number(values.n);
const RATIO = Number(values.ratio);
const ONLY = values.only ? new Set(values.only.split(',')) : null;

const BASE = Date.UTC(2020, 5, 1, 9, 0, 0);
const dateOf = (ms: number): string => new Date(ms).toUTCString().replace('GMT', '+0000');

interface Mail {
  /** Where it lies in the dump: account/mailbox. */
  box: string;
  headers: [string, string][];
  body: string;
  /** The domain that signs it (selector `s`, the corpus's key), if any. */
  signer?: string;
}

function mail(i: number, over: Partial<Record<string, string>> & { box?: string; body?: string; signer?: string } = {}): Mail {
  const { box, body, signer, ...h } = over;
  const headers: Record<string, string> = {
    From: `Person ${i % 50} <p${i % 50}@example.org>`,
    To: `Person ${(i + 1) % 50} <p${(i + 1) % 50}@example.org>`,
    Subject: `Subject ${i}`,
    Date: dateOf(BASE + i * 60_000),
    'Message-ID': `<m${i}@example.org>`,
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    ...h,
  };
  return {
    box: box ?? `p${(i + 1) % 50}/INBOX`,
    headers: Object.entries(headers).filter((e): e is [string, string] => e[1] !== ''),
    body: body ?? `Hello,\n\nthis is message ${i}, about the budget of project ${i % 37}.\n\nBest,\nPerson ${i % 50}\n`,
    ...(signer ? { signer } : {}),
  };
}

const words = (i: number, n: number): string => Array.from({ length: n }, (_, k) => `w${(i * 7919 + k * 104729) % 100_003}`).join(' ');

/** Version v of a newsletter under one Message-ID (its reader's name and its text its own), in mailbox `box`, signed or not. */
function newsletter(v: number, box: string, signed: boolean): Mail {
  return mail(v, {
    From: 'News <news@news.example>',
    'Message-ID': '<same@news.example>',
    Date: dateOf(BASE + v * 100),
    Subject: 'Newsletter',
    box,
    body: `Dear reader ${v},\n\n${words(v, 40)}\n`,
    ...(signed ? { signer: 'news.example' } : {}),
  });
}

/** The shapes: each gives the messages of a dump of n messages. */
const SHAPES: Record<string, (n: number) => Mail[]> = {
  // One Message-ID in n mailboxes, each copy's text different, all within the hour.
  'copies-differing': (n) =>
    Array.from({ length: n }, (_, i) =>
      mail(i, {
        'Message-ID': '<same@example.org>',
        Date: dateOf(BASE + i * 100),
        Subject: 'Same',
        box: `a${i}/INBOX`,
        body: `${words(i, 40)}\n`,
      }),
    ),
  // One message to all staff: n identical copies, one in each mailbox (none signed: copies that agree are not compared).
  'copies-identical': (n) =>
    Array.from({ length: n }, (_, i) =>
      mail(i, {
        'Message-ID': '<all@example.org>',
        Date: dateOf(BASE),
        Subject: 'To all staff',
        To: 'all@example.org',
        box: `a${i}/INBOX`,
        body: 'Hello all.\n',
      }),
    ),
  // The same, each copy with other recipients and the same text.
  'copies-recipients': (n) =>
    Array.from({ length: n }, (_, i) =>
      mail(i, {
        'Message-ID': '<same@example.org>',
        Date: dateOf(BASE),
        Subject: 'Same',
        To: `r${i}@example.org`,
        box: `a${i}/INBOX`,
        body: 'Same text.\n',
      }),
    ),
  // The same, the copies' Dates spread one a minute (each compared only with those within the hour).
  'copies-spread': (n) =>
    Array.from({ length: n }, (_, i) =>
      mail(i, { 'Message-ID': '<same@example.org>', Subject: 'Same', box: `a${i % 100}/INBOX`, body: `${words(i, 20)}\n` }),
    ),
  // One thread n deep: each message answers the one before and lists every earlier one (up to 500).
  'thread-chain': (n) =>
    Array.from({ length: n }, (_, i) => {
      const refs = Array.from({ length: Math.min(i, 500) }, (_, k) => `<m${i - 1 - k}@example.org>`).reverse();
      return mail(i, {
        Subject: 'Re: Plan',
        'In-Reply-To': i > 0 ? `<m${i - 1}@example.org>` : '',
        References: refs.join(' '),
        body: `My reply ${i}: ${words(i, 12)}\n\n> ${words(i - 1, 12)}\n`,
      });
    }),
  // n replies to one message, each quoting it.
  'replies-to-one': (n) => [
    mail(0, { Subject: 'Plan', body: `${words(0, 60)}\n` }),
    ...Array.from({ length: n - 1 }, (_, k) =>
      mail(k + 1, {
        Subject: 'Re: Plan',
        'In-Reply-To': '<m0@example.org>',
        References: '<m0@example.org>',
        body: `Reply ${k}\n\nOn Mon, 1 Jun 2020, Person 0 wrote:\n> ${words(k % 3 === 0 ? 1 : 0, 60)}\n`,
      }),
    ),
  ],
  // Replies that quote a parent missing from the dump, all naming it.
  'replies-to-missing': (n) =>
    Array.from({ length: n }, (_, i) =>
      mail(i, {
        Subject: 'Re: Gone',
        'In-Reply-To': '<gone@example.org>',
        References: '<gone@example.org>',
        body: `Reply\n\n> ${words(i, 30)}\n`,
      }),
    ),
  // One sender, every message written by another program.
  'sender-programs': (n) =>
    Array.from({ length: n }, (_, i) => mail(i, { From: 'Anna <anna@example.org>', 'X-Mailer': `Mailer ${i}.${i % 7}`, box: 'anna/Sent' })),
  // One sender, every message from another time zone and another route.
  'sender-zones': (n) =>
    Array.from({ length: n }, (_, i) => {
      const zone = ((i % 27) - 12) * 100;
      const z = `${zone < 0 ? '-' : '+'}${String(Math.abs(zone)).padStart(4, '0')}`;
      return mail(i, {
        From: 'Anna <anna@example.org>',
        Date: dateOf(BASE + i * 60_000).replace('+0000', z),
        Received: `from h${i}.example.net (h${i}.example.net [192.0.2.${i % 250}]) by mx${i % 97}.example.org; ${dateOf(BASE + i * 60_000)}`,
      });
    }),
  // Every message with every other's subject: one subject, n messages, no ids in common.
  'one-subject': (n) => Array.from({ length: n }, (_, i) => mail(i, { Subject: 'Re: Re: Fwd: Report', body: `${words(i, 30)}\n` })),
  // Message-IDs reused by a program: n messages, a hundred ids, Dates far apart.
  'ids-reused': (n) =>
    Array.from({ length: n }, (_, i) => mail(i, { 'Message-ID': `<reused${i % 100}@example.org>`, Date: dateOf(BASE + i * 7_200_000) })),
  // Every message from a domain of its own, to one of n/20 domains that each get 20 (the domains
  // the archive knows well, which a look-alike From domain would imitate).
  'many-domains': (n) =>
    Array.from({ length: n }, (_, i) =>
      mail(i, { From: `Sender <s@sender${i}-mail.example>`, To: `p@known${i % Math.max(1, Math.floor(n / 20))}-org.example` }),
    ),
  // One signed Message-ID in n mailboxes, each copy's text different and verified, within the hour.
  'signed-copies-differing': (n) => Array.from({ length: n }, (_, i) => newsletter(i, `a${i}/INBOX`, true)),
  // n/2 signed versions of one Message-ID, and beside each an unsigned copy of it (a mailbox that
  // dropped the signature): each unsigned copy has a verified twin among n/2 versions.
  'signed-copies-twins': (n) => Array.from({ length: n }, (_, i) => newsletter(Math.floor(i / 2), `a${i}/INBOX`, i % 2 === 0)),
  // One sender whose mail is signed, n messages, one in ten without a signature.
  'signed-sender-gaps': (n) =>
    Array.from({ length: n }, (_, i) =>
      mail(i, {
        From: 'Anna <anna@news.example>',
        box: 'anna/Sent',
        ...(i % 10 === 9 ? {} : { signer: 'news.example' }),
      }),
    ),
  // One sender's mail signed by another domain for every message (n signers, one key).
  'signed-many-signers': (n) =>
    Array.from({ length: n }, (_, i) => mail(i, { From: 'Anna <anna@example.org>', box: 'anna/Sent', signer: `relay${i}.example` })),
  // A signed thread n deep, each message quoting the one before.
  'signed-thread-chain': (n) =>
    Array.from({ length: n }, (_, i) =>
      mail(i, {
        From: `Person ${i % 50} <p${i % 50}@news.example>`,
        Subject: 'Re: Plan',
        'In-Reply-To': i > 0 ? `<m${i - 1}@example.org>` : '',
        References: i > 0 ? `<m${i - 1}@example.org>` : '',
        body: `My reply ${i}: ${words(i, 12)}\n\n> ${words(i - 1, 12)}\n`,
        signer: 'news.example',
      }),
    ),
  // Everyone in To: n messages, each to the same 400 recipients and a different one.
  'many-recipients': (n) => {
    const all = Array.from({ length: 400 }, (_, k) => `u${k}@example.org`).join(', ');
    return Array.from({ length: n }, (_, i) => mail(i, { To: `${all}, x${i}@example.org` }));
  },
};

/** The corpus's RSA key, whose private half signs every signed shape. */
const KEY = { domain: 'example-news.org', selector: 'sel2024' };
const corpusKey = readKeyFile(
  readFileSync(join(import.meta.dirname, '../test-corpus/keys/corpus.zone'), 'utf8'),
  'corpus.zone',
).records.find((k) => k.name === `${KEY.selector}._domainkey.${KEY.domain}`)!;

/** The corpus key published as `s._domainkey.<domain>`. */
function keyFor(domain: string): KeyRecord {
  return { ...corpusKey, name: `s._domainkey.${domain}`, domain, selector: 's', source: 'hostile-archive' };
}

/** Writes the dump; returns the keys its signatures need. */
async function write(dir: string, mails: Mail[]): Promise<KeyRecord[]> {
  const signers = new Set<string>();
  for (const [i, m] of mails.entries()) {
    const folder = join(dir, m.box);
    mkdirSync(folder, { recursive: true });
    const head = m.headers.map(([k, v]) => `${k}: ${v}\r\n`).join('');
    let text = `${head}\r\n${m.body.replace(/\n/g, '\r\n')}`;
    if (m.signer) {
      signers.add(m.signer);
      const date = m.headers.find(([k]) => k === 'Date')![1];
      text = await signMessage(text, { with: 'mailauth', domain: m.signer, selector: 's', keyFrom: KEY }, new Date(date));
    }
    writeFileSync(join(folder, `${i}.eml`), text, 'latin1');
  }
  return [...signers].map(keyFor);
}

/** The archive phase's time, and how many of the messages signed were stored with a signature that passed. */
async function archiveMs(make: (n: number) => Mail[], n: number): Promise<{ ms: number; signed: number; passed: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'lt-hostile-archive-'));
  try {
    const mails = make(n);
    const keys = await write(join(dir, 'dump'), mails);
    const db = openDatabase(join(dir, 'db.sqlite'));
    try {
      insertKeys(db, keys);
      const s = await importPaths(db, [join(dir, 'dump')], { workers: 0, now: 1_700_000_000 });
      const passed = db.prepare("SELECT count(DISTINCT sha256) FROM signatures WHERE result = 'pass'").pluck().get() as number;
      return { ms: s.phaseMs.archive ?? NaN, signed: mails.filter((m) => m.signer).length, passed };
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let marked = 0;
const started = performance.now();
for (const [name, make] of Object.entries(SHAPES)) {
  if (ONLY && !ONLY.has(name)) continue;
  try {
    const small = await archiveMs(make, N / 4);
    const large = await archiveMs(make, N);
    const grew = large.ms / Math.max(small.ms, 1);
    // A signed shape whose signatures did not pass would not exercise what it is for.
    const unverified = large.passed < large.signed ? `  <- only ${large.passed} of its ${large.signed} signed messages verified` : '';
    const mark = grew > RATIO ? '  <- grows faster than the dump' : '';
    if (mark || unverified) marked++;
    const signed = large.signed > 0 ? `; ${large.passed} of ${large.signed} signed messages verified` : '';
    process.stdout.write(
      `${name}: ${small.ms} ms at ${N / 4} messages, ${large.ms} ms at ${N} (×${grew.toFixed(1)})${signed}${mark}${unverified}\n`,
    );
  } catch (err) {
    marked++;
    process.stdout.write(`${name}: the import failed: ${(err as Error).message}\n`);
  }
}
process.stdout.write(
  `${((performance.now() - started) / 1000).toFixed(0)} s; ${marked} shapes grew more than ${RATIO} times, failed or did not verify\n`,
);
