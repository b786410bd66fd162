// The corpus: authentic messages, then forgeries made by editing their signed bytes (or by
// signing in a way that must not count). Each case states the verdict and the codes that must appear.
import {
  CAMPAIGN_RSA,
  CORPUS_DATE,
  MINISTRY_DKIM_SIGNER,
  MINISTRY_SIMPLE,
  NEWS_ED25519,
  NEWS_RSA,
  campaign2023,
  ministryHtml,
  ministryPlain,
  newsAttachment,
  newsPlain,
} from './base-messages.ts';
import { appendToBody, insertHeaderAbove, replaceOnce, type CorpusCase } from './edits.ts';
import { MAILBOX, PLATFORMS, deliverLetter, transitAfter, type Letter } from './letters.ts';
import { addSeconds, plainBody, toCrlf } from './message-text.ts';

const ALEX = `Alex Martin <${MAILBOX.address}>`;
const pass = { verdict: 'verified', codes: ['dkim/pass'] } as const;

/** A new letter from the news platform (own seed, so its own Message-ID), `minutes` after the corpus date. */
function newsNote(seed: string, minutes: number, subject: string, text: string): Letter {
  return {
    seed,
    platform: PLATFORMS.news,
    date: addSeconds(CORPUS_DATE, minutes * 60),
    from: 'Maria Keller <m.keller@example-news.org>',
    to: ALEX,
    subject,
    mime: plainBody(toCrlf(text)),
  };
}

function freemailNote(seed: string, date: Date, subject: string, text: string): Letter {
  return {
    seed,
    platform: PLATFORMS.freemail,
    date,
    from: 'Chris Novak <chris.novak@freemail.example>',
    to: ALEX,
    subject,
    mime: plainBody(toCrlf(text)),
  };
}

const lengthLetter = newsNote(
  'news-l-tag',
  47,
  'Follow-up: interview request',
  `Dear Mr Martin,

A short follow-up to my message of this morning: we can also meet in
person on Monday if you prefer. Our office is near the station.

Kind regards,
Maria Keller
`,
);

