// Waiting for `leaktriage serve` to say where it listens: the CLI tests start it on port 0 and read the
// URL it prints on stderr.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

export interface ServeStarted {
  url: string;
  /** All the server has written to stderr so far (it keeps growing until the child exits). */
  stderr: () => string;
}

/** Resolves with the review server's URL once `child` prints it; rejects if the child exits first. */
export function waitForServeUrl(child: ChildProcessWithoutNullStreams): Promise<ServeStarted> {
  let stderr = '';
  return new Promise((ok, fail) => {
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = /review server on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr);
      if (m) ok({ url: m[1]!, stderr: () => stderr });
    });
    child.once('exit', () => fail(new Error(`serve exited: ${stderr}`)));
  });
}
