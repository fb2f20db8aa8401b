import type { tf } from '../tf';
import type { Serialisable } from './serialisable';
import type { Trainable } from './trainable';

/** The conditioning produced from a batch of prompts. */
export interface TextEncoding {
  /** Token features [B, L, D]. */
  context: tf.Tensor3D;
  /** Pooled vector [B, Dp]. */
  pooled: tf.Tensor2D;
  /** 1 for real tokens, 0 for padding, [B, L], where the encoder has a mask. */
  mask?: tf.Tensor2D;
}

/**
 * A text encoder. The empty prompt is valid: it gives the unconditional input. An encoder
 * trained with the model adds the {@link Trainable} and {@link Serialisable} capabilities;
 * see {@link TrainableTextEncoder}.
 */
export interface TextEncoder {
  /** The spec that created it, e.g. `sd3-text`. */
  readonly name: string;
  /** D of `context`. */
  readonly contextDim: number;
  /** Dp of `pooled`. */
  readonly pooledDim: number;
  /** L of `context` where it is fixed (tokens per prompt). */
  readonly length?: number;
  /** Encode a batch of prompts. */
  encode(prompts: readonly string[]): TextEncoding;
  /** The variables a trainer updates, for encoders trained with the model; absent or empty when frozen. */
  trainableVariables?(): tf.Variable[];
  /** Free the encoder's tensors. */
  dispose(): void;
}

/** A text encoder a trainer can train with the model and checkpoint. */
export type TrainableTextEncoder = TextEncoder & Trainable & Serialisable;
