// A receiving gateway that marks external mail from a day on ("[EXTERNAL]" before the subject, a
// notice above the text and after the HTML's <body>), in one person's inbox beside mail from before
// that day, a forger's lines above a genuine message, and a marked message also edited lower down:
// imported for real, signed with the test corpus's keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_MARKED_MESSAGES } from '../../src/checks/archive-marks.ts';
import { generateKeyPairSync } from 'node:crypto';
import { type StoredVerdict, compose, deliver, sign, signWithKey, tempDump } from '../helpers/mail-dump.ts';

const dump = tempDump('lt-gateway-');

const SIGNERS: [string, string][] = [
  ['example-news.org', 'sel2024'],
  ['ministry.example', 'mail'],
  ['example-nevvs.org', 'sel1'],
];
/** Messages before the gateway's policy (not marked), and after it (marked). */
const BEFORE = 8;
const AFTER = 2 * MIN_MARKED_MESSAGES;
/** A marked message that was also edited lower down (a figure changed). */
const EDITED = BEFORE + 3;
/** Marked messages whose sender's sent copy is in the dump too: as sent, and with a figure changed. */
const SENT_SAME = BEFORE + 4;
const SENT_EDITED = BEFORE + 5;
/** A marked message whose sender's sent copy lost its first line (as if the notice and more were cut). */
const SENT_CUT = BEFORE + 7;
const NOTICE =
  'CAUTION: This email originated from outside Org. Do not click links or open\r\nattachments unless you recognise the sender.\r\n\r\n';
const HTML_NOTICE = '<p style="color:#9c0006">CAUTION: This email originated from outside Org.</p>\r\n';

/** What the gateway does: the tag before the subject, the notice above the text and after <body>. */
function mark(message: string): string {
  const head = message.indexOf('\r\n\r\n') + 4;
  let m = message.replace(/^Subject: /m, 'Subject: [EXTERNAL] ');
  const cut = m.indexOf('\r\n\r\n') + 4;
  m = /^Content-Type: multipart/im.test(message.slice(0, head))
    ? m.replace('quoted-printable\r\n\r\n', `quoted-printable\r\n\r\n${NOTICE}`).replace('<body>\r\n', `<body>\r\n${HTML_NOTICE}`)
    : m.slice(0, cut) + NOTICE + m.slice(cut);
  return m;
}

function letter(n: number, domain: string, date: Date): string {
  const base = {
    from: `Partner ${n} <p${n}@${domain}>`,
    to: ['tom@org.example'],
    subject: `Report ${n}`,
    date,
    messageId: `<r${n}@${domain}>`,
  };
  const text = `Hello Tom,\r\n\r\nthe budget for month ${n}: total ${1000 + n} euros.\r\n\r\nBest,\r\nP.\r\n`;
  if (n % 2 === 1) return compose({ ...base, body: text });
  return (
    compose({ ...base, body: '' }).replace(
      'Content-Type: text/plain; charset=utf-8',
      'Content-Type: multipart/alternative; boundary="b1"',
    ) +
    `--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${text}\r\n` +
    `--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html>\r\n<body>\r\n<p>Hello Tom, the budget for month ${n}: total ${1000 + n} euros.</p>\r\n</body>\r\n</html>\r\n--b1--\r\n`
  );
}

const verdictOf = (file: string): StoredVerdict => dump.verdictOf(file);

const detailOf = (file: string, code: string): string | undefined => dump.findingDetail(file, code);

