// The mailbox role of each copy (sent, inbox, other) is recorded by a later part of the store; the
// queue filters on it and shows it when the database has it, and says so when it has not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededApp, type TestApp } from './app-helpers.ts';

let without: TestApp;
let withRoles: TestApp;
beforeAll(async () => {
  without = await seededApp();
  withRoles = await seededApp();
  // What the forensics work adds: a role per source. Before any request (the schema is read once).
  withRoles.db.exec(`ALTER TABLE sources ADD COLUMN role TEXT;
    UPDATE sources SET role = CASE WHEN folder = 'dump/sent' THEN 'sent' WHEN mailbox = 'archive.mbox' THEN 'inbox' ELSE NULL END;`);
});
afterAll(async () => {
  await without.app.close();
  await withRoles.app.close();
});

describe('mailbox roles', () => {
  it('filters and shows the role when the store records one', async () => {
    const d = (await withRoles.app.inject('/messages.json?role=sent')).json();
    expect(d.rows.map((r: { sha256: string }) => r.sha256)).toEqual([withRoles.ids.copyB]);
    expect(d.rows[0].roles).toEqual(['sent']);
    expect(d.total).toBe(1);
    const all = (await withRoles.app.inject('/messages.json?_size=100')).json();
    expect(all.rows.find((r: { sha256: string }) => r.sha256 === withRoles.ids.verified).roles).toEqual(['inbox']);
    expect(all.rows.find((r: { sha256: string }) => r.sha256 === withRoles.ids.undated).roles).toEqual([]);
    const html = (await withRoles.app.inject('/messages')).body;
    expect(html).toContain('<select name="role">');
    expect(html).toContain('<td class="roles" data-label="found in">inbox</td>');
  });

  it('refuses the filter with a sentence when the store records no roles, and shows no role column', async () => {
    for (const url of [
      '/messages?role=sent',
      '/messages.json?role=sent',
      '/messages.csv?role=sent',
      `/messages/${without.ids.verified}?role=sent`,
    ]) {
      const res = await without.app.inject(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.message, url).toMatch(/records no mailbox roles/);
    }
    const d = (await without.app.inject('/messages.json')).json();
    expect(d.rows[0].roles).toBeNull();
    expect((await without.app.inject('/messages')).body).not.toContain('name="role"');
  });
});
