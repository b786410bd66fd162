// Every code any check or stage can emit is in docs/checks.md with its severity and meaning, and
// every code documented there exists: the docs cannot drift from the code.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { archiveChecks, checks } from '../../src/checks/index.ts';
import { STAGE_CODES } from '../../src/pipeline/stage-codes.ts';
import type { CodeDoc } from '../../src/model.ts';

const doc = readFileSync(new URL('../../docs/checks.md', import.meta.url), 'utf8');
const documented = new Map<string, { severity: string; meaning: string }>();
for (const m of doc.matchAll(/^\| `([a-z0-9-]+\/[a-z0-9-]+)` \| (info|weak|strong) \| (.+) \|$/gm)) {
  documented.set(m[1]!, { severity: m[2]!, meaning: m[3]! });
}

const sources: [string, Record<string, CodeDoc>][] = [
  ...checks.map((c) => [c.id, c.codes] as [string, Record<string, CodeDoc>]),
  ...archiveChecks.map((c) => [c.id, c.codes] as [string, Record<string, CodeDoc>]),
  ['stages', STAGE_CODES],
];

describe('docs/checks.md', () => {
  it('lists every code with the severity and meaning its module declares', () => {
    for (const [id, codes] of sources) {
      for (const [code, d] of Object.entries(codes)) {
        expect(documented.get(code), `${code} (${id}) missing from docs/checks.md`).toEqual({ severity: d.severity, meaning: d.meaning });
      }
    }
  });

  it('documents no code that does not exist', () => {
    const known = new Set(sources.flatMap(([, codes]) => Object.keys(codes)));
    expect([...documented.keys()].filter((c) => !known.has(c))).toEqual([]);
  });

  it('has a section per check, named by its id, and check ids equal their file names', () => {
    const files = readdirSync(new URL('../../src/checks/', import.meta.url)).filter((f) => f !== 'index.ts');
    for (const c of [...checks, ...archiveChecks]) {
      expect(doc).toContain(`\n## ${c.id}\n`);
      expect(files).toContain(`${c.id}.ts`);
      for (const code of Object.keys(c.codes)) expect(code.startsWith(`${c.id}/`), code).toBe(true);
    }
  });

  it('knows every problem code the parser and the pipeline write', () => {
    const src = ['parse/parse-message.ts', 'pipeline/analyse-message.ts', 'pipeline/run-import.ts', 'checks/index.ts']
      .map((f) => readFileSync(new URL(`../../src/${f}`, import.meta.url), 'utf8'))
      .join('\n');
    const used = [...src.matchAll(/code: '((?:parse|verify|check|analyse)\/[a-z0-9-]+)'/g)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(5);
    for (const code of used) expect(STAGE_CODES[code], code).toBeDefined();
  });
});
