// The authentic letters the corpus starts from. Forgeries (forgeries.ts) are made from the signed
// bytes of these; the demo dump (demo-*.ts) reuses their platforms and helpers.
import { PLATFORMS, MAILBOX, type Letter } from './letters.ts';
import { alternativeBody, makePdf, mixedBody, plainBody, toCrlf } from './message-text.ts';
import type { MailauthSignSpec, SignSpec } from './sign.ts';

/** The corpus's reference moment: the first base message is signed at 2024-03-14T09:26:53Z. */
export const CORPUS_DATE = new Date('2024-03-14T09:26:50Z');
const ALEX = `Alex Martin <${MAILBOX.address}>`;

export const newsPlain: Letter = {
  seed: 'news-plain',
  platform: PLATFORMS.news,
  date: CORPUS_DATE,
  from: 'Maria Keller <m.keller@example-news.org>',
  to: ALEX,
  subject: 'Interview request: campaign finance filings',
  mime: plainBody(
    toCrlf(`Dear Mr Martin,

I am a reporter on the investigations desk at Example News. We are preparing
a story on the campaign's filings for the fourth quarter of 2023.

Your office confirmed the figures on Tuesday. Before we publish, we would
like to give you the opportunity to comment on three points:

1. the transfer of 48,500 euros on 2 November 2023;
2. the consultancy invoices listed under "events";
3. the loan repaid on 15 December 2023.

We intend to publish on Friday 22 March. A reply by Wednesday would allow
us to include your response in full.

Kind regards,
Maria Keller
Investigations, Example News
+44 20 7946 0321
`),
  ),
};

export const newsAttachment: Letter = {
  seed: 'news-attachment',
  platform: PLATFORMS.news,
  date: new Date('2024-03-14T10:02:11Z'),
  from: 'Data Desk <datadesk@example-news.org>',
  to: ALEX,
  cc: 'Maria Keller <m.keller@example-news.org>',
  subject: "Figures for Thursday's story",
  mime: mixedBody(
    toCrlf(`Hello Alex,

As promised, the table we will rely on is attached. The totals in the
second column come from the public register as downloaded on 12 March.

Please tell us by Monday if any figure is wrong.

Data Desk, Example News
`),
    {
      filename: 'q4-2023-figures.pdf',
      contentType: 'application/pdf',
      data: makePdf('Q4 2023 filings - draft table', 'Transfers: 48,500 EUR (2 Nov); loans repaid: 20,000 EUR (15 Dec)'),
    },
    '------------nws0Q4fig2024Bd',
  ),
};

export const ministryHtml: Letter = {
  seed: 'ministry-html',
  platform: PLATFORMS.ministry,
  date: new Date('2024-03-14T13:40:05Z'),
  from: 'Press Office <press@ministry.example>',
  to: ALEX,
  subject: 'Embargoed: statement on the procurement review',
  mime: alternativeBody(
    toCrlf(`EMBARGOED UNTIL 15 MARCH 2024, 10:00 CET

The Ministry has completed its review of the 2023 procurement rounds.
No contract awarded to campaign suppliers was found to breach the rules.

Press Office, Ministry
`),
    toCrlf(`<!DOCTYPE html>
<html><head><meta charset="us-ascii"><title>Statement</title></head>
<body>
<p><strong>EMBARGOED UNTIL 15 MARCH 2024, 10:00 CET</strong></p>
<p>The Ministry has completed its review of the 2023 procurement rounds.
No contract awarded to campaign suppliers was found to breach the rules.</p>
<p>Press Office, Ministry</p>
</body></html>
`),
    '=_min_alt_7c41e2',
  ),
};

export const ministryPlain: Letter = {
  seed: 'ministry-plain',
  platform: PLATFORMS.ministry,
  date: new Date('2024-03-14T15:12:30Z'),
  from: 'Jonas Weber <j.weber@ministry.example>',
  to: ALEX,
  subject: 'Meeting on 21 March',
  mime: plainBody(
    toCrlf(`Dear Alex,

Thank you for your call this morning. The Deputy Minister can meet you on
Thursday 21 March at 11:00 in room 4.12. Please bring the list of
attendees by Tuesday so that security can prepare the passes.

Best regards,
Jonas Weber
Office of the Deputy Minister
`),
  ),
};

export const campaign2023: Letter = {
  seed: 'campaign-2023',
  platform: PLATFORMS.campaign,
  date: new Date('2023-09-12T08:15:00Z'),
  from: 'Sam Okafor <s.okafor@campaign.example>',
  to: ALEX,
  subject: 'Volunteer rota for the autumn canvass',
  mime: plainBody(
    toCrlf(`Alex,

The rota for September and October is final. Twelve teams, two shifts
each Saturday, the east district first. Lists go out on Friday.

Sam
`),
  ),
};

/** mailauth signature of example-news.org with its current RSA key. */
export const NEWS_RSA: MailauthSignSpec = { with: 'mailauth', domain: 'example-news.org', selector: 'sel2024' };
export const NEWS_ED25519: MailauthSignSpec = { with: 'mailauth', domain: 'example-news.org', selector: 'ed' };
export const MINISTRY_SIMPLE: MailauthSignSpec = {
  with: 'mailauth',
  domain: 'ministry.example',
  selector: 'mail',
  canonicalization: 'simple/simple',
};
export const MINISTRY_DKIM_SIGNER: SignSpec = {
  with: 'dkim-signer',
  domain: 'ministry.example',
  selector: 'mail',
  headerFieldNames: 'From:To:Subject:Date:Message-ID:MIME-Version:Content-Type:Content-Transfer-Encoding',
};
export const CAMPAIGN_RSA: MailauthSignSpec = { with: 'mailauth', domain: 'campaign.example', selector: 'rot2023' };
