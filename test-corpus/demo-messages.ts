// The messages of the demo dump, with where each goes (eml folder, mbox, maildir, zip) and the
// verdict it must get. The forgeries repeat the corpus's kinds on the demo's own letters.
import type { VerdictName } from '../src/model.ts';
import { NEWS_ED25519, NEWS_RSA } from './base-messages.ts';
import { campaignMemos, newsBriefings, promoHtml, thread, volunteerNotes } from './demo-letters.ts';
import { appendToBody, insertHeaderAbove, replaceOnce } from './edits.ts';
import { PLATFORMS, deliverLetter, transitAfter, type Letter } from './letters.ts';
import { addSeconds, plainBody, toCrlf } from './message-text.ts';
import type { SignSpec } from './sign.ts';

export type Place = 'eml' | 'mbox' | 'cur' | 'new' | 'zip';

export interface DemoMessage {
  /** Short name: the .eml file name, the zip entry name, or a label for mbox and maildir members. */
  name: string;
  places: Place[];
  description: string;
  verdict: VerdictName;
  codes: readonly string[];
  text: string;
}

const CAMPAIGN: SignSpec = { with: 'mailauth', domain: 'campaign.example', selector: 'rot2023' };
const MINISTRY: SignSpec = { with: 'mailauth', domain: 'ministry.example', selector: 'mail' };
const MINISTRY_DKIM_SIGNER: SignSpec = {
  with: 'dkim-signer',
  domain: 'ministry.example',
  selector: 'mail',
  headerFieldNames: 'From:To:Cc:Subject:Date:Message-ID:In-Reply-To:References:MIME-Version:Content-Type',
};
const verified = { verdict: 'verified', codes: ['dkim/pass'] } as const;
const unsigned = { verdict: 'unverifiable', codes: ['dkim/unsigned'] } as const;

const places = (...list: Place[]): Place[] => list;

function newsLetter(seed: string, iso: string, subject: string, text: string): Letter {
  return {
    seed: `demo/${seed}`,
    platform: PLATFORMS.news,
    from: 'Maria Keller <m.keller@example-news.org>',
    to: 'Alex Martin <alex.martin@campaign.example>',
    date: new Date(iso),
    subject,
    mime: plainBody(toCrlf(text)),
  };
}

export async function buildDemoMessages(): Promise<DemoMessage[]> {
  const out: DemoMessage[] = [];
  const briefingPlaces: Place[][] = [places('mbox'), places('mbox'), places('eml'), places('mbox'), places('cur'), places('eml', 'zip')];
  for (const [i, letter] of newsBriefings.entries()) {
    out.push({
      name: `briefing-${i + 1}.eml`,
      places: briefingPlaces[i]!,
      description: `example-news.org briefing ${i + 1}`,
      ...verified,
      text: await deliverLetter(letter, { sign: i % 2 === 0 ? NEWS_RSA : NEWS_ED25519 }),
    });
  }
  const memoTexts: string[] = [];
  const memoPlaces: Place[][] = [places('cur'), places('cur'), places('eml'), places('mbox'), places('zip'), places('new')];
  for (const [i, letter] of campaignMemos.entries()) {
    const text = await deliverLetter(letter, { sign: CAMPAIGN });
    memoTexts.push(text);
    out.push({
      name: `memo-${i + 1}.eml`,
      places: memoPlaces[i]!,
      description: `campaign.example internal memo ${i + 1}`,
      ...verified,
      text,
    });
  }
  const t2 = await deliverLetter(thread.t2, { sign: MINISTRY });
  const t4 = await deliverLetter(thread.t4, { sign: MINISTRY_DKIM_SIGNER });
  out.push(
    {
      name: 'thread-1.eml',
      places: places('mbox'),
      description: 'thread 1/4, news desk to ministry, Alex in Cc',
      ...verified,
      text: await deliverLetter(thread.t1, { sign: NEWS_RSA }),
    },
    {
      name: 'thread-2.eml',
      places: places('mbox'),
      description: 'thread 2/4, ministry reply (In-Reply-To, References)',
      ...verified,
      text: t2,
    },
    {
      name: 'thread-3.eml',
      places: places('eml'),
      description: 'thread 3/4, news desk follow-up',
      ...verified,
      text: await deliverLetter(thread.t3, { sign: NEWS_ED25519 }),
    },
    { name: 'thread-4.eml', places: places('eml'), description: 'thread 4/4, ministry reply signed by dkim-signer', ...verified, text: t4 },
  );
  const volunteerPlaces: Place[][] = [
    places('mbox'),
    places('cur'),
    places('eml'),
    places('mbox'),
    places('cur'),
    places('new'),
    places('eml'),
  ];
  for (const [i, letter] of volunteerNotes.entries()) {
    out.push({
      name: `volunteer-${i + 1}.eml`,
      places: volunteerPlaces[i]!,
      description: `unsigned freemail.example note ${i + 1}`,
      ...unsigned,
      text: await deliverLetter(letter),
    });
  }
  out.push({
    name: 'promo-offer.eml',
    places: places('eml'),
    description: 'unsigned HTML offer with a tracking pixel and a script',
    ...unsigned,
    text: await deliverLetter(promoHtml),
  });
  out.push(...(await buildDemoForgeries(memoTexts, t2, t4)));
  return out;
}

