// What the `leaktriage` command gives Node at its start: the environment and flags of the first
// line of bin/leaktriage.js (`#!/usr/bin/env -S NAME=value … node --flag …`). The bench and the
// fuzzer start their imports' children with the same, so that they measure the command as it runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CommandRuntime {
  /** Variables the first line sets, on top of this process's environment. */
  env: NodeJS.ProcessEnv;
  /** Node's flags, before the script. */
  execArgv: string[];
}

export function commandRuntime(root = join(import.meta.dirname, '..')): CommandRuntime {
  const first = readFileSync(join(root, 'bin/leaktriage.js'), 'utf8').split('\n', 1)[0]!;
  const m = /^#!\/usr\/bin\/env -S (.*)$/.exec(first);
  if (!m) throw new Error(`bin/leaktriage.js does not start with "#!/usr/bin/env -S": ${first}`);
  const words = m[1]!.trim().split(/\s+/);
  const node = words.indexOf('node');
  if (node === -1) throw new Error(`the first line of bin/leaktriage.js runs no "node": ${first}`);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const w of words.slice(0, node)) {
    const eq = w.indexOf('=');
    if (eq < 1) throw new Error(`"${w}" in the first line of bin/leaktriage.js is not NAME=value`);
    env[w.slice(0, eq)] = w.slice(eq + 1);
  }
  return { env, execArgv: words.slice(node + 1) };
}