beforeAll(async () => {
  const files: Record<string, string> = {};
  for (let n = 0; n < BEFORE + AFTER; n++) {
    const [domain, selector] = SIGNERS[n % SIGNERS.length]!;
    const date = new Date(Date.UTC(2025, 3, 1 + n, 9));
    const signed = await sign(letter(n, domain, date), domain, selector, date);
    const delivered = deliver(signed, 'tom@org.example', 'mx.org.example', new Date(date.getTime() + 5000));
    const marked = n < BEFORE ? delivered : mark(delivered);
    files[`tom/INBOX/${n}.eml`] = n === EDITED ? marked.replace(`${1000 + n} euros`, `${9000 + n} euros`) : marked;
    // The sender's own copy, as its mail program kept it (unsigned: the signature is added on the way out).
    const sent = letter(n, domain, date);
    if (n === SENT_SAME) files[`p${n}/Sent/${n}.eml`] = sent;
    if (n === SENT_EDITED) files[`p${n}/Sent/${n}.eml`] = sent.replaceAll(`${1000 + n} euros`, `${9000 + n} euros`);
    if (n === SENT_CUT) files[`p${n}/Sent/${n}.eml`] = sent.replace('Hello Tom,\r\n\r\n', '');
  }
  // A forger's lines above a genuine message (no tag: the forger did not imitate the gateway).
  const date = new Date(Date.UTC(2025, 5, 1, 9));
  const genuine = deliver(
    await sign(letter(101, 'ministry.example', date), 'ministry.example', 'mail', date),
    'tom@org.example',
    'mx.org.example',
    date,
  );
  const cut = genuine.indexOf('\r\n\r\n') + 4;
  files['tom/INBOX/forged.eml'] =
    genuine.slice(0, cut) + 'Approved: pay invoice 4471 to the new account today.\r\n\r\n' + genuine.slice(cut);
  // A post of ministry.example's to a list of example-news.org's: the list tags the subject, adds a
  // footer and signs what it sends on; the gateway then marks it like any external mail.
  const postDate = new Date(Date.UTC(2025, 4, 2, 9));
  const post = await sign(letter(201, 'ministry.example', postDate), 'ministry.example', 'mail', postDate);
  const listed = await sign(
    'List-Id: Team <team.example-news.org>\r\n' + post.replace(/^Subject: /m, 'Subject: [team] ') + '-- \r\nteam mailing list\r\n',
    'example-news.org',
    'sel2024',
    postDate,
  );
  files['tom/INBOX/list-post.eml'] = mark(deliver(listed, 'tom@org.example', 'mx.org.example', postDate));
  // A signer whose key is not in the store: its message marked in two inboxes, beside its sent copy.
  const farDate = new Date(Date.UTC(2025, 4, 9, 9));
  const farKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const far = letter(301, 'far.example', farDate);
  const farSigned = await signWithKey(far, 'far.example', 's1', farDate, farKey);
  for (const who of ['tom', 'anna'])
    files[`${who}/INBOX/far.eml`] = mark(deliver(farSigned, `${who}@org.example`, 'mx.org.example', new Date(farDate.getTime() + 5000)));
  files['p301/Sent/far.eml'] = far;
  await dump.import(files, Date.UTC(2025, 6, 1) / 1000);
}, 60_000);

afterAll(() => dump.remove());

