import type { tf } from '../tf';
import type { Serialisable } from './serialisable';
import type { Trainable } from './trainable';

/** The conditioning a model receives. Models ignore what they do not use. */
export interface Conditioning {
  /** Text tokens [B, L, D]. */
  context?: tf.Tensor;
  /** The pooled text vector [B, Dp]. */
  pooled?: tf.Tensor;
  /** 1 for real tokens, 0 for padding, [B, L]. */
  contextMask?: tf.Tensor;
}

/** Per-call options of a model. */
export interface ModelCallOptions {
  /** Indices of blocks to evaluate as the identity (skip-layer guidance). */
  skipLayers?: readonly number[];
}

/**
 * The model contract: the velocity dz/dt at state `x` [B, ...] and noise level `t` [B]
 * in [0, 1] (t = 1 is pure noise). Any function of this shape plugs into the samplers.
 */
export type VelocityFn = (x: tf.Tensor, t: tf.Tensor1D, cond: Conditioning, options?: ModelCallOptions) => tf.Tensor;

/**
 * A trainable velocity model. What a trainer needs beyond this is a capability the model
 * may add: {@link Trainable} (named variables to update) and {@link Serialisable}
 * (checkpoints); see {@link TrainableVelocityModel}.
 */
export interface VelocityModel {
  /** The spec that created it, e.g. `mmdit(depth=2)`. */
  readonly name: string;
  /** The velocity; see {@link VelocityFn}. */
  predict: VelocityFn;
  /** The variables an optimiser updates. */
  trainableVariables(): tf.Variable[];
  /** Number of scalar parameters, buffers included, where the model knows it. */
  parameterCount?(): number;
  /** Free the model's tensors. */
  dispose(): void;
}

/** A velocity model a trainer can train and checkpoint. */
export type TrainableVelocityModel = VelocityModel & Trainable & Serialisable;