async function buildDemoForgeries(memoTexts: string[], t2: string, t4: string): Promise<DemoMessage[]> {
  const withL = await deliverLetter(
    newsLetter(
      'l-tag',
      '2024-03-07T15:20:11Z',
      'Meeting on Monday',
      'Dear Mr Martin,\n\nCould we meet on Monday at 10:00 at our office?\n\nKind regards,\nMaria Keller\n',
    ),
    { sign: { ...NEWS_RSA, maxBodyLength: 1_000_000 } },
  );
  const expiring = newsLetter(
    'expired',
    '2024-03-12T09:10:00Z',
    'Deadline for comment',
    'Dear Mr Martin,\n\nOur deadline for comment is Thursday noon.\n\nKind regards,\nMaria Keller\n',
  );
  const transit = transitAfter(expiring.date);
  const oosDate = new Date('2024-03-13T10:40:00Z');
  return [
    {
      name: 'memo-1-edited.eml',
      places: places('eml'),
      description: 'copy of memo 1 with the amount changed in the body',
      verdict: 'tampered',
      codes: ['dkim/body-hash-mismatch'],
      text: replaceOnce(memoTexts[0]!, '12,000 euros', '120,000 euros'),
    },
    {
      name: 'thread-2-subject.eml',
      places: places('cur'),
      description: 'copy of thread 2 with the signed Subject changed',
      verdict: 'tampered',
      codes: ['dkim/bad-signature'],
      text: replaceOnce(t2, 'Subject: Re: Questions', 'Subject: Re: Leaked questions'),
    },
    {
      name: 'thread-4-from.eml',
      places: places('zip'),
      description: 'copy of thread 4 with an unsigned From: above the signed one',
      verdict: 'tampered',
      codes: ['duplicate-headers/unsigned-copy'],
      text: insertHeaderAbove(t4, 'From:', 'From: Minister <minister@ministry.example>'),
    },
    {
      name: 'meeting-l-appended.eml',
      places: places('mbox'),
      description: 'example-news.org signed with l=, a paragraph appended',
      verdict: 'tampered',
      codes: ['dkim/unsigned-content'],
      text: appendToBody(withL, toCrlf('\nPS: bring the 2023 donor list, we were told you agreed.\n')),
    },
    {
      name: 'lookalike.eml',
      places: places('eml'),
      description: 'From @example-news.org, signed by look-alike example-nevvs.org',
      verdict: 'suspicious',
      codes: ['lookalike-domain/signer'],
      text: await deliverLetter(
        newsLetter(
          'lookalike',
          '2024-03-08T11:31:02Z',
          'Urgent: documents for our story',
          'Dear Mr Martin,\n\nPlease send the donor spreadsheet to this address today.\n\nMaria Keller\n',
        ),
        { route: PLATFORMS.lookalike, sign: { with: 'mailauth', domain: 'example-nevvs.org', selector: 'sel1' } },
      ),
    },
    {
      name: 'ministry-spoof.eml',
      places: places('new'),
      description: 'unsigned From @ministry.example from a rented server',
      verdict: 'suspicious',
      codes: ['dkim/missing-signature'],
      text: await deliverLetter(
        {
          ...thread.t4,
          seed: 'demo/spoof',
          to: 'Alex Martin <alex.martin@campaign.example>',
          cc: undefined,
          date: new Date('2024-03-15T16:02:09Z'),
          subject: 'Procurement review: your comments',
          inReplyTo: undefined,
          references: undefined,
          mime: plainBody(toCrlf('Dear Mr Martin,\n\nPlease send your comments and the supplier contracts by reply.\n\nPress Office\n')),
        },
        { route: PLATFORMS.vps },
      ),
    },
    {
      name: 'out-of-order.eml',
      places: places('mbox'),
      description: 'unsigned; Received times run backwards',
      verdict: 'suspicious',
      codes: ['received-order/out-of-order'],
      text: await deliverLetter(
        { ...volunteerNotes[0]!, seed: 'demo/oos', date: oosDate, subject: 'Treasurer asked me to forward this' },
        {
          transit: {
            submitAt: addSeconds(oosDate, 7300),
            signAt: addSeconds(oosDate, 7300),
            relayAt: addSeconds(oosDate, 3),
            deliverAt: addSeconds(oosDate, 2),
          },
        },
      ),
    },
    {
      name: 'expired.eml',
      places: places('cur'),
      description: 'example-news.org, x= passed before the message was received',
      verdict: 'suspicious',
      codes: ['dkim/expired'],
      text: await deliverLetter(expiring, {
        sign: { ...NEWS_RSA, expires: addSeconds(transit.signAt, 1800) },
        transit: { ...transit, relayAt: addSeconds(expiring.date, 3 * 3600), deliverAt: addSeconds(expiring.date, 3 * 3600 + 1) },
      }),
    },
    {
      name: 'weak-key.eml',
      places: places('eml'),
      description: 'example-news.org signed with the 512-bit key',
      verdict: 'unverifiable',
      codes: ['dkim/weak-key'],
      text: await deliverLetter(
        newsLetter('weak', '2024-03-18T13:05:44Z', 'Photo request', 'Dear Mr Martin,\n\nMay we use your portrait photo?\n\nMaria Keller\n'),
        { sign: { ...NEWS_RSA, selector: 'weak' } },
      ),
    },
    {
      name: 'unknown-selector.eml',
      places: places('zip'),
      description: 'example-news.org, selector sel2019 not in the key store',
      verdict: 'unverifiable',
      codes: ['dkim/key-unknown'],
      text: await deliverLetter(
        newsLetter(
          'sel2019',
          '2024-03-20T09:45:30Z',
          'Archive question',
          'Dear Mr Martin,\n\nDo you keep the 2019 press releases?\n\nMaria Keller\n',
        ),
        { sign: { ...NEWS_RSA, selector: 'sel2019', keyFrom: { domain: 'example-news.org', selector: 'sel2024' } } },
      ),
    },
    {
      name: 'rsa-sha1.eml',
      places: places('cur'),
      description: 'example-news.org signed with rsa-sha1',
      verdict: 'unverifiable',
      codes: ['dkim/sha1'],
      text: await deliverLetter(
        newsLetter('sha1', '2024-03-22T16:12:05Z', 'Thanks', 'Dear Mr Martin,\n\nThank you for the interview.\n\nMaria Keller\n'),
        { sign: { ...NEWS_RSA, algorithm: 'rsa-sha1' } },
      ),
    },
  ];
}
