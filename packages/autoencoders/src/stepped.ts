import type { tf } from '@rectiflow/core';

/**
 * Apply one layer and free its input at once, so that the large activations of a deep
 * network do not pile up until the enclosing `tf.tidy` ends. `x` must be an intermediate.
 */
export function stepped(x: tf.Tensor4D, layer: (x: tf.Tensor4D) => tf.Tensor4D): tf.Tensor4D {
  const y = layer(x);
  x.dispose();
  return y;
}
