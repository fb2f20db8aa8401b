/**
 * Multi-head scaled dot-product attention on projections kept 2-D (`[B*L, D]`), the layout
 * every linear layer of this package works in.
 */
import { tf } from '@rectiflow/core';

/** Options of {@link multiHeadAttention}. */
export interface AttentionOptions {
  /** Multiplies the scores: `1/sqrt(head_dim)` for CLIP, 1 for T5. */
  scale: number;
  /** Added to the scores; broadcastable to `[B, H, L, L]` (a causal mask, a position bias, a padding mask). */
  bias?: tf.Tensor;
}

/**
 * `softmax(q kᵀ · scale + bias) v` per head.
 * @param q `[B*L, D]`, likewise `k` and `v`
 * @returns `[B*L, D]`
 */
export function multiHeadAttention(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
  batch: number,
  length: number,
  heads: number,
  options: AttentionOptions,
): tf.Tensor2D {
  return tf.tidy(() => {
    const dim = q.shape[1];
    const headDim = dim / heads;
    const split = (t: tf.Tensor, perm: number[], shape: number[]) =>
      tf.reshape(tf.transpose(tf.reshape(t, [batch, length, heads, headDim]), perm), shape);
    const qh = split(options.scale === 1 ? q : tf.mul(q, options.scale), [0, 2, 1, 3], [batch * heads, length, headDim]);
    // kᵀ by an explicit transpose: matMul's transpose flags are slow on wasm.
    const kt = split(k, [0, 2, 3, 1], [batch * heads, headDim, length]);
    const vh = split(v, [0, 2, 1, 3], [batch * heads, length, headDim]);
    let scores: tf.Tensor = tf.matMul(qh, kt);
    if (options.bias) {
      scores = tf.reshape(tf.add(tf.reshape(scores, [batch, heads, length, length]), options.bias), [batch * heads, length, length]);
    }
    const out = tf.matMul(tf.softmax(scores), vh);
    return tf.reshape(tf.transpose(tf.reshape(out, [batch, heads, length, headDim]), [0, 2, 1, 3]), [batch * length, dim]);
  });
}

/** The causal mask `[L, L]`: 0 on and below the diagonal, a large negative number above. */
export function causalMask(length: number): tf.Tensor2D {
  const data = new Float32Array(length * length);
  for (let i = 0; i < length; i++) for (let j = i + 1; j < length; j++) data[i * length + j] = NEGATIVE_LARGE;
  return tf.tensor2d(data, [length, length]);
}

/**
 * What masked scores get: large enough that `exp` underflows to exactly 0, finite so that
 * fully masked rows and gradients stay NaN-free.
 */
export const NEGATIVE_LARGE = -1e9;
