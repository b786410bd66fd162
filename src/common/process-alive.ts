// Whether a process of this machine still runs: how a stale "running" import is told from a live one.

/** True when `pid` runs (or runs as another user: EPERM); false when no such process exists. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
