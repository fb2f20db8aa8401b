import { createRng, ValidationError } from '@rectiflow/core';
import { describe, expect, it } from 'vitest';
import { type FeatureStatistics, featureStatistics, frechetDistance } from './frechet-distance';

const stats = (mean: number[], covariance: number[]): FeatureStatistics => ({
  mean: Float64Array.from(mean),
  covariance: Float64Array.from(covariance),
  count: 100,
});

/** R diag(d) R^T for the 2-D rotation by `angle`. */
function rotated(d: [number, number], angle: number): number[] {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return [c * c * d[0] + s * s * d[1], c * s * (d[0] - d[1]), c * s * (d[0] - d[1]), s * s * d[0] + c * c * d[1]];
}

describe('featureStatistics', () => {
  it('computes the mean and the unbiased covariance', () => {
    // Vectors (0, 0), (2, 2), (4, -2): mean (2, 0); deviations (-2, 0), (0, 2), (2, -2).
    const s = featureStatistics(new Float32Array([0, 0, 2, 2, 4, -2]), 3, 2);
    expect([...s.mean]).toEqual([2, 0]);
    expect([...s.covariance]).toEqual([8 / 2, -4 / 2, -4 / 2, 8 / 2]);
    expect(s.count).toBe(3);
  });

  it('names the argument and the position of a NaN or infinity', () => {
    const f = new Float32Array([0, 1, 2, 3]);
    f[3] = Number.NaN;
    expect(() => featureStatistics(f, 2, 2)).toThrow(/features\[3\] \(vector 1, dimension 1\): got NaN; expected a finite number/);
    f[3] = Number.POSITIVE_INFINITY;
    expect(() => featureStatistics(f, 2, 2, 'imagesB features')).toThrow(/imagesB features\[3\].*got Infinity/);
  });

  it('checks count, dim and length', () => {
    expect(() => featureStatistics(new Float32Array(4), 1, 4)).toThrow(/count: got 1; expected an integer >= 2/);
    expect(() => featureStatistics(new Float32Array(5), 2, 2)).toThrow(/features\.length: got 5; expected count \* dim = 2 \* 2 = 4/);
    expect(() => featureStatistics(new Float32Array(4), 2, 0)).toThrow(ValidationError);
  });
});

describe('frechetDistance', () => {
  it('is 0 for identical statistics', () => {
    const rng = createRng(1);
    const n = 300;
    const dim = 16;
    const s = featureStatistics(Float32Array.from(rng.normalArray(n * dim)), n, dim);
    expect(frechetDistance(s, s)).toBeLessThan(1e-9);
  });

  it('matches the closed form for diagonal covariances', () => {
    // sum (mu_a - mu_b)^2 + sum (sqrt(a_i) - sqrt(b_i))^2 = (1 + 4) + ((2 - 1)^2 + (3 - 1)^2) = 10.
    const a = stats([0, 0], [4, 0, 0, 9]);
    const b = stats([1, 2], [1, 0, 0, 1]);
    expect(frechetDistance(a, b)).toBeCloseTo(10, 10);
    expect(frechetDistance(b, a)).toBeCloseTo(10, 10);
  });

  it('matches the closed form for rotated, non-commuting covariances', () => {
    // tr sqrt(S_a^1/2 S_b S_a^1/2) = sum sqrt(eig(S_a S_b)); for 2x2, eig from trace and determinant.
    const ca = [4, 0, 0, 1];
    const cb = rotated([9, 0.25], 0.7);
    const product = [ca[0] * cb[0] + ca[1] * cb[2], 0, 0, ca[2] * cb[1] + ca[3] * cb[3]];
    const t = product[0] + product[3];
    const det = (ca[0] * ca[3] - ca[1] * ca[2]) * (cb[0] * cb[3] - cb[1] * cb[2]);
    const disc = Math.sqrt(t * t - 4 * det);
    const rootTrace = Math.sqrt((t + disc) / 2) + Math.sqrt((t - disc) / 2);
    const expected = 4 + 1 + 9 + 0.25 - 2 * rootTrace;
    const d = frechetDistance(stats([0, 0], ca), stats([0, 0], cb));
    expect(d).toBeCloseTo(expected, 10);
    expect(frechetDistance(stats([0, 0], cb), stats([0, 0], ca))).toBeCloseTo(expected, 10);
    // Rotating both by the same angle changes nothing: commuting case sum (sqrt a_i - sqrt b_i)^2.
    expect(frechetDistance(stats([0, 0], rotated([4, 1], 1.1)), stats([0, 0], rotated([9, 0.25], 1.1)))).toBeCloseTo(1 + 0.25, 10);
  });

  it('clamps rounding on singular covariances', () => {
    const singular = stats([0, 0, 0], [1, 1, 0, 1, 1, 0, 0, 0, 0]);
    expect(frechetDistance(singular, singular)).toBeGreaterThanOrEqual(0);
    expect(frechetDistance(singular, singular)).toBeLessThan(1e-7);
  });

  it('names the argument on bad statistics', () => {
    const good = stats([0, 0], [1, 0, 0, 1]);
    expect(() => frechetDistance(good, stats([0, 0, 0], [1, 0, 0, 0, 1, 0, 0, 0, 1]))).toThrow(/b\.mean\.length: got 3; expected 2/);
    expect(() => frechetDistance(stats([Number.NaN, 0], [1, 0, 0, 1]), good)).toThrow(/a\.mean\[0\]: got NaN/);
    expect(() => frechetDistance(good, stats([0, 0], [1, 0, 0]))).toThrow(/b\.covariance\.length: got 3; expected 4/);
    expect(() => frechetDistance(good, stats([0, 0], [1, Number.POSITIVE_INFINITY, 0, 1]))).toThrow(/b\.covariance\[1\]: got Infinity/);
    expect(() => frechetDistance(good, null as unknown as FeatureStatistics)).toThrow(/^b: got null/);
  });
});
