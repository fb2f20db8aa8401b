/**
 * The eigendecomposition of a real symmetric matrix in float64 by the cyclic Jacobi
 * method: plane rotations zero the off-diagonal entries one pair at a time until the
 * matrix is diagonal to machine precision. O(n^3) per sweep, a handful of sweeps; exact
 * enough for the covariance matrices of feature vectors (a few hundred dimensions).
 */
import { invalid, RectiflowError } from '@rectiflow/core';

/** What {@link symmetricEigen} returns. */
export interface SymmetricEigen {
  /** The eigenvalues, ascending. */
  values: Float64Array;
  /** The eigenvectors as the columns of a row-major n x n matrix, in the order of `values`. */
  vectors: Float64Array;
}

const MAX_SWEEPS = 64;

/** Check that `matrix` is a finite row-major n x n matrix; returns n. */
export function checkSquare(field: string, matrix: ArrayLike<number>, n: number): number {
  if (!Number.isInteger(n) || n < 1) invalid(`${field} size`, n, 'an integer >= 1');
  if (matrix.length !== n * n) invalid(`${field}.length`, matrix.length, `${n * n} (a row-major ${n}x${n} matrix)`);
  for (let i = 0; i < matrix.length; i++) {
    if (!Number.isFinite(matrix[i])) invalid(`${field}[${i}]`, matrix[i], 'a finite number');
  }
  return n;
}

/**
 * Eigenvalues and eigenvectors of the symmetric row-major n x n `matrix` (only its
 * symmetric part is used: (A + A^T) / 2). `A = V diag(values) V^T`.
 * @example
 * ```ts
 * const { values, vectors } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2); // values [1, 3]
 * ```
 */
export function symmetricEigen(matrix: ArrayLike<number>, n: number, field = 'matrix'): SymmetricEigen {
  checkSquare(field, matrix, n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = 0.5 * (matrix[i * n + j] + matrix[j * n + i]);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < a.length; i++) total += a[i] * a[i];
  let converged = total === 0;
  for (let sweep = 0; sweep < MAX_SWEEPS && !converged; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += 2 * a[p * n + q] * a[p * n + q];
    if (off <= 1e-30 * total) {
      converged = true;
      break;
    }
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        // The rotation angle that zeroes a[p][q]: t = tan(phi), the smaller root.
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = 0;
        a[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  if (!converged) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += 2 * a[p * n + q] * a[p * n + q];
    if (off > 1e-24 * total) throw new RectiflowError(`${field}: the Jacobi eigendecomposition did not converge in ${MAX_SWEEPS} sweeps`);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i * n + i] - a[j * n + j]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((from, to) => {
    values[to] = a[from * n + from];
    for (let k = 0; k < n; k++) vectors[k * n + to] = v[k * n + from];
  });
  return { values, vectors };
}

/**
 * `f(A) = V diag(f(values)) V^T` for a symmetric matrix given by its eigendecomposition,
 * e.g. the square root of a positive semi-definite matrix with `f = (x) => Math.sqrt(Math.max(x, 0))`.
 */
export function symmetricFunction({ values, vectors }: SymmetricEigen, f: (value: number) => number): Float64Array {
  const n = values.length;
  const fv = values.map(f);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += vectors[i * n + k] * fv[k] * vectors[j * n + k];
      out[i * n + j] = sum;
      out[j * n + i] = sum;
    }
  }
  return out;
}
