// Tokens a reviewer chooses are refused when they are easy to guess; generated ones always pass.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MIN_TOKEN_BITS, estimateTokenBits, tokenProblem } from '../../src/server/token-strength.ts';

describe('token strength', () => {
  it('refuses empty, short, repetitive and small-alphabet tokens with a sentence that says what to do', () => {
    for (const weak of ['', 'letmein', 's3cret-token', 'a'.repeat(80), 'passwordpasswordpasswordpassword', '1234567890'.repeat(3)]) {
      const problem = tokenProblem(weak);
      expect(problem, weak).toMatch(/at least 128 are needed/);
      expect(problem).toContain('openssl rand -base64 32');
    }
    expect(tokenProblem('')).toMatch(/^the access token is empty/);
    expect(tokenProblem('letmein')).toMatch(/^the access token has about 17 bits of entropy/);
  });

  it('accepts random tokens of 128 bits and more, in the usual encodings', () => {
    for (let i = 0; i < 200; i++) {
      expect(estimateTokenBits(randomBytes(32).toString('base64url'))).toBeGreaterThanOrEqual(MIN_TOKEN_BITS);
      expect(tokenProblem(randomBytes(32).toString('base64'))).toBeNull();
      expect(tokenProblem(randomBytes(32).toString('hex'))).toBeNull();
    }
  });
});
