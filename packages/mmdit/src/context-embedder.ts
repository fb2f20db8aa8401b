import { invalid, type tf } from '@rectiflow/core';
import { Linear } from './linear';
import type { ParamStore } from './parameters';

/** The context embedder: one `Linear(contextDim -> D)` on the text tokens (key `context_embedder`). */
export class ContextEmbedder {
  readonly linear: Linear;
  constructor(
    store: ParamStore,
    key: string,
    readonly contextDim: number,
    readonly hidden: number,
  ) {
    this.linear = new Linear(store, key, contextDim, hidden);
  }

  /** `context [B, L, contextDim]` -> `[B, L, D]`. */
  apply(context: tf.Tensor3D): tf.Tensor3D {
    if (context.rank !== 3 || context.shape[2] !== this.contextDim) {
      invalid('context.shape', [...context.shape], `[B, L, ${this.contextDim}] (the context width of this model)`);
    }
    return this.linear.apply(context) as tf.Tensor3D;
  }
}
