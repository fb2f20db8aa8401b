/**
 * Scaled dot-product attention, written once for the MM-DiT (heads first, `[B, L, H*d]`
 * inputs) and the text encoders (2-D projections `[B*L, D]`, an additive bias for causal
 * masks and T5's position bias). When the fused attention kernel is registered (by
 * `@rectiflow/tfjs-native`), the heads' attention and its backward are one kernel each; else the
 * scores `q k^T` read the keys transposed in place when the native matmul kernel is registered
 * (see `matmul.ts`) and the softmax runs the fused native kernel when one is registered.
 */
import { invalid, tf } from '@rectiflow/core';
import { FUSED_KERNELS, hasFusedKernel, runFusedKernelOutputs } from './fused-kernels';
import { batchMatMul, batchMatMulTransposedB } from './matmul';
import { softmax } from './softmax';

type Attend = (q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D) => tf.Tensor3D;

/** The fused kernel pair: the softmax weights are saved for the backward instead of recomputed. */
const fusedAttend = tf.customGrad(((q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, save: tf.GradSaveFunc) => {
  const scale = 1 / Math.sqrt(q.shape[2]);
  const [out, weights] = runFusedKernelOutputs(FUSED_KERNELS.attention, { q, k, v }, { scale });
  save([q, k, v, weights]); // the weights are an intermediate: the forward's tidy disposes them, the saved copy stays
  return {
    value: out,
    gradFunc: (dy: tf.Tensor, [sq, sk, sv, sp]: tf.Tensor[]) =>
      runFusedKernelOutputs(FUSED_KERNELS.attentionGrad, { dy, q: sq, k: sk, v: sv, p: sp }, { scale }),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as Attend;

/**
 * Attention per head: `softmax(q k^T / sqrt(d)) v` for `q [N, Lq, d]`, `k`, `v [N, Lk, d]`,
 * where N enumerates (head, batch) pairs; returns `[N, Lq, d]`.
 */
export function attendHeads(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor3D {
  const d = q.shape[2];
  const [n, lk] = k.shape;
  const fits = q.shape[0] === n && k.shape[2] === d && v.shape[0] === n && v.shape[1] === lk && v.shape[2] === d;
  if (fits && [k, v].every((t) => t.dtype === 'float32') && hasFusedKernel(FUSED_KERNELS.attention, q)) {
    return fusedAttend(q, k, v);
  }
  return tf.tidy(() => {
    const scores = batchMatMulTransposedB(tf.mul(q, 1 / Math.sqrt(d)), k);
    return batchMatMul(softmax(scores) as tf.Tensor3D, v);
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

/** Options of {@link multiHeadAttention}. */
export interface AttentionOptions {
  /** Multiplies the scores: `1/sqrt(head_dim)` for CLIP, 1 for T5. */
  scale: number;
  /** Added to the scores; broadcastable to `[B, H, L, L]` (a causal mask, a position bias, a padding mask). */
  bias?: tf.Tensor;
}

/**
 * `softmax(q k^T · scale + bias) v` per head, on projections kept 2-D (the layout of the
 * text encoders' linear layers).
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
  const dim = q.shape[1];
  if (dim % heads !== 0) invalid('attention width', dim, `a multiple of the head count ${heads}`);
  if (q.shape[0] !== batch * length) invalid('attention q rows', q.shape[0], `batch * length = ${batch * length}`);
  return tf.tidy(() => {
    const headDim = dim / heads;
    const split = (t: tf.Tensor, perm: number[], shape: [number, number, number]) =>
      tf.reshape(tf.transpose(tf.reshape(t, [batch, length, heads, headDim]), perm), shape) as tf.Tensor3D;
    const qh = split(options.scale === 1 ? q : tf.mul(q, options.scale), [0, 2, 1, 3], [batch * heads, length, headDim]);
    const kh = split(k, [0, 2, 1, 3], [batch * heads, length, headDim]);
    const vh = split(v, [0, 2, 1, 3], [batch * heads, length, headDim]);
    let scores: tf.Tensor = batchMatMulTransposedB(qh, kh);
    if (options.bias) {
      scores = tf.reshape(tf.add(tf.reshape(scores, [batch, heads, length, length]), options.bias), [batch * heads, length, length]);
    }
    const out = batchMatMul(softmax(scores) as tf.Tensor3D, vh);
    return tf.reshape(tf.transpose(tf.reshape(out, [batch, heads, length, headDim]), [0, 2, 1, 3]), [batch * length, dim]);
  });
}

/**
 * What masked scores get: large enough that `exp` underflows to exactly 0, finite so that
 * fully masked rows and gradients stay NaN-free.
 */
export const NEGATIVE_LARGE = -1e9;

/** The causal mask `[L, L]`: 0 on and below the diagonal, {@link NEGATIVE_LARGE} above. */
export function causalMask(length: number): tf.Tensor2D {
  const data = new Float32Array(length * length);
  for (let i = 0; i < length; i++) for (let j = i + 1; j < length; j++) data[i * length + j] = NEGATIVE_LARGE;
  return tf.tensor2d(data, [length, length]);
}
