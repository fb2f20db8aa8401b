import type { tf } from '@rectiflow/core';
import { rmsNorm } from '@rectiflow/nn';
import type { ParamStore } from './parameters';

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