describe("a receiving gateway's marks", () => {
  it('verifies the mail from before the gateway marked it', () => {
    for (let n = 0; n < BEFORE; n++) expect(verdictOf(`tom/INBOX/${n}.eml`).verdict).toBe('verified');
  });

  it('says the marked messages are unverifiable, not tampered, and why', () => {
    for (let n = BEFORE; n < BEFORE + AFTER; n++) {
      if (n === EDITED) continue;
      const v = verdictOf(`tom/INBOX/${n}.eml`);
      expect(v.verdict, `tom/INBOX/${n}.eml`).toBe('unverifiable');
      expect(v.reasons[0]).toBe('archive-marks/gateway-mark');
      expect(v.reasons).toContain('dkim/body-hash-mismatch');
      expect(v.reasons).toContain('top-additions/verifies-without');
    }
    // The HTML notice reads differently from the text's: a notice of its own, named by its own words.
    expect(detailOf(`tom/INBOX/${BEFORE}.eml`, 'archive-marks/gateway-mark')).toContain(
      'the notice "CAUTION: This email originated from outside Org." (on 10 messages of 3 signing organisations',
    );
    expect(detailOf(`tom/INBOX/${BEFORE}.eml`, 'archive-marks/gateway-mark')).toMatch(
      /the subject tag \[EXTERNAL\] \(on 20 messages of 3 signing organisations: example-nevvs\.org, example-news\.org, ministry\.example; 95 % of the signed mail of 1 mailbox in its period\)/,
    );
  });

  it("compares a marked copy with the sender's sent copy once the marks are undone", () => {
    const same = verdictOf(`tom/INBOX/${SENT_SAME}.eml`);
    expect(same.verdict).toBe('unverifiable');
    expect(same.reasons).toContain('archive-copies/list-copy');
    expect(detailOf(`tom/INBOX/${SENT_SAME}.eml`, 'archive-copies/list-copy')).toContain("the gateway's subject tag, the gateway's notice");
    expect(verdictOf(`p${SENT_SAME}/Sent/${SENT_SAME}.eml`).reasons).not.toContain('archive-copies/odd-copy-out');
    // A sent copy with a figure changed: the marked copy, whose signature verifies without the marks, outweighs it.
    expect(verdictOf(`tom/INBOX/${SENT_EDITED}.eml`).verdict).toBe('unverifiable');
    const edited = verdictOf(`p${SENT_EDITED}/Sent/${SENT_EDITED}.eml`);
    expect(edited.verdict).toBe('suspicious');
    expect(edited.reasons[0]).toBe('archive-copies/odd-copy-out');
    expect(detailOf(`p${SENT_EDITED}/Sent/${SENT_EDITED}.eml`, 'archive-copies/odd-copy-out')).toContain(
      'a signature that verifies once the marks of the gateway it came in through are removed',
    );
  });

  it("undoes a marked copy's subject tag that its unknown key could not check, and claims no signature for it", () => {
    // Only the body hash could be checked: the tag is not counted among the marks, but two marked
    // copies in two inboxes are the sender's sent copy once the gateway's tag and notice are undone.
    for (const who of ['tom', 'anna']) {
      const v = verdictOf(`${who}/INBOX/far.eml`);
      expect(v.verdict, who).toBe('unverifiable');
      expect(v.reasons[0]).toBe('archive-marks/gateway-mark');
      expect(detailOf(`${who}/INBOX/far.eml`, 'archive-copies/list-copy')).toContain("the gateway's subject tag, the gateway's notice");
    }
    const sent = verdictOf('p301/Sent/far.eml');
    expect(sent.verdict).toBe('unverifiable');
    expect(sent.reasons).not.toContain('archive-copies/odd-copy-out');
  });

  it('undoes only the notice itself: a copy with more cut from its top is not the same message', () => {
    const cut = verdictOf(`p${SENT_CUT}/Sent/${SENT_CUT}.eml`);
    expect(cut.reasons).not.toContain('archive-copies/list-copy');
    expect(cut.reasons[0]).toBe('archive-copies/odd-copy-out');
    expect(verdictOf(`tom/INBOX/${SENT_CUT}.eml`).reasons).not.toContain('archive-copies/list-copy');
  });

  it("explains a marked list post whose list's own signature verifies without the marks", () => {
    const v = verdictOf('tom/INBOX/list-post.eml');
    expect(v.verdict).toBe('unverifiable');
    expect(v.reasons[0]).toBe('archive-marks/gateway-mark');
    expect(detailOf('tom/INBOX/list-post.eml', 'archive-marks/gateway-mark')).toMatch(
      /^The signature of the mailing list \(example-news\.org\) verifies, vouching for what the list sent on/,
    );
  });

  it('still calls a marked message that was also edited tampered', () => {
    const v = verdictOf(`tom/INBOX/${EDITED}.eml`);
    expect(v.verdict).toBe('tampered');
    expect(v.reasons).not.toContain('archive-marks/gateway-mark');
    expect(v.reasons).not.toContain('top-additions/verifies-without');
  });

  it("calls a forger's lines above a genuine message tampered, and quotes them", () => {
    const v = verdictOf('tom/INBOX/forged.eml');
    expect(v.verdict).toBe('tampered');
    expect(v.reasons).not.toContain('archive-marks/gateway-mark');
    expect(detailOf('tom/INBOX/forged.eml', 'top-additions/verifies-without')).toMatch(
      /With 2 lines at the top of the text removed, the signature of ministry\.example .* verifies again.*"Approved: pay invoice 4471 to the new account today\."/,
    );
  });
});
