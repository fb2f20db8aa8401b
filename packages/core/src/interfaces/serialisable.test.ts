import { describe, expect, it } from 'vitest';
import { isSerialisable, missingSerialisable } from './serialisable';

describe('isSerialisable', () => {
  const full = { stateDict: () => new Map(), loadStateDict: () => {}, spec: () => ({}) };

  it('accepts an object with stateDict(), loadStateDict() and spec()', () => {
    expect(isSerialisable(full)).toBe(true);
    expect(missingSerialisable(full)).toEqual([]);
  });

  it('names the methods a value lacks', () => {
    expect(isSerialisable({ stateDict: full.stateDict })).toBe(false);
    expect(missingSerialisable({ stateDict: full.stateDict })).toEqual(['loadStateDict', 'spec']);
    expect(missingSerialisable(undefined)).toEqual(['stateDict', 'loadStateDict', 'spec']);
  });
});
