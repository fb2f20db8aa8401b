/**
 * The Frechet distance between two Gaussians fitted to feature vectors (the distance
 * behind FID): |mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a^{1/2} S_b S_a^{1/2})^{1/2}), in
 * float64 with a symmetric eigendecomposition (no general matrix square root needed).
 */
import { checkNumber, invalid } from '@rectiflow/core';
import { checkSquare, symmetricEigen, symmetricFunction } from './symmetric-eigen';

/** Mean and unbiased covariance of a set of feature vectors, float64. */
export interface FeatureStatistics {
  /** [dim]. */
  mean: Float64Array;
  /** Row-major [dim, dim], normalised by count - 1. */
  covariance: Float64Array;
  /** The number of feature vectors. */
  count: number;
}

/**
 * Mean and unbiased covariance of `count` feature vectors of `dim` values each, stored
 * row after row in `features`.
 * @throws ValidationError naming `features` when a value is NaN or infinite.
 * @example
 * ```ts
 * const stats = featureStatistics(new Float32Array([0, 0, 2, 2]), 2, 2); // mean [1, 1]
 * ```
 */
export function featureStatistics(features: ArrayLike<number>, count: number, dim: number, field = 'features'): FeatureStatistics {
  checkNumber('count', count, { integer: true, min: 2 });
  checkNumber('dim', dim, { integer: true, min: 1 });
  if (!features || typeof features.length !== 'number') invalid(field, features, 'a Float32Array of count * dim values');
  if (features.length !== count * dim) invalid(`${field}.length`, features.length, `count * dim = ${count} * ${dim} = ${count * dim}`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let d = 0; d < dim; d++) {
      const x = features[i * dim + d];
      if (!Number.isFinite(x)) invalid(`${field}[${i * dim + d}] (vector ${i}, dimension ${d})`, x, 'a finite number');
      mean[d] += x;
    }
  }
  for (let d = 0; d < dim; d++) mean[d] /= count;
  const covariance = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let d = 0; d < dim; d++) centred[d] = features[i * dim + d] - mean[d];
    for (let r = 0; r < dim; r++) {
      const cr = centred[r];
      if (cr === 0) continue;
      const row = r * dim;
      for (let c = r; c < dim; c++) covariance[row + c] += cr * centred[c];
    }
  }
  for (let r = 0; r < dim; r++) {
    for (let c = r; c < dim; c++) {
      const value = covariance[r * dim + c] / (count - 1);
      covariance[r * dim + c] = value;
      covariance[c * dim + r] = value;
    }
  }
  return { mean, covariance, count };
}

function checkStatistics(field: string, stats: FeatureStatistics): number {
  if (!stats || typeof stats !== 'object' || !stats.mean || !stats.covariance) {
    invalid(field, stats, 'feature statistics { mean, covariance, count } (featureStatistics)');
  }
  const dim = stats.mean.length;
  if (dim < 1) invalid(`${field}.mean.length`, dim, 'at least 1');
  for (let d = 0; d < dim; d++) {
    if (!Number.isFinite(stats.mean[d])) invalid(`${field}.mean[${d}]`, stats.mean[d], 'a finite number');
  }
  checkSquare(`${field}.covariance`, stats.covariance, dim);
  return dim;
}

/**
 * The Frechet distance between the Gaussians N(a.mean, a.covariance) and
 * N(b.mean, b.covariance). Symmetric, >= 0, and 0 for identical statistics. Tiny negative
 * eigenvalues from rounding are clamped to 0.
 * @example
 * ```ts
 * const d = frechetDistance(featureStatistics(real, n, 128), featureStatistics(fake, m, 128));
 * ```
 */
export function frechetDistance(a: FeatureStatistics, b: FeatureStatistics): number {
  const dim = checkStatistics('a', a);
  const dimB = checkStatistics('b', b);
  if (dimB !== dim) invalid('b.mean.length', dimB, `${dim}, the dimension of a`);
  let meanTerm = 0;
  for (let d = 0; d < dim; d++) meanTerm += (a.mean[d] - b.mean[d]) ** 2;
  let trace = 0;
  for (let d = 0; d < dim; d++) trace += a.covariance[d * dim + d] + b.covariance[d * dim + d];
  // tr((S_a^{1/2} S_b S_a^{1/2})^{1/2}) = sum of the square roots of the eigenvalues of M.
  const rootA = symmetricFunction(symmetricEigen(a.covariance, dim, 'a.covariance'), (x) => Math.sqrt(Math.max(x, 0)));
  const temp = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let k = 0; k < dim; k++) {
      const aik = rootA[i * dim + k];
      if (aik === 0) continue;
      for (let j = 0; j < dim; j++) temp[i * dim + j] += aik * b.covariance[k * dim + j];
    }
  }
  const m = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let k = 0; k < dim; k++) {
      const tik = temp[i * dim + k];
      if (tik === 0) continue;
      for (let j = 0; j < dim; j++) m[i * dim + j] += tik * rootA[k * dim + j];
    }
  }
  const { values } = symmetricEigen(m, dim, 'S_a^1/2 S_b S_a^1/2');
  let rootTrace = 0;
  for (const value of values) rootTrace += Math.sqrt(Math.max(value, 0));
  return Math.max(meanTerm + trace - 2 * rootTrace, 0);
}
