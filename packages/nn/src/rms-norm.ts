import { tf } from '@rectiflow/core';
import { FUSED_KERNELS, hasFusedKernel, runFusedKernel } from './fused-kernels';

/**
 * RMS normalisation over the last axis, `x * rsqrt(mean(x^2) + eps)`, times `gain` when given
 * (T5's `T5LayerNorm`, the MM-DiT's q/k norm): no mean subtraction, no bias.
 */
export function rmsNorm(x: tf.Tensor, gain?: tf.Tensor, eps = 1e-6): tf.Tensor {
  const channels = x.shape[x.rank - 1];
  if (gain?.rank === 1 && gain.size === channels && gain.dtype === 'float32' && hasFusedKernel(FUSED_KERNELS.rmsNorm, x)) {
    return runFusedKernel(FUSED_KERNELS.rmsNorm, { x, gain }, { eps });
  }
  return tf.tidy(() => {
    const normed = tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.mul(x, x), x.rank - 1, true), eps)));
    return gain ? tf.mul(normed, gain) : normed;
  });
}
