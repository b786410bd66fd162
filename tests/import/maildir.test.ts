import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SourceRef } from '../../src/model.ts';
import { collect } from '../helpers/read-items.ts';

const dir = mkdtempSync(join(tmpdir(), 'leaktriage-maildir-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function maildir(path: string, files: Record<string, string>): void {
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(path, sub), { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(path, name), content);
}

const message = (n: number): string => `From: user${n}@example.org\nSubject: ${n}\n\nbody ${n}\n`;

describe('maildir', () => {
  const root = join(dir, 'Maildir');
  maildir(root, {
    'cur/1700000000.M1P1.host:2,S': message(1),
    'new/1700000001.M2P2.host': message(2),
    'tmp/1700000002.M3P3.host': message(3),
    'dovecot-uidlist': '3 V1700000000 N4\n',
  });
  // Maildir++: sub-folders are dot-folders with their own cur/new/tmp.
  maildir(join(root, '.Sent'), { 'cur/1700000003.M4P4.host:2,S': message(4) });

  it('reads cur/ and new/, records tmp/ and non-mail files, and reads Maildir++ sub-folders', async () => {
    const items = await collect([root]);
    const lines = items.map((item) =>
      item.kind === 'message'
        ? `message ${item.message.source.path}`
        : `${item.kind === 'failure' ? item.failure.code : item.code} ${item.kind === 'failure' ? item.failure.path : item.path}`,
    );
    expect(lines).toEqual([
      `message ${root}/.Sent/cur/1700000003.M4P4.host:2,S`,
      `message ${root}/cur/1700000000.M1P1.host:2,S`,
      `input/not-mail ${root}/dovecot-uidlist`,
      `message ${root}/new/1700000001.M2P2.host`,
      `maildir/tmp-ignored ${root}/tmp/1700000002.M3P3.host`,
    ]);
    const sources = items.flatMap((item): SourceRef[] => (item.kind === 'message' ? [item.message.source] : []));
    expect(sources.map((s) => [s.mailbox, s.folder])).toEqual([
      [`${root}/.Sent`, 'cur'],
      [root, 'cur'],
      [root, 'new'],
    ]);
    expect(items.find((i) => i.kind === 'message' && i.message.source.folder === 'new')).toMatchObject({
      message: { bytes: Buffer.from(message(2)) },
    });
  });

  it('treats a folder with only some of cur/new/tmp as a plain folder', async () => {
    const partial = join(dir, 'partial');
    mkdirSync(join(partial, 'cur'), { recursive: true });
    writeFileSync(join(partial, 'cur', 'a'), message(5));
    const items = await collect([partial]);
    expect(items).toHaveLength(1);
    expect(items[0]!.kind === 'message' && items[0]!.message.source).toMatchObject({ mailbox: null, folder: `${partial}/cur` });
  });
});
