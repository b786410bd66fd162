// Maildir: a folder with cur/, new/ and tmp/. Each file in cur/ and new/ is one message; tmp/ holds
// deliveries in progress (possibly half-written), so its files are recorded and not read. Maildir++
// sub-folders (`.Sent`, `.Archive.2019`) are maildirs themselves and are recognised on their own.

import { statSync } from 'node:fs';
import { joinLabel } from './context.ts';
import { attempt, type FolderFormat } from './directory.ts';

const REQUIRED = ['cur', 'new', 'tmp'];

export const maildirFormat: FolderFormat = {
  kind: 'maildir',
  matches: isMaildir,
  messageFolders: ['cur', 'new'],
  ignoredFolders: {
    tmp: {
      code: 'maildir/tmp-ignored',
      reason: 'in a maildir tmp/ folder: a delivery in progress, possibly incomplete, so not read as a message',
    },
  },
};

async function isMaildir(label: string, names: readonly string[]): Promise<boolean> {
  if (!REQUIRED.every((name) => names.includes(name))) return false;
  for (const name of REQUIRED) {
    if (!attempt(() => statSync(joinLabel(label, name)))?.isDirectory()) return false;
  }
  return true;
}
