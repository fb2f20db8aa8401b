import { tf } from '@rectiflow/core';
import type { ParamStore } from './parameters';

/** RMS normalisation over the last axis: `x * rsqrt(mean(x^2) + eps)`, times `weight` when given. */
export function rmsNorm(x: tf.Tensor, weight?: tf.Tensor, eps = 1e-6): tf.Tensor {
  return tf.tidy(() => {
    const normed = tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.mul(x, x), x.rank - 1, true), eps)));
    return weight ? tf.mul(normed, weight) : normed;
  });
}

/** An RMSNorm with a learned gain `<key>.weight [dim]` (initialised to ones), as the MM-DiT's q/k norm. */
export class RMSNorm {
  readonly weight: tf.Variable;
  constructor(
    store: ParamStore,
    key: string,
    readonly dim: number,
    readonly eps = 1e-6,
    trainable = true,
  ) {
    this.weight = store.create(`${key}.weight`, [dim], 'plain', { kind: 'ones' }, trainable);
  }

  /** Normalise `x [..., dim]`. */
  apply(x: tf.Tensor): tf.Tensor {
    return rmsNorm(x, this.weight, this.eps);
  }
}
