// Regenerates the test corpus and the demo dump: `npx node test-corpus/generate.ts [outRoot]`.
// Deterministic: fixed times, committed keys, deterministic signatures (RSA PKCS#1 v1.5, ed25519).
import { fileURLToPath } from 'node:url';
import { writeOutputs } from './write-output.ts';

const root = process.argv[2] ?? fileURLToPath(new URL('.', import.meta.url));
const written = await writeOutputs(root);
process.stderr.write(`wrote ${written.corpus} corpus messages and ${written.demoFiles} demo files under ${root}\n`);
