import {
  type Conditioning,
  checkWeights,
  type ModelCallOptions,
  type Serialisable,
  type Trainable,
  tf,
  type VelocityModel,
} from '@rectiflow/core';
import type { MMDiT } from './mmdit';
import { toStoredLayout } from './parameters';

/**
 * An {@link MMDiT} as a `VelocityModel` (from `@rectiflow/core`) for the samplers and trainers: `predict`
 * takes the noise level `t` in [0, 1] and feeds `t * 1000` to the model, as SD3 does;
 * `cond.context` and `cond.pooled` are the text tokens and the pooled vector. It is
 * `Trainable` (variables by official key) and `Serialisable` (official keys and layouts,
 * what `loadMMDiT` reads).
 */
export class MMDiTVelocityModel implements VelocityModel, Trainable, Serialisable {
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

  /** The trainable variables by official key (the position table is not one). */
  trainableWeights(): Map<string, tf.Variable> {
    return new Map(
      this.model
        .parameters()
        .filter((e) => e.variable.trainable)
        .map((e) => [e.key, e.variable]),
    );
  }

  /** Number of scalar parameters, buffers included. */
  parameterCount(): number {
    return this.model.parameterCount();
  }

  /** Every weight under its official key and layout (new tensors; the caller disposes them). */
  stateDict(): Map<string, tf.Tensor> {
    return this.model.stateDict();
  }

  /**
   * Assign weights in the official keys and layouts of {@link stateDict}.
   * @throws WeightMismatchError listing every missing, misshaped or unexpected tensor
   */
  loadStateDict(weights: ReadonlyMap<string, tf.Tensor>): void {
    const entries = this.model.parameters();
    checkWeights(`MM-DiT ${this.name}`, weights, new Map(entries.map((e) => [e.key, e.officialShape])));
    for (const e of entries) {
      const stored = toStoredLayout(weights.get(e.key) as tf.Tensor, e.layout);
      e.variable.assign(stored);
      stored.dispose();
    }
  }

  /** The resolved architecture; with the weights, `new MMDiT(config)` rebuilds the model. */
  spec(): Record<string, unknown> {
    return { name: this.name, config: this.model.config };
  }

  dispose(): void {
    this.model.dispose();
  }
}
