// A group of copies of one Message-ID of every kind archive-copies tells apart, in a seeded order:
// verified and unsigned identical copies, list copies (footer, subject tag), edited copies, copies
// without a date, and a reuse of the ID by another message.
import type { CopyRecord } from '../../src/checks/archive-copies.ts';
import { integersFrom } from '../helpers/seeded-random.ts';
import { place, record } from './archive-fixtures.ts';

/** The message that archive-copies.test.ts copies: its headers and its text. */
export const HEADERS = [
  'From: Ana Lopez <ana@example.org>',
  'To: Bo Chen <bo@example.org>, team@example.org',
  'Subject: Budget for March',
  'Date: Tue, 4 Mar 2025 09:12:00 +0100',
  'Message-ID: <budget-1@example.org>',
];
export const BODY = 'Hi Bo,\r\n\r\nThe budget for March is 12,400 euros.\r\n\r\nAna\r\n';
const FOOTER = '_______________________________________________\r\nteam mailing list\r\nhttps://lists.example.org/team\r\n';

export async function mixedGroup(withVerified = true): Promise<CopyRecord[]> {
  const rnd = integersFrom(31);
  const kinds: ((sha: string, where: string) => Promise<CopyRecord>)[] = [
    (sha, where) =>
      record({
        sha256: sha,
        headers: HEADERS,
        body: BODY,
        selfVerdict: withVerified ? 'verified' : 'unverifiable',
        places: [place(where, 'inbox')],
      }),
    (sha, where) => record({ sha256: sha, headers: HEADERS, body: BODY, places: [place(where, 'sent')] }),
    (sha, where) =>
      record({
        sha256: sha,
        headers: [...HEADERS.map((h) => h.replace('Subject: ', 'Subject: [team] ')), 'List-Id: Team <team.lists.example.org>'],
        body: BODY + FOOTER,
        places: [place(where, 'inbox')],
      }),
    (sha, where) => record({ sha256: sha, headers: HEADERS, body: BODY.replace('12,400', '112,400'), places: [place(where, 'inbox')] }),
    (sha, where) =>
      record({ sha256: sha, headers: HEADERS.filter((h) => !h.startsWith('Date:')), body: BODY, places: [place(where, 'inbox')] }),
    (sha, where) =>
      record({
        sha256: sha,
        headers: HEADERS.map((h) => h.replace('Budget for March', 'Lunch').replace('4 Mar 2025', '9 Sep 2025')),
        body: 'Lunch at noon?\r\n',
        places: [place(where, 'inbox')],
      }),
  ];
  const copies: CopyRecord[] = [];
  for (let i = 0; i < 60; i++) copies.push(await kinds[rnd(kinds.length)]!(i.toString(16).padStart(64, '0'), `u${i}/INBOX`));
  return copies;
}
