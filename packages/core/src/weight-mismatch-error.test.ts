import { describe, expect, it } from 'vitest';
import { checkWeights, WeightMismatchError, weightProblems } from './weight-mismatch-error';

describe('WeightMismatchError and checkWeights', () => {
  const expected = new Map<string, Array<number | null>>([
    ['a', [2, 3]],
    ['b', [4]],
    ['c', [null, 8]],
  ]);

  it('lists every missing, misshaped and unexpected tensor at once', () => {
    const tensors = new Map([
      ['a', { shape: [3, 2] }],
      ['c', { shape: [5, 8] }],
      ['z', { shape: [1] }],
    ]);
    const err = (() => {
      try {
        checkWeights('tiny model', tensors, expected);
      } catch (e) {
        return e as WeightMismatchError;
      }
      throw new Error('expected a WeightMismatchError');
    })();
    expect(err).toBeInstanceOf(WeightMismatchError);
    expect(err.keys('missing')).toEqual(['b']);
    expect(err.keys('shape')).toEqual(['a']);
    expect(err.keys('unexpected')).toEqual(['z']);
    expect(err.message).toBe(
      'tiny model: 3 weight problem(s): "a" has shape [3, 2]; expected [2, 3]; "b" is missing (expected shape [4]); "z" is not part of the architecture (shape [1])',
    );
  });

  it('accepts any size where the expected shape says null, and unexpected keys when allowed', () => {
    const tensors = new Map([
      ['a', { shape: [2, 3] }],
      ['b', { shape: [4] }],
      ['c', { shape: [7, 8] }],
      ['z', { shape: [1] }],
    ]);
    expect(weightProblems(tensors, expected, { allowUnexpected: true })).toEqual([]);
    expect(() => checkWeights('m', tensors, expected)).toThrow(/"z" is not part of the architecture/);
    expect(weightProblems(new Map([['c', { shape: [7] }]]), new Map([['c', [null, 8]]]))).toEqual([
      { key: 'c', problem: 'shape', expected: [null, 8], found: [7] },
    ]);
  });

  it('shortens a long list', () => {
    const many = new Map(Array.from({ length: 20 }, (_, i) => [`k${i}`, [1]] as const));
    expect(() => checkWeights('big', new Map(), many)).toThrow(/20 weight problem\(s\): .*; … and 8 more$/);
  });
});
