import type { tf } from '@rectiflow/core';
import { linear } from '@rectiflow/nn';
import type { ParamInit, ParamStore } from './parameters';

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Whether the layer has a bias. Default true. */
  bias?: boolean;
  /** Weight initialisation. Default Xavier uniform. */
  init?: ParamInit;
  /** Bias initialisation. Default zeros. */
  biasInit?: ParamInit;
}

/**
 * A linear layer `y = x W^T + b` with official keys `<key>.weight [out, in]` and
 * `<key>.bias [out]`. The weight is stored pre-transposed as [in, out], so the forward
 * pass is one plain 2-D matmul.
 */
export class Linear {
  /** [in, out]. */
  readonly weight: tf.Variable;
  /** [out], or null. */
  readonly bias: tf.Variable | null;

  constructor(
    store: ParamStore,
    key: string,
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    const init = options.init ?? { kind: 'xavier', fanIn: inFeatures, fanOut: outFeatures };
    this.weight = store.create(`${key}.weight`, [outFeatures, inFeatures], 'linear', init);
    this.bias = options.bias === false ? null : store.create(`${key}.bias`, [outFeatures], 'plain', options.biasInit ?? { kind: 'zeros' });
  }

  /** Apply to `x [..., in]`; returns `[..., out]`. */
  apply(x: tf.Tensor): tf.Tensor {
    return linear(x, this.weight as tf.Tensor2D, this.bias);
  }
}
