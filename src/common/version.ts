// The tool's version, read once from package.json (the one place it is written), so that import runs,
// `--version` and exports name the same release.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

/** e.g. `leaktriage 0.1.0`: recorded with every import run. */
export const TOOL_VERSION = `${pkg.name} ${pkg.version}`;
