import { tf } from '@rectiflow/core';

/**
 * Layer normalisation over the last axis, `(x - mean) / sqrt(var + eps)`, then times `gain`
 * and plus `bias` when given (CLIP's LayerNorm; the MM-DiT's adaLN uses it without affine
 * parameters).
 */
export function layerNorm(x: tf.Tensor, eps = 1e-6, gain?: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const axis = x.rank - 1;
    const centred = tf.sub(x, tf.mean(x, axis, true));
    const variance = tf.mean(tf.mul(centred, centred), axis, true);
    let y = tf.mul(centred, tf.rsqrt(tf.add(variance, eps)));
    if (gain) y = tf.mul(y, gain);
    return bias ? tf.add(y, bias) : y;
  });
}
