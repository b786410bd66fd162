import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TOOL_VERSION } from '../../src/common/version.ts';

describe('TOOL_VERSION', () => {
  it('is the name and version written in package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
    expect(TOOL_VERSION).toBe(`${pkg.name} ${pkg.version}`);
    expect(TOOL_VERSION).toMatch(/^leaktriage \d+\.\d+\.\d+/);
  });
});
