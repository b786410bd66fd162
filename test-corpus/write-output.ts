// Writes the corpus and the demo dump under one root. The output is a function of the code and
// the committed keys only, so a test can regenerate it elsewhere and compare it byte for byte.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildCorpusCases } from './corpus-cases.ts';
import { buildDemoDump } from './demo-dump.ts';

export const OUTPUTS = { corpus: 'generated', demo: 'demo', demoExpected: 'demo-expected.json' } as const;

function writeFile(path: string, data: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

/** Replaces `<root>/generated`, `<root>/demo` and `<root>/demo-expected.json`; returns what it wrote. */
export async function writeOutputs(root: string): Promise<{ corpus: number; demoFiles: number }> {
  const cases = await buildCorpusCases();
  const files = new Set(cases.map((c) => c.file));
  if (files.size !== cases.length) throw new Error('two corpus cases share a file name');

  rmSync(join(root, OUTPUTS.corpus), { recursive: true, force: true });
  for (const c of cases) writeFile(join(root, OUTPUTS.corpus, c.file), Buffer.from(c.text, 'latin1'));
  const expected = cases.map(({ file, description, verdict, codes }) => ({ file, description, verdict, codes }));
  writeFile(join(root, OUTPUTS.corpus, 'expected.json'), `${JSON.stringify(expected, null, 2)}\n`);

  const demo = await buildDemoDump();
  rmSync(join(root, OUTPUTS.demo), { recursive: true, force: true });
  for (const [path, data] of demo.files) writeFile(join(root, OUTPUTS.demo, path), data);
  for (const dir of demo.emptyDirs) mkdirSync(join(root, OUTPUTS.demo, dir), { recursive: true });
  writeFile(join(root, OUTPUTS.demoExpected), `${JSON.stringify(demo.expected, null, 2)}\n`);
  return { corpus: cases.length, demoFiles: demo.files.size };
}
