import { describe, expect, it } from 'vitest';
import { isTrainable } from './trainable';

describe('isTrainable', () => {
  it('accepts an object with trainableWeights() and refuses others', () => {
    expect(isTrainable({ trainableWeights: () => new Map() })).toBe(true);
    expect(isTrainable({ trainableVariables: () => [] })).toBe(false);
    expect(isTrainable({ trainableWeights: new Map() })).toBe(false);
    expect(isTrainable(null)).toBe(false);
    expect(isTrainable('mmdit')).toBe(false);
  });
});
