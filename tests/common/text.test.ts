import { describe, expect, it } from 'vitest';
import { capitalize } from '../../src/common/text.ts';

describe('capitalize', () => {
  it('upper-cases the first letter only', () => {
    expect(capitalize('the signature of example.org')).toBe('The signature of example.org');
    expect(capitalize('élan')).toBe('Élan');
    expect(capitalize('DKIM')).toBe('DKIM');
    expect(capitalize('')).toBe('');
  });
});
