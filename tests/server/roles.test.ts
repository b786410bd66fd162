// The mailbox role of each copy (sent, inbox, other), set per source by the archive pass: the queue
// filters on it and shows it, with the other filters kept in the links.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededApp, type TestApp } from './app-helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await seededApp();
  t.db.exec(
    `UPDATE sources SET role = CASE WHEN folder = 'dump/sent' THEN 'sent' WHEN mailbox = 'archive.mbox' THEN 'inbox' ELSE NULL END`,
  );
});
afterAll(async () => {
  await t.app.close();
});

describe('mailbox roles', () => {
  it('filters and shows the role of each copy', async () => {
    const d = (await t.app.inject('/messages.json?role=sent')).json();
    expect(d.rows.map((r: { sha256: string }) => r.sha256)).toEqual([t.ids.copyB]);
    expect(d.rows[0].roles).toEqual(['sent']);
    expect(d.total).toBe(1);
    const all = (await t.app.inject('/messages.json?_size=100')).json();
    expect(all.rows.find((r: { sha256: string }) => r.sha256 === t.ids.verified).roles).toEqual(['inbox']);
    expect(all.rows.find((r: { sha256: string }) => r.sha256 === t.ids.undated).roles).toEqual([]);
    const html = (await t.app.inject('/messages')).body;
    expect(html).toContain('<select name="role">');
    expect(html).toContain('<td class="roles" data-label="found in">inbox</td>');
  });

  it('refuses a role that is none of sent, inbox, other', async () => {
    const res = await t.app.inject('/messages.json?role=outbox');
    expect(res.statusCode).toBe(400);
    expect(res.json().ok).toBe(false);
  });
});
