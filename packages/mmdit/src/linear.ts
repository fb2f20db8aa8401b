import { tf } from '@rectiflow/core';
import { matMul2d } from './matmul';
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
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      const flat = x.rank === 2 ? (x as tf.Tensor2D) : (tf.reshape(x, [-1, this.inFeatures]) as tf.Tensor2D);
      let y: tf.Tensor = matMul2d(flat, this.weight as tf.Tensor2D);
      if (this.bias) y = tf.add(y, this.bias);
      return x.rank === 2 ? y : tf.reshape(y, [...lead, this.outFeatures]);
    });
  }
}
