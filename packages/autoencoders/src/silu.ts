import { tf } from '@rectiflow/core';

/** SiLU (swish): x * sigmoid(x). Differentiable on every backend. */
export function silu<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}
