import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isProcessAlive } from '../../src/common/process-alive.ts';

describe('isProcessAlive', () => {
  it('is true for this process and false for one that has ended', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    const ended = spawnSync(process.execPath, ['-e', '0']).pid;
    expect(ended).toBeGreaterThan(0);
    expect(isProcessAlive(ended!)).toBe(false);
  });
});
