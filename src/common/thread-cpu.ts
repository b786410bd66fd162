// The CPU time of the calling thread, user and system together: what each of an import's threads
// reports of itself (ImportSummary.threadCpuMs).

/** CPU time this thread has used, in microseconds: since it started, or since `since` (a figure taken earlier). */
export function threadCpuMicros(since = 0): number {
  const { user, system } = process.threadCpuUsage();
  return user + system - since;
}
