import { invalid, tf } from '@rectiflow/core';
import { silu } from '@rectiflow/nn';
import { Linear } from './linear';
import type { ParamStore } from './parameters';

/**
 * The pooled-vector embedder `y_embedder`: `Linear(inDim -> D) -> SiLU -> Linear(D -> D)`
 * (keys `<key>.mlp.0`, `<key>.mlp.2`).
 */
export class VectorEmbedder {
  readonly fc1: Linear;
  readonly fc2: Linear;
  constructor(
    store: ParamStore,
    key: string,
    readonly inDim: number,
    readonly hidden: number,
  ) {
    this.fc1 = new Linear(store, `${key}.mlp.0`, inDim, hidden);
    this.fc2 = new Linear(store, `${key}.mlp.2`, hidden, hidden);
  }

  /** `y [B, inDim]` -> `[B, D]`. */
  apply(y: tf.Tensor2D): tf.Tensor2D {
    if (y.rank !== 2 || y.shape[1] !== this.inDim) invalid('pooled.shape', [...y.shape], `[B, ${this.inDim}]`);
    return tf.tidy(() => this.fc2.apply(silu(this.fc1.apply(y))) as tf.Tensor2D);
  }
}
