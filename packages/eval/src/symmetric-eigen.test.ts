import { createRng, ValidationError } from '@rectiflow/core';
import { describe, expect, it } from 'vitest';
import { symmetricEigen, symmetricFunction } from './symmetric-eigen';

function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const x = rng.normalNumber();
      m[i * n + j] = x;
      m[j * n + i] = x;
    }
  }
  return m;
}

describe('symmetricEigen', () => {
  it('finds the eigenvalues of a 2x2 matrix in closed form', () => {
    const { values, vectors } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
    expect(values[0]).toBeCloseTo(1, 14);
    expect(values[1]).toBeCloseTo(3, 14);
    // The eigenvector of 3 is (1, 1) / sqrt(2), up to sign.
    expect(Math.abs(vectors[1])).toBeCloseTo(Math.SQRT1_2, 14);
    expect(Math.abs(vectors[3])).toBeCloseTo(Math.SQRT1_2, 14);
  });

  it('reconstructs a random 40x40 matrix from orthonormal eigenvectors', () => {
    const n = 40;
    const m = randomSymmetric(n, 3);
    const eig = symmetricEigen(m, n);
    const back = symmetricFunction(eig, (x) => x);
    let err = 0;
    for (let i = 0; i < m.length; i++) err = Math.max(err, Math.abs(back[i] - m[i]));
    expect(err).toBeLessThan(1e-12);
    for (let p = 0; p < n; p++) {
      for (let q = 0; q < n; q++) {
        let dot = 0;
        for (let k = 0; k < n; k++) dot += eig.vectors[k * n + p] * eig.vectors[k * n + q];
        expect(dot).toBeCloseTo(p === q ? 1 : 0, 12);
      }
    }
    for (let i = 1; i < n; i++) expect(eig.values[i]).toBeGreaterThanOrEqual(eig.values[i - 1]);
  });

  it('handles diagonal and zero matrices', () => {
    expect([...symmetricEigen(new Float64Array([3, 0, 0, -1]), 2).values]).toEqual([-1, 3]);
    expect([...symmetricEigen(new Float64Array(9), 3).values]).toEqual([0, 0, 0]);
  });

  it('names the argument on bad input', () => {
    expect(() => symmetricEigen(new Float64Array(3), 2)).toThrow(/matrix\.length: got 3; expected 4/);
    expect(() => symmetricEigen(new Float64Array([1, Number.NaN, 0, 1]), 2, 'S')).toThrow(ValidationError);
    expect(() => symmetricEigen(new Float64Array([1, Number.NaN, 0, 1]), 2, 'S')).toThrow(/S\[1\]: got NaN/);
  });
});
