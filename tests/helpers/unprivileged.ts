// Running a command as a user without root's powers: permission and read-only tests mean nothing
// as root, who writes a 0444 file anyway. As root we switch to `nobody` with runuser; that only
// works when nobody can reach node and the checkout (not in a 0700 folder, as `mktemp -d` makes),
// so the tests ask first and skip with the reason when it cannot.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams, type SpawnSyncReturns } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
const isRoot = process.getuid?.() === 0;

/** Why commands cannot run unprivileged here, or null when they can. */
export function whyNoUnprivilegedUser(): string | null {
  if (!isRoot) return null;
  if (spawnSync('runuser', ['--help']).status !== 0) return 'running as root without runuser, so no unprivileged user to test with';
  const probe = spawnSync(
    'runuser',
    ['-u', 'nobody', '--', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(`${ROOT}/src/cli.ts`)})`],
    {
      encoding: 'utf8',
    },
  );
  if (probe.status !== 0) {
    return `the user nobody cannot run ${process.execPath} or read the checkout ${ROOT} (a private folder?): ${(probe.stderr || probe.error?.message || '').trim().split('\n')[0]}`;
  }
  return null;
}

/** Runs `leaktriage args…` as nobody when we are root, else as ourselves. */
export function runUnprivileged(args: string[], cwd: string = ROOT): SpawnSyncReturns<string> {
  const command = [process.execPath, `${ROOT}/bin/leaktriage.js`, ...args];
  return isRoot
    ? spawnSync('runuser', ['-u', 'nobody', '--', ...command], { cwd, encoding: 'utf8' })
    : spawnSync(command[0]!, command.slice(1), { cwd, encoding: 'utf8' });
}

/** Starts `leaktriage args…` as nobody when we are root (else as ourselves), without waiting for it. */
export function startUnprivileged(args: string[], cwd: string = ROOT): ChildProcessWithoutNullStreams {
  const command = [process.execPath, `${ROOT}/bin/leaktriage.js`, ...args];
  return isRoot ? spawn('runuser', ['-u', 'nobody', '--', ...command], { cwd }) : spawn(command[0]!, command.slice(1), { cwd });
}