export async function buildCorpusCases(): Promise<CorpusCase[]> {
  const news = await deliverLetter(newsPlain, { sign: NEWS_RSA });
  const newsEd = await deliverLetter(newsAttachment, { sign: NEWS_ED25519 });
  const minHtml = await deliverLetter(ministryHtml, { sign: MINISTRY_SIMPLE });
  const minPlain = await deliverLetter(ministryPlain, { sign: MINISTRY_DKIM_SIGNER });
  const campaign = await deliverLetter(campaign2023, { sign: CAMPAIGN_RSA });
  // l= covering the whole body (mailauth writes the canonical length it hashed, not the maximum).
  const withL = await deliverLetter(lengthLetter, { sign: { ...NEWS_RSA, maxBodyLength: 1_000_000 } });

  const expiring = newsNote(
    'news-expired',
    95,
    'Embargo times for Friday',
    `Dear Mr Martin,

For your planning: the story goes online on Friday at 06:00 GMT.

Kind regards,
Maria Keller
`,
  );
  const expiringTransit = transitAfter(expiring.date);
  const late = {
    ...expiringTransit,
    relayAt: addSeconds(expiring.date, 2 * 3600 + 14),
    deliverAt: addSeconds(expiring.date, 2 * 3600 + 15),
  };

  const reversedDate = new Date('2024-03-14T09:31:05Z');
  const auditDate = new Date('2024-03-14T11:02:37Z');

  return [
    {
      file: 'authentic-news-rsa.eml',
      description: 'example-news.org, rsa-sha256 relaxed/relaxed (mailauth), plain text',
      ...pass,
      text: news,
    },
    {
      file: 'authentic-news-ed25519-attachment.eml',
      description: 'example-news.org, ed25519-sha256, multipart with a PDF attachment',
      ...pass,
      text: newsEd,
    },
    {
      file: 'authentic-ministry-html-simple.eml',
      description: 'ministry.example, rsa-sha256 simple/simple, multipart/alternative HTML',
      ...pass,
      text: minHtml,
    },
    {
      file: 'authentic-ministry-dkim-signer.eml',
      description: 'ministry.example, rsa-sha256 relaxed signed by dkim-signer, no t=',
      ...pass,
      text: minPlain,
    },
    {
      file: 'authentic-campaign-2023.eml',
      description: 'campaign.example 2023, key rot2023 (also in keys/archive.json)',
      ...pass,
      text: campaign,
    },
    {
      file: 'authentic-news-l-whole-body.eml',
      description: 'example-news.org with l= covering the whole body, nothing appended',
      ...pass,
      text: withL,
    },
    {
      file: 'tampered-body-word.eml',
      description: 'authentic-news-rsa with one body word changed (confirmed -> disputed)',
      verdict: 'tampered',
      codes: ['dkim/body-hash-mismatch'],
      text: replaceOnce(news, 'Your office confirmed', 'Your office disputed'),
    },
    {
      file: 'tampered-ed25519-body-word.eml',
      description: 'authentic-news-ed25519-attachment with one word of the text part changed',
      verdict: 'tampered',
      codes: ['dkim/body-hash-mismatch'],
      text: replaceOnce(newsEd, 'by Monday', 'by Sunday'),
    },
    {
      file: 'tampered-subject.eml',
      description: 'authentic-ministry-html-simple with the signed Subject changed',
      verdict: 'tampered',
      codes: ['dkim/bad-signature'],
      text: replaceOnce(minHtml, 'Subject: Embargoed: statement', 'Subject: Embargoed: resignation statement'),
    },
    {
      file: 'tampered-from-prepended.eml',
      description: 'authentic-ministry-dkim-signer with an unsigned second From: inserted above the signed one (h= lists From once)',
      verdict: 'tampered',
      codes: ['duplicate-headers/unsigned-copy'],
      text: insertHeaderAbove(minPlain, 'From:', 'From: Deputy Minister <deputy.minister@ministry.example>'),
    },
    {
      file: 'tampered-l-appended.eml',
      description: 'authentic-news-l-whole-body with a paragraph appended after the l= limit',
      verdict: 'tampered',
      codes: ['dkim/unsigned-content'],
      text: appendToBody(
        withL,
        toCrlf('\nP.S. Please wire the agreed 15,000 euros to the account below before\nFriday: DE00 1234 5678 9000 0000 00.\n'),
      ),
    },
    {
      file: 'suspicious-lookalike-signer.eml',
      description: 'From @example-news.org, sent through and signed by the look-alike example-nevvs.org (passes, not aligned)',
      verdict: 'suspicious',
      codes: ['lookalike-domain/signer'],
      text: await deliverLetter(
        newsNote(
          'lookalike',
          210,
          'Correction: interview request',
          `Dear Mr Martin,

Please disregard my earlier message. Our lawyers ask that you send the
internal ledger for 2023 to this address instead of commenting.

Kind regards,
Maria Keller
`,
        ),
        { route: PLATFORMS.lookalike, sign: { with: 'mailauth', domain: 'example-nevvs.org', selector: 'sel1' } },
      ),
    },
    {
      file: 'unverifiable-weak-key.eml',
      description: 'example-news.org, aligned, signed with the 512-bit key weak._domainkey (RFC 8301)',
      verdict: 'unverifiable',
      codes: ['dkim/weak-key'],
      text: await deliverLetter(
        newsNote(
          'weak-key',
          130,
          'Photo permissions',
          `Dear Mr Martin,

May we use the photograph from the rally on 9 March? Credit as you wish.

Kind regards,
Maria Keller
`,
        ),
        { sign: { ...NEWS_RSA, selector: 'weak' } },
      ),
    },
    {
      file: 'suspicious-expired.eml',
      description: 'example-news.org, x= one hour after t=, delivered two hours later (expired on receipt)',
      verdict: 'suspicious',
      codes: ['dkim/expired'],
      text: await deliverLetter(expiring, { sign: { ...NEWS_RSA, expires: addSeconds(expiringTransit.signAt, 3600) }, transit: late }),
    },
    {
      file: 'suspicious-unsigned-ministry.eml',
      description: 'unsigned From @ministry.example (a domain that signs everything) sent from a rented server',
      verdict: 'suspicious',
      codes: ['dkim/missing-signature'],
      text: await deliverLetter(
        {
          ...ministryPlain,
          seed: 'ministry-spoof',
          date: new Date('2024-03-14T16:48:19Z'),
          subject: 'Urgent: change of venue',
          mime: plainBody(
            toCrlf(`Dear Alex,

The meeting has moved. Please send the attendee list, with passport
numbers, to this address today.

Jonas Weber
`),
          ),
        },
        { route: PLATFORMS.vps },
      ),
    },
    {
      file: 'suspicious-received-out-of-order.eml',
      description: 'unsigned freemail.example message whose Received times run backwards',
      verdict: 'suspicious',
      codes: ['received-order/out-of-order'],
      text: await deliverLetter(
        freemailNote(
          'reversed',
          reversedDate,
          'Documents from the treasurer',
          `Hi Alex,

The treasurer asked me to forward the bank statements. Will send them
tonight from home.

Chris
`,
        ),
        {
          transit: {
            submitAt: addSeconds(reversedDate, 7300),
            signAt: addSeconds(reversedDate, 7300),
            relayAt: addSeconds(reversedDate, 2),
            deliverAt: addSeconds(reversedDate, 1),
          },
        },
      ),
    },
    {
      file: 'unverifiable-rsa-sha1.eml',
      description: 'example-news.org signed with rsa-sha1 (RFC 8301: must not count)',
      verdict: 'unverifiable',
      codes: ['dkim/sha1'],
      text: await deliverLetter(
        newsNote(
          'rsa-sha1',
          160,
          'Timing of our questions',
          `Dear Mr Martin,

We will send the full list of questions tomorrow morning.

Kind regards,
Maria Keller
`,
        ),
        { sign: { ...NEWS_RSA, algorithm: 'rsa-sha1' } },
      ),
    },
    {
      file: 'unverifiable-unknown-selector.eml',
      description: 'example-news.org signed under selector sel2019, absent from the key store',
      verdict: 'unverifiable',
      codes: ['dkim/key-unknown'],
      text: await deliverLetter(
        newsNote(
          'unknown-selector',
          185,
          'Our archive request',
          `Dear Mr Martin,

Could your office send us the press releases from 2019? Our archive
has gaps for that year.

Kind regards,
Maria Keller
`,
        ),
        { sign: { ...NEWS_RSA, selector: 'sel2019', keyFrom: { domain: 'example-news.org', selector: 'sel2024' } } },
      ),
    },
    {
      file: 'unverifiable-unsigned.eml',
      description: 'unsigned freemail.example message with consistent headers',
      verdict: 'unverifiable',
      codes: ['dkim/unsigned'],
      text: await deliverLetter(
        freemailNote(
          'unsigned',
          new Date('2024-03-14T12:20:44Z'),
          'Saturday leaflets',
          `Hi Alex,

I can take the north district on Saturday, 200 leaflets. Where do I
pick them up?

Chris
`,
        ),
      ),
    },
    {
      file: 'suspicious-date-after-first-hop.eml',
      description: 'unsigned; its Date is three hours after the first Received hop',
      verdict: 'suspicious',
      codes: ['date-consistency/after-first-hop'],
      text: await deliverLetter(
        freemailNote(
          'date-after-hop',
          addSeconds(auditDate, 3 * 3600),
          'Audit meeting notes',
          `Hi Alex,

Notes from the audit meeting: they want the donor list by the end of
the month.

Chris
`,
        ),
        { transit: transitAfter(auditDate) },
      ),
    },
    {
      file: 'suspicious-auth-results-below-hops.eml',
      description: 'unsigned; an Authentication-Results claiming dkim=pass sits below every Received hop (written by the sender)',
      verdict: 'suspicious',
      codes: ['auth-results/unvouched-pass'],
      text: await deliverLetter({
        ...freemailNote(
          'auth-results',
          new Date('2024-03-14T14:05:09Z'),
          'Bank details for the printer',
          `Hi Alex,

The printer changed banks. New details in the attached note; please pay
the invoice today.

Chris
`,
        ),
        extraHeaders: [
          `Authentication-Results: ${MAILBOX.mx}; dkim=pass header.d=freemail.example header.s=fm1 header.b=Zm9yZ2Vk; spf=pass smtp.mailfrom=freemail.example`,
        ],
      }),
    },
    {
      file: 'verified-signed-long-after-date.eml',
      description: 'example-news.org, valid signature, but t= is two months after the signed Date',
      verdict: 'verified',
      codes: ['dkim/pass', 'dkim-time/far-from-date'],
      text: await deliverLetter(
        {
          ...newsNote(
            'backdated',
            0,
            'Our questions of 9 January',
            `Dear Mr Martin,

As discussed in January, these are the questions we sent then.

Kind regards,
Maria Keller
`,
          ),
          date: new Date('2024-01-09T08:12:40Z'),
        },
        { sign: NEWS_RSA, transit: transitAfter(new Date('2024-03-14T17:03:20Z')) },
      ),
    },
  ];
}
