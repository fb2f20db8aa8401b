import { type Conditioning, type ModelCallOptions, tf, type VelocityModel } from '@rectiflow/core';
import type { MMDiT } from './mmdit';

/**
 * An {@link MMDiT} as a `VelocityModel` (from `@rectiflow/core`) for the samplers and trainers: `predict`
 * takes the noise level `t` in [0, 1] and feeds `t * 1000` to the model, as SD3 does;
 * `cond.context` and `cond.pooled` are the text tokens and the pooled vector.
 */
export class MMDiTVelocityModel implements VelocityModel {
  constructor(
    readonly model: MMDiT,
    readonly name = 'mmdit',
  ) {}

  /** The velocity at latents `x [B, C, H, W]` and noise levels `t [B]`. */
  readonly predict = (x: tf.Tensor, t: tf.Tensor1D, cond: Conditioning, options?: ModelCallOptions): tf.Tensor =>
    tf.tidy(() => this.model.forward(x, tf.mul(t, 1000), cond.pooled, cond.context, { skipLayers: options?.skipLayers }));

  trainableVariables(): tf.Variable[] {
    return this.model.trainableVariables();
  }

  dispose(): void {
    this.model.dispose();
  }
}
