// The codes in docs/input-errors.md and the codes the readers can emit must be the same set, and the
// registry must recognise each kind of input by content as well as by name.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recogniseFile } from '../../src/import/readers/index.ts';
import { buildZip } from '../helpers/zip-writer.ts';

const root = new URL('../../', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('docs/input-errors.md', () => {
  it('lists exactly the codes the readers emit', () => {
    const emitted = new Set(
      sourceFiles(join(root, 'src/import')).flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/'((?:input|zip|tar|compressed|mbox|maildir)\/[a-z-]+)'/g)].map((m) => m[1]!),
      ),
    );
    const documented = new Set(
      [
        ...readFileSync(join(root, 'docs/input-errors.md'), 'utf8').matchAll(
          /^\| `((?:input|zip|tar|compressed|mbox|maildir)\/[a-z-]+)` \|/gm,
        ),
      ].map((m) => m[1]!),
    );
    expect([...documented].sort()).toEqual([...emitted].sort());
  });
});

describe('the registry', () => {
  const FROM = Buffer.from('From a@example.org Mon Jan  1 10:00:00 2024\nFrom: a@example.org\n\nx\n');
  const EML = Buffer.from('Return-Path: <a@example.org>\r\nFrom: a@example.org\r\n\r\nx\r\n');
  const ZIP = buildZip([{ name: 'a.eml', data: EML }]);

  it('recognises by content whatever the name says', () => {
    expect(recogniseFile('inbox', FROM)?.kind).toBe('mbox');
    expect(recogniseFile('Sent Items', FROM)?.kind).toBe('mbox');
    expect(recogniseFile('message.txt', EML)?.kind).toBe('eml');
    expect(recogniseFile('archive.eml', ZIP)?.kind).toBe('zip');
  });

  it('falls back on the name only where a wrong guess is reported, not hidden', () => {
    expect(recogniseFile('broken.zip', Buffer.from('junk'))?.kind).toBe('zip');
    expect(recogniseFile('INBOX', Buffer.from('junk'))?.kind).toBe('mbox');
    expect(recogniseFile('old.mbox', Buffer.from('junk'))?.kind).toBe('mbox');
    expect(recogniseFile('junk.eml', Buffer.from('junk'))).toBeNull();
    expect(recogniseFile('notes.txt', Buffer.from('Note: buy milk\n'))).toBeNull();
  });
});
