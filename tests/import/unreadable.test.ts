// Unreadable input. Tests run as root in CI, and root reads a chmod 000 file anyway, so the
// permission errors are also simulated at the fs layer (the readers' only way to the disk).

import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { InputItem } from '../../src/model.ts';
import { whyNoUnprivilegedUser } from '../helpers/unprivileged.ts';
import { collect } from '../helpers/read-items.ts';

function systemError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated, ${syscall} '${path}'`), { code, syscall, path });
}

// The readers' system calls are synchronous (readers/chunks.ts says why): those are the ones failed here.
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const failingReads = new Map<number, string>();
  return {
    ...real,
    openSync: (...args: Parameters<typeof real.openSync>) => {
      const path = String(args[0]);
      if (path.includes('simulated-eacces')) throw systemError('EACCES', 'open', path);
      const fd = real.openSync(...args);
      if (path.includes('simulated-eio')) failingReads.set(fd, path);
      else failingReads.delete(fd);
      return fd;
    },
    readSync: (...args: Parameters<typeof real.readSync>) => {
      const path = failingReads.get(args[0]);
      if (path !== undefined) throw systemError('EIO', 'read', path);
      return real.readSync(...args);
    },
    readdirSync: (...args: Parameters<typeof real.readdirSync>) => {
      const path = String(args[0]);
      if (path.includes('simulated-locked-dir')) throw systemError('EACCES', 'scandir', path);
      return real.readdirSync(...args);
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), 'leaktriage-unreadable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EML = 'From: a@example.org\nSubject: x\n\nbody\n';

describe('unreadable input', () => {
  it('records a file that cannot be opened (EACCES), a read that fails (EIO) and a folder that cannot be listed', async () => {
    const root = join(dir, 'dump');
    mkdirSync(join(root, 'simulated-locked-dir'), { recursive: true });
    writeFileSync(join(root, 'a.eml'), EML);
    writeFileSync(join(root, 'simulated-eacces.eml'), EML);
    writeFileSync(join(root, 'simulated-eio.eml'), EML);
    const items = await collect([root]);
    expect(items.map((i) => (i.kind === 'failure' ? `${i.failure.code} ${i.failure.path}` : i.kind))).toEqual([
      'message',
      `input/unreadable ${root}/simulated-eacces.eml`,
      `input/unreadable ${root}/simulated-eio.eml`,
      `input/unreadable ${root}/simulated-locked-dir`,
    ]);
    const reasons = items.flatMap((i) => (i.kind === 'failure' ? [i.failure.reason] : []));
    expect(reasons[0]).toContain('permission denied');
    expect(reasons[1]).toContain('EIO');
  });

  const isRoot = process.getuid?.() === 0;
  it.skipIf(isRoot)('records a real chmod 000 file (skipped as root: root can read it anyway)', async () => {
    const locked = join(dir, 'locked.eml');
    writeFileSync(locked, EML);
    chmodSync(locked, 0o000);
    const items = await collect([locked]);
    expect(items).toMatchObject([{ kind: 'failure', failure: { code: 'input/unreadable', path: locked } }]);
  });

  // As root, the real permission check is made by reading as `nobody` in a child process. That
  // user must reach node and the checkout: a checkout in a private (0700) folder skips, saying why.
  const why = isRoot ? whyNoUnprivilegedUser() : 'not root: the chmod 000 test above reads as this user';
  it.skipIf(why !== null)(
    `records a real chmod 000 file and folder when read as an unprivileged user${why ? ` (skipped: ${why})` : ''}`,
    () => {
      const shared = join(dir, 'as-nobody');
      mkdirSync(join(shared, 'locked-dir'), { recursive: true });
      writeFileSync(join(shared, 'locked.eml'), EML);
      chmodSync(join(shared, 'locked.eml'), 0o000);
      chmodSync(join(shared, 'locked-dir'), 0o000);
      chmodSync(dir, 0o755);
      chmodSync(shared, 0o755);
      const reader = new URL('../../src/import/read-inputs.ts', import.meta.url).pathname;
      const script = join(shared, 'read.ts');
      writeFileSync(
        script,
        `import { readInputs } from ${JSON.stringify(reader)};\n` +
          `for await (const item of readInputs([${JSON.stringify(shared)}])) console.log(JSON.stringify(item));\n`,
      );
      const output = execFileSync('runuser', ['-u', 'nobody', '--', process.execPath, script], { encoding: 'utf8' });
      const items = output
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as InputItem);
      expect(items.map((i) => (i.kind === 'failure' ? `${i.failure.code} ${i.failure.path}` : i.kind))).toEqual([
        `input/unreadable ${shared}/locked-dir`,
        `input/unreadable ${shared}/locked.eml`,
        'skipped', // read.ts itself: not mail
      ]);
    },
  );
});
