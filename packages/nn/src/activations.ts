/**
 * The activations of the MM-DiT, the text encoders and the autoencoders. `geluTanh` and `silu` run
 * their fused native kernels when registered.
 */
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

/** The exact GELU, `x/2 (1 + erf(x / sqrt 2))`. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
}

/** OpenAI CLIP's `x * sigmoid(1.702 x)`. */
export function quickGelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(tf.mul(x, 1.702))));
}

/**
 * SiLU (swish): `x * sigmoid(x)`. Differentiable on every backend; one fused kernel forward and
 * one backward when registered.
 */
export function silu<T extends tf.Tensor>(x: T): T {
  if (hasFusedKernel(FUSED_KERNELS.silu, x)) return runFusedKernel(FUSED_KERNELS.silu, { x }) as T;
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}
