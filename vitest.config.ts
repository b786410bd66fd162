import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['./tests/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // better-sqlite3 and worker threads behave best in forked processes.
    pool: 'forks',
    reporters: ['default', './tests/summary-reporter.ts'],
  },
});
