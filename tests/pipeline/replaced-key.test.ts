// A selector whose key was replaced under the same name, with a key store that holds only the newest
// key (today's DNS): the mail signed before the change fails over its headers although nothing in it
// changed. Imported for real: the signature value says the stored key did not make those signatures,
// the archive shows that key in use only later, and the messages are unverifiable, not tampered;
// a signature made with another key while the stored one is in use, and headers edited under the
// stored key, stay tampered.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose, deliver, sign, signWithKey, tempDump } from '../helpers/mail-dump.ts';

const dump = tempDump('lt-replaced-key-');
const DOMAIN = 'example-news.org';
const SELECTOR = 'sel2024';
/** The key the selector had until March 2025 (not in the store), and a forger's key of his own. */
const oldKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const forgerKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

function letter(n: number, date: Date): string {
  return compose({
    from: `Maria Keller <m.keller@${DOMAIN}>`,
    to: ['tom@org.example'],
    subject: `Briefing ${n}`,
    date,
    messageId: `<b${n}@${DOMAIN}>`,
    body: `Tom,\n\nthe briefing for week ${n} is attached below.\n\nMaria\n`,
  });
}

/** Delivered by tom's server, which checked the signature with the key of the day and said so. */
function delivered(signed: string, at: Date): string {
  const results = `Authentication-Results: mx.org.example; dkim=pass header.d=${DOMAIN} header.s=${SELECTOR}\r\n`;
  return results + deliver(signed, 'tom@org.example', 'mx.org.example', at);
}

const day = (month: number, d: number) => new Date(Date.UTC(2025, month, d, 9));

beforeAll(async () => {
  const files: Record<string, string> = {};
  // January and February: the old key.
  for (let n = 0; n < 6; n++) {
    const date = day(0, 6 + n * 7);
    files[`tom/INBOX/old-${n}.eml`] = delivered(
      await signWithKey(letter(n, date), DOMAIN, SELECTOR, date, oldKey),
      new Date(date.getTime() + 4000),
    );
  }
  // From March: the key the store holds.
  for (let n = 6; n < 12; n++) {
    const date = day(2, 3 + (n - 6) * 7);
    files[`tom/INBOX/new-${n}.eml`] = delivered(await sign(letter(n, date), DOMAIN, SELECTOR, date), new Date(date.getTime() + 4000));
  }
  // A forger's signature of his own key in mid-March, while the stored key signs the mail around it.
  const forged = day(2, 20);
  files['tom/INBOX/forged.eml'] = delivered(
    await signWithKey(letter(20, forged), DOMAIN, SELECTOR, forged, forgerKey),
    new Date(forged.getTime() + 4000),
  );
  // Mail of the old key's time under which someone wrote a pass for a signer it does not carry.
  const claimed = day(1, 2);
  files['tom/INBOX/claimed.eml'] =
    `Authentication-Results: mx.org.example; dkim=pass header.d=bank.example header.s=s1\r\n` +
    delivered(await signWithKey(letter(22, claimed), DOMAIN, SELECTOR, claimed, oldKey), new Date(claimed.getTime() + 4000));
  // A genuine message of March whose subject was edited after signing.
  const edited = day(2, 26);
  const genuine = delivered(await sign(letter(21, edited), DOMAIN, SELECTOR, edited), new Date(edited.getTime() + 4000));
  files['tom/INBOX/edited.eml'] = genuine.replace('Subject: Briefing 21', 'Subject: Briefing 21 (final)');
  await dump.import(files, Date.UTC(2025, 6, 1) / 1000);
}, 60_000);

afterAll(() => dump.remove());

describe('a selector whose key was replaced under the same name', () => {
  it('verifies the mail signed with the key the store holds', () => {
    for (let n = 6; n < 12; n++) expect(dump.verdictOf(`tom/INBOX/new-${n}.eml`).verdict).toBe('verified');
  });

  it('says the earlier mail is unverifiable, not tampered: the stored key did not make its signatures, and was not in use yet', () => {
    for (let n = 0; n < 6; n++) {
      const v = dump.verdictOf(`tom/INBOX/old-${n}.eml`);
      expect(v.verdict, `old-${n}: ${v.summary}`).toBe('unverifiable');
      expect(v.reasons).toContain('archive-signing/replaced-key');
      expect(v.reasons).toContain('dkim/bad-signature');
    }
    expect(dump.findingDetail('tom/INBOX/old-0.eml', 'dkim/bad-signature')).toContain('was not made with the key the store holds');
    expect(dump.findingDetail('tom/INBOX/old-0.eml', 'archive-signing/replaced-key')).toMatch(
      /6 message\(s\) verify with the key the store holds for it, from 2025-03-03 to 2025-04-07, and this one, of 2025-01-06, is before them/,
    );
  });

  it("explains no results header's pass for a signer the message does not carry", () => {
    const v = dump.verdictOf('tom/INBOX/claimed.eml');
    expect(v.verdict).toBe('suspicious');
    expect(v.reasons[0]).toBe('auth-results/contradicts-dkim');
    expect(v.reasons).toContain('archive-signing/replaced-key');
  });

  it('keeps a signature of another key made while the stored key is in use tampered', () => {
    const v = dump.verdictOf('tom/INBOX/forged.eml');
    expect(v.verdict).toBe('tampered');
    expect(v.reasons).not.toContain('archive-signing/replaced-key');
    expect(dump.findingDetail('tom/INBOX/forged.eml', 'dkim/bad-signature')).toContain('was not made with the key the store holds');
  });

  it('says headers edited under the stored key were changed: the key made the signature over other values', () => {
    const v = dump.verdictOf('tom/INBOX/edited.eml');
    expect(v.verdict).toBe('tampered');
    expect(dump.findingDetail('tom/INBOX/edited.eml', 'dkim/bad-signature')).toContain(
      `was made with the key the store holds for ${SELECTOR}._domainkey.${DOMAIN}, but over other values of the signed headers`,
    );
  });
});
