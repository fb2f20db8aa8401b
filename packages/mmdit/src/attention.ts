import { invalid, tf } from '@rectiflow/core';
import { FUSED_KERNELS, hasFusedKernel, runFusedKernel } from './fused-kernels';
import { batchMatMul } from './matmul';

/**
 * Attention per head, heads first: `softmax(q k^T / sqrt(d)) v` for `q [N, Lq, d]`,
 * `k`, `v [N, Lk, d]`, where N enumerates (head, batch) pairs; returns `[N, Lq, d]`.
 * Keys are transposed once, so both products are batched matmuls without transpose
 * flags, and their gradients transpose explicitly (see {@link batchMatMul}).
 */
export function attendHeads(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor3D {
  const d = q.shape[2];
  return tf.tidy(() => {
    const scores = batchMatMul(tf.mul(q, 1 / Math.sqrt(d)), tf.transpose(k, [0, 2, 1]));
    const weights = hasFusedKernel(FUSED_KERNELS.softmax, scores)
      ? runFusedKernel(FUSED_KERNELS.softmax, { x: scores })
      : tf.softmax(scores);
    return batchMatMul(weights as tf.Tensor3D, v);
  });
}

/** `[B, L, H*d]` (heads flattened as `[h0 | h1 | ...]`) -> heads first `[H, B, L, d]`. */
export function splitHeads(x: tf.Tensor3D, heads: number): tf.Tensor4D {
  const [b, l, dim] = x.shape;
  return tf.tidy(() => tf.transpose(tf.reshape(x, [b, l, heads, dim / heads]), [2, 0, 1, 3]));
}

/** Heads first `[H, B, L, d]` -> `[B, L, H*d]`. */
export function mergeHeads(x: tf.Tensor4D): tf.Tensor3D {
  const [h, b, l, d] = x.shape;
  return tf.tidy(() => tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [b, l, h * d]));
}

/**
 * Multi-head scaled dot-product attention `softmax(q k^T / sqrt(d)) v` on
 * `q [B, Lq, H*d]`, `k`, `v [B, Lk, H*d]` with heads flattened as `[h0 | h1 | ...]`;
 * returns `[B, Lq, H*d]`.
 */
export function scaledDotProductAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number): tf.Tensor3D {
  const [b, lq, dim] = q.shape;
  const lk = k.shape[1];
  if (dim % heads !== 0) invalid('attention width', dim, `a multiple of the head count ${heads}`);
  if (k.shape[0] !== b || v.shape[0] !== b || k.shape[2] !== dim || v.shape[2] !== dim || v.shape[1] !== lk) {
    invalid('attention k/v shapes', [k.shape, v.shape], `[${b}, Lk, ${dim}] for both`);
  }
  const d = dim / heads;
  return tf.tidy(() => {
    const flat = (t: tf.Tensor3D) => tf.reshape(splitHeads(t, heads), [heads * b, t.shape[1], d]) as tf.Tensor3D;
    const out = attendHeads(flat(q), flat(k), flat(v));
    return mergeHeads(tf.reshape(out, [heads, b, lq, d]));
  });
}
