import { tf } from '@rectiflow/core';

/** LayerNorm over the last axis without affine parameters: `(x - mean) / sqrt(var + eps)`. */
export function layerNorm(x: tf.Tensor, eps = 1e-6): tf.Tensor {
  return tf.tidy(() => {
    const axis = x.rank - 1;
    const centred = tf.sub(x, tf.mean(x, axis, true));
    const variance = tf.mean(tf.mul(centred, centred), axis, true);
    return tf.mul(centred, tf.rsqrt(tf.add(variance, eps)));
  });
}
