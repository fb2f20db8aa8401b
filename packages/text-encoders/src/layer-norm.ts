/** Layer normalisation over the last axis (mean and variance), as in CLIP. */
import { tf } from '@rectiflow/core';

/** `(x - mean) / sqrt(var + eps) * gain + bias` over the last axis. */
export function layerNorm(x: tf.Tensor, gain: tf.Tensor1D, bias: tf.Tensor1D, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const axis = x.rank - 1;
    const mean = tf.mean(x, axis, true);
    const centered = tf.sub(x, mean);
    const variance = tf.mean(tf.mul(centered, centered), axis, true);
    return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, eps))), gain), bias);
  });
}
