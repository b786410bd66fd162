// Every test's temporary files in one folder of this run, removed when the run ends: the suite
// makes about 180 folders a run (databases, dumps, exports) and left them all in the system's
// temporary folder. Test processes, and the CLIs they start, find it through TMPDIR (os.tmpdir).
// Open to everyone like /tmp itself: tests run as root switch to nobody (helpers/unprivileged.ts).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'leaktriage-tests-'));
  chmodSync(dir, 0o1777);
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
