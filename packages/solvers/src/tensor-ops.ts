/**
 * {@link VectorOps} on tfjs tensors: every operation runs inside `tf.tidy`, so only the
 * returned tensor survives. Reductions read back one or two scalars.
 */
import { tf, type VectorOps } from '@rectiflow/core';

/** Vector operations on tfjs tensors (float32; all tensors of one solve share a shape). */
export const tensorOps: VectorOps<tf.Tensor> = {
  combine(terms) {
    return tf.tidy(() => {
      let acc: tf.Tensor | undefined;
      for (const [c, v] of terms) {
        const term = c === 1 ? v : tf.mul(v, c);
        acc = acc === undefined ? (c === 1 ? tf.clone(v) : term) : tf.add(acc, term);
      }
      return acc as tf.Tensor;
    });
  },
  errorNorm(err, y0, y1, rtol, atol) {
    const norm = tf.tidy(() => {
      const scale = tf.add(atol, tf.mul(rtol, tf.maximum(tf.abs(y0), tf.abs(y1))));
      return tf.sqrt(tf.mean(tf.square(tf.div(err, scale))));
    });
    const value = norm.dataSync()[0];
    norm.dispose();
    return value;
  },
  countNonFinite(v) {
    const counts = tf.tidy(() => tf.stack([tf.sum(tf.cast(tf.isNaN(v), 'float32')), tf.sum(tf.cast(tf.isInf(v), 'float32'))]));
    const [nan, inf] = counts.dataSync();
    counts.dispose();
    return { nan, inf };
  },
  dispose(v) {
    v.dispose();
  },
};
