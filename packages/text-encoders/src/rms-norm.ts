/** RMS normalisation over the last axis (T5's `T5LayerNorm`): no mean subtraction, no bias. */
import { tf } from '@rectiflow/core';

/** `x / sqrt(mean(x²) + eps) * gain` over the last axis. */
export function rmsNorm(x: tf.Tensor, gain: tf.Tensor1D, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const meanSquare = tf.mean(tf.mul(x, x), x.rank - 1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps))), gain);
  });
}
