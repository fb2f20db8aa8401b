import { tf } from '@rectiflow/core';
import { FUSED_KERNELS, hasFusedKernel, runFusedKernel } from './fused-kernels';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU with the tanh approximation, `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`,
 * computed through the identical form `x * sigmoid(2 z)`, which is faster to
 * differentiate on tfjs; or by the fused kernel when one is registered.
 */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  if (hasFusedKernel(FUSED_KERNELS.geluTanh, x)) return runFusedKernel(FUSED_KERNELS.geluTanh, { x });
  return tf.tidy(() => {
    const cube = tf.mul(tf.mul(x, x), x);
    const z2 = tf.mul(tf.add(x, tf.mul(cube, 0.044715)), 2 * SQRT_2_OVER_PI);
    return tf.mul(x, tf.sigmoid(z2));
  });
}

/** SiLU (swish): `x * sigmoid(x)`. */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}
