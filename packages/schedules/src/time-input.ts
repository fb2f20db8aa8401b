/**
 * Validation of times: numbers in [0, 1] and 1-D time tensors matched to a batch.
 */
import { checkShape, invalid, tf } from '@rectiflow/core';

/** Check one time value: a finite number in [0, 1]. */
export function checkTime(field: string, t: number): number {
  if (typeof t !== 'number' || !(t >= 0 && t <= 1)) invalid(field, t, 'a number in [0, 1] (t = 0 is data, t = 1 is noise)');
  return t;
}

/**
 * Read a time tensor back as float64 numbers and check every entry is in [0, 1].
 * One small synchronous read; it is what lets the coefficients be computed in float64.
 */
export function readTimes(field: string, t: tf.Tensor): Float64Array {
  if (!(t instanceof tf.Tensor)) invalid(field, t, 'a tf.Tensor of times in [0, 1]');
  const data = t.dataSync();
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(v >= 0 && v <= 1)) {
      invalid(`${field}[${i}]`, v, 'a time in [0, 1] (t = 0 is data, t = 1 is noise); NaN is not allowed');
    }
    out[i] = v;
  }
  return out;
}

/** Check that `t` is 1-D with one entry per batch row of `x` ([B, ...]). */
export function checkBatchTimes(tField: string, t: tf.Tensor, xField: string, x: tf.Tensor): void {
  if (!(x instanceof tf.Tensor)) invalid(xField, x, 'a tf.Tensor [B, ...]');
  if (x.rank < 1) invalid(`${xField}.shape`, x.shape, 'a batch [B, ...] of rank >= 1');
  if (!(t instanceof tf.Tensor)) invalid(tField, t, 'a tf.Tensor1D [B] of times in [0, 1]');
  checkShape(tField, t, [x.shape[0]]);
}

/** Check two tensors have the same shape. */
export function checkSameShape(field: string, x: tf.Tensor, refField: string, ref: tf.Tensor): void {
  if (!(x instanceof tf.Tensor)) invalid(field, x, `a tf.Tensor shaped like ${refField}`);
  const same = x.shape.length === ref.shape.length && x.shape.every((d, i) => d === ref.shape[i]);
  if (!same) invalid(`${field}.shape`, x.shape, `[${ref.shape.join(', ')}] (the shape of ${refField})`);
}

/** Per-sample float64 values as a float32 tensor [B, 1, ..., 1] that broadcasts over x [B, ...]. */
export function perSample(values: Float64Array, rank: number): tf.Tensor {
  const shape = [values.length, ...new Array<number>(Math.max(0, rank - 1)).fill(1)];
  return tf.tensor(Float32Array.from(values), shape, 'float32');
}
