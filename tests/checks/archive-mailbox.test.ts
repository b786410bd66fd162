import { describe, expect, it } from 'vitest';
import {
  accountOf,
  archiveMailbox,
  assignRole,
  learnOwners,
  mailboxKeyOf,
  mailboxNameOf,
  roleFromName,
} from '../../src/checks/archive-mailbox.ts';
import type { OwnerEvidence } from '../../src/checks/archive-mailbox.ts';
import { place, record } from './archive-fixtures.ts';

describe('archive-mailbox: where a copy came from', () => {
  it('names the mailbox after its path, so two imported folders never merge', () => {
    const at = (path: string, extra: Partial<Parameters<typeof mailboxKeyOf>[0]> = {}) =>
      mailboxKeyOf({ path, container: null, mailbox: null, folder: null, offset: null, ...extra });
    expect(at('/dump/alice/Sent/0001.eml')).toBe('/dump/alice/Sent');
    expect(at('/other/alice/Sent/0001.eml')).toBe('/other/alice/Sent');
    expect(at('/dump/alice/Sent/cur/1.eml')).toBe('/dump/alice/Sent');
    expect(at('/dump/alice/Sent.mbox#2048', { offset: 2048 })).toBe('/dump/alice/Sent.mbox');
    expect(at('/dump/alice/.Sent/cur/1:2,S', { mailbox: '/dump/alice/.Sent', folder: 'cur' })).toBe('/dump/alice/.Sent');
    expect(at('dump.zip!/bob/INBOX/3.eml', { container: 'dump.zip' })).toBe('dump.zip!/bob/INBOX');
    expect(at('dump.zip!/3.eml', { container: 'dump.zip' })).toBe('dump.zip');
  });

  it('knows sent and inbox folders in the common clients and languages, and nothing else', () => {
    for (const name of [
      'Sent',
      'Sent Items',
      'Sent Mail',
      '[Gmail]/Sent Mail',
      'Envoyés',
      'Éléments envoyés',
      'Gesendet',
      'Enviados',
      'sent-mail',
      'Sent 2019',
    ])
      expect(roleFromName(name), name).toBe('sent');
    expect(roleFromName(mailboxNameOf('/dump/alice/.Sent'))).toBe('sent');
    expect(roleFromName(mailboxNameOf('/dump/alice/Sent.mbox'))).toBe('sent');
    expect(roleFromName(mailboxNameOf('/dump/alice/.INBOX.Sent'))).toBe('sent');
    for (const name of ['INBOX', 'Posteingang', 'Boîte de réception', 'Bandeja de entrada']) expect(roleFromName(name), name).toBe('inbox');
    for (const name of ['Projects', 'Drafts', 'Sentinel', 'Archive']) expect(roleFromName(name), name).toBe('other');
  });

  it('groups a maildir with its Maildir++ sub-folders, and plain folders under their parent', () => {
    expect(accountOf('/dump/alice', true)).toBe('/dump/alice');
    expect(accountOf('/dump/alice/.Sent', true)).toBe('/dump/alice');
    expect(accountOf('/dump/alice/INBOX', false)).toBe('/dump/alice');
    expect(accountOf('/dump/alice/Sent.mbox', false)).toBe('/dump/alice');
    // Apple Mail's export of a Gmail account: "[Gmail]/Sent Mail.mbox/mbox" beside "INBOX.mbox/mbox".
    expect(accountOf('/dump/tom/[Gmail]/Sent Mail.mbox/mbox', false)).toBe('/dump/tom');
    expect(accountOf('/dump/tom/INBOX.mbox/mbox', false)).toBe('/dump/tom');
    expect(roleFromName(mailboxNameOf('/dump/tom/[Gmail]/Sent Mail.mbox/mbox'))).toBe('sent');
  });

  it('learns the owner from the addresses received copies were delivered to, and finds sent copies by content', () => {
    const copy = (over: Partial<OwnerEvidence>): OwnerEvidence => ({
      mailbox: '/dump/alice/Archive',
      account: '/dump/alice',
      nameRole: 'other',
      from: 'someone@example.net',
      deliveredTo: ['alice@example.org'],
      recipients: ['alice@example.org'],
      receivingHops: 2,
      ...over,
    });
    const copies = [
      copy({}),
      copy({ from: 'list@lists.example.net', deliveredTo: ['alice@example.org'], recipients: ['team@lists.example.net'] }),
      copy({ deliveredTo: [], recipients: ['alice@example.org', 'bo@example.org'] }),
      copy({ from: 'bo@example.org' }),
      copy({ deliveredTo: ['alice@example.org'], recipients: ['carl@example.org'] }),
    ];
    const owners = learnOwners(copies);
    expect([...owners.get('/dump/alice')!]).toEqual(['alice@example.org']);
    // No receiving hop, From the owner: her sent copy, even in a folder whose name says nothing.
    expect(assignRole(copy({ from: 'alice@example.org', receivingHops: 0 }), owners.get('/dump/alice'))).toEqual({
      role: 'sent',
      basis: 'content',
    });
    expect(assignRole(copy({}), owners.get('/dump/alice'))).toEqual({ role: 'inbox', basis: 'content' });
    // A copy with no hop from someone else (a draft, a message saved from elsewhere) is neither.
    expect(assignRole(copy({ receivingHops: 0 }), owners.get('/dump/alice'))).toEqual({ role: 'other', basis: 'content' });
    expect(assignRole(copy({ nameRole: 'sent', receivingHops: 3 }), owners.get('/dump/alice'))).toEqual({ role: 'sent', basis: 'name' });
    // A Takeout's one mailbox of all mail: the labels Gmail wrote into each copy say which is which.
    expect(assignRole(copy({ labels: ['Sent'], receivingHops: 0, from: 'x@example.org' }), undefined)).toEqual({
      role: 'sent',
      basis: 'label',
    });
    expect(assignRole(copy({ labels: ['Inbox', 'Opened'] }), undefined)).toEqual({ role: 'inbox', basis: 'label' });
  });

  it('says a sent copy is expected to be unsigned and explains its missing signature; other copies get nothing', async () => {
    const headers = [
      'From: alice@example.org',
      'To: bo@example.org',
      'Subject: x',
      'Date: Tue, 4 Mar 2025 09:00:00 +0000',
      'Message-ID: <x@example.org>',
    ];
    const missing = { check: 'dkim', code: 'dkim/missing-signature', severity: 'weak' as const, detail: 'x', evidence: {} };
    const sent = await record({ sha256: 's', headers, places: [place('alice/Sent', 'sent')], selfFindings: [missing] });
    const inbox = await record({ sha256: 'i', headers, places: [place('bo/INBOX', 'inbox')], selfFindings: [missing] });
    const out = archiveMailbox.run([sent, inbox]);
    expect(out.get('s')!.map((f) => [f.code, f.severity, f.explains])).toEqual([
      ['archive-mailbox/sent-copy', 'info', ['dkim/missing-signature']],
    ]);
    expect(out.get('s')![0]!.detail).toContain('alice');
    expect(out.has('i')).toBe(false);
  });
});
