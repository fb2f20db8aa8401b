import { tf } from '../tf';

/** Tolerances: |actual - expected| <= atol + rtol * |expected|, elementwise. */
export interface CloseOptions {
  atol?: number;
  rtol?: number;
  /** Name used in the failure message. */
  label?: string;
}

/** What {@link expectClose} compares. */
export type Numeric = tf.Tensor | ArrayLike<number> | number;

function toArray(value: Numeric): { data: ArrayLike<number>; shape: number[] | undefined } {
  if (typeof value === 'number') return { data: [value], shape: [] };
  if (value instanceof tf.Tensor) return { data: value.dataSync() as ArrayLike<number>, shape: value.shape };
  return { data: value, shape: undefined };
}

/** The result of comparing two arrays. */
export interface Comparison {
  maxAbsError: number;
  /** Index of the worst violation of the tolerance, or of the largest error. */
  worstIndex: number;
  /** Number of entries outside the tolerance. */
  failures: number;
}

/** Compare elementwise; NaN only matches NaN at the same place. */
export function compareArrays(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number): Comparison {
  let maxAbsError = 0;
  let worstIndex = -1;
  let worstExcess = -Infinity;
  let failures = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(a) || Number.isNaN(e)) {
      if (Number.isNaN(a) !== Number.isNaN(e)) {
        failures++;
        if (worstExcess < Infinity) {
          worstExcess = Infinity;
          worstIndex = i;
        }
      }
      continue;
    }
    const err = a === e ? 0 : Math.abs(a - e);
    if (err > maxAbsError) maxAbsError = err;
    const excess = err - (atol + rtol * Math.abs(e));
    if (excess > 0) failures++;
    if (excess > worstExcess) {
      worstExcess = excess;
      worstIndex = i;
    }
  }
  return { maxAbsError, worstIndex, failures };
}

/**
 * Assert that two tensors, arrays or numbers are elementwise close. Shapes must match
 * when both are tensors; lengths must match otherwise.
 */
export function expectClose(actual: Numeric, expected: Numeric, options: CloseOptions = {}): Comparison {
  const { atol = 1e-5, rtol = 1e-5, label = 'value' } = options;
  const a = toArray(actual);
  const e = toArray(expected);
  if (a.shape && e.shape && (a.shape.length !== e.shape.length || a.shape.some((d, i) => d !== e.shape?.[i]))) {
    throw new Error(`${label}: shape [${a.shape}] differs from expected [${e.shape}]`);
  }
  if (a.data.length !== e.data.length) {
    throw new Error(`${label}: length ${a.data.length} differs from expected ${e.data.length}`);
  }
  const cmp = compareArrays(a.data, e.data, atol, rtol);
  if (cmp.failures > 0) {
    const i = cmp.worstIndex;
    throw new Error(
      `${label}: ${cmp.failures} of ${e.data.length} entries outside atol=${atol}, rtol=${rtol}; ` +
        `max abs error ${cmp.maxAbsError.toExponential(3)}; worst at flat index ${i}: got ${a.data[i]}, expected ${e.data[i]}`,
    );
  }
  return cmp;
}

/** Assert |actual - expected| <= rtol |expected| elementwise (no absolute tolerance), naming the worst entry. */
export function expectRelClose(actual: Numeric, expected: Numeric, rtol: number, label = 'value'): Comparison {
  return expectClose(actual, expected, { atol: 0, rtol, label });
}
