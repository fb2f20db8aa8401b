import { tf } from '@rectiflow/core';
import { AdaLNModulation, layerNormModulate } from './adaln-modulation';
import { Linear } from './linear';
import type { ParamStore } from './parameters';

/**
 * The final layer: adaLN (shift, scale) on a non-affine LayerNorm, then
 * `Linear(D -> p*p*C)` (keys `<key>.adaLN_modulation.1`, `<key>.linear`). New models
 * initialise both to zero.
 */
export class FinalLayer {
  readonly modulation: AdaLNModulation;
  readonly linear: Linear;
  constructor(
    store: ParamStore,
    key: string,
    readonly hidden: number,
    readonly outFeatures: number,
  ) {
    this.modulation = new AdaLNModulation(store, `${key}.adaLN_modulation`, hidden, 2);
    this.linear = new Linear(store, `${key}.linear`, hidden, outFeatures, { init: { kind: 'zeros' } });
  }

  /** `x [B, L, D]`, `c [B, D]` -> `[B, L, p*p*C]`. */
  apply(x: tf.Tensor3D, c: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [shift, scale] = this.modulation.split(this.modulation.raw(c));
      return this.linear.apply(layerNormModulate(x, shift, scale)) as tf.Tensor3D;
    });
  }
}
