/**
 * Group normalisation over NHWC activations, as `torch.nn.GroupNorm` computes it
 * (biased variance, affine gain and bias per channel).
 */
import { invalid, tf } from '@rectiflow/core';

/** GroupNorm with learned per-channel gain and bias. Owns its tensors. */
export class GroupNorm {
  readonly gamma: tf.Tensor1D;
  readonly beta: tf.Tensor1D;

  /**
   * @param gamma gain [C]; copied.
   * @param beta bias [C]; copied.
   */
  constructor(
    gamma: tf.Tensor,
    beta: tf.Tensor,
    readonly groups = 32,
    readonly eps = 1e-6,
  ) {
    const channels = gamma.shape[0];
    if (channels % groups !== 0) invalid('GroupNorm channels', channels, `a multiple of the ${groups} groups`);
    this.gamma = tf.clone(gamma) as tf.Tensor1D;
    this.beta = tf.clone(beta) as tf.Tensor1D;
  }

  /** Normalise NHWC input. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => groupNorm(x, this.groups, this.eps).mul(this.gamma).add(this.beta));
  }

  dispose(): void {
    tf.dispose([this.gamma, this.beta]);
  }
}

/** Group normalisation without the affine part: NHWC in, NHWC out. */
export function groupNorm(x: tf.Tensor4D, groups: number, eps: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape;
    const grouped = tf.reshape(x, [b, h * w, groups, c / groups]);
    const { mean, variance } = tf.moments(grouped, [1, 3], true);
    const normed = tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, eps)));
    return tf.reshape(normed, [b, h, w, c]);
  });
}
