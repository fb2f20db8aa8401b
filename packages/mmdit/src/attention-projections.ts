import { tf } from '@rectiflow/core';
import { FUSED_KERNELS, hasFusedKernel, runFusedKernel } from '@rectiflow/nn';
import { Linear } from './linear';
import type { ParamStore } from './parameters';
import { RMSNorm } from './rms-norm';

/** Options of {@link AttentionProjections}. */
export interface AttentionProjectionOptions {
  /** Bias on the qkv projection. Default true. */
  qkvBias?: boolean;
  /** Per-head RMSNorm on q and k (`ln_q`, `ln_k`). Default false. */
  qkNorm?: boolean;
  /** No output projection (the pre-only last context block). Default false. */
  preOnly?: boolean;
  /** The output of q is never used (pre-only block): its norm gain is not trainable. */
  queryUnused?: boolean;
}

/** Queries, keys and values of one modality, heads first: `[H, B, L, d]` each. */
export interface QKV {
  q: tf.Tensor4D;
  k: tf.Tensor4D;
  v: tf.Tensor4D;
}

/**
 * One modality's attention weights (official `attn` / `attn2`): `qkv` Linear(D -> 3D)
 * with output `[q | k | v]` (each split into heads), an optional per-head RMSNorm on q
 * and k, and the output projection `proj` (absent when pre-only).
 */
export class AttentionProjections {
  readonly qkv: Linear;
  readonly lnQ: RMSNorm | null;
  readonly lnK: RMSNorm | null;
  readonly proj: Linear | null;

  constructor(
    store: ParamStore,
    key: string,
    readonly hidden: number,
    readonly heads: number,
    options: AttentionProjectionOptions = {},
  ) {
    const headDim = hidden / heads;
    this.qkv = new Linear(store, `${key}.qkv`, hidden, 3 * hidden, { bias: options.qkvBias ?? true });
    this.lnQ = options.qkNorm ? new RMSNorm(store, `${key}.ln_q`, headDim, 1e-6, !options.queryUnused) : null;
    this.lnK = options.qkNorm ? new RMSNorm(store, `${key}.ln_k`, headDim) : null;
    this.proj = options.preOnly ? null : new Linear(store, `${key}.proj`, hidden, hidden);
  }

  /** q, k, v of `x [B, L, D]`, heads first `[H, B, L, d]` (q and k normalised per head when enabled). */
  project(x: tf.Tensor3D): QKV {
    const [b, l, dim] = x.shape;
    const h = this.heads;
    const d = dim / h;
    const [q, k, v] = tf.tidy(() => {
      // [B*L, 3D] -> [B, L, 3H, d] -> [3H, B, L, d]: q, k, v are contiguous blocks of H heads.
      const qkv = tf.transpose(tf.reshape(this.qkv.apply(tf.reshape(x, [b * l, dim])), [b, l, 3 * h, d]), [2, 0, 1, 3]);
      // One split (one kernel forward, one concat backward) instead of three slices.
      const [q0, k0, v0] = tf.split(qkv, 3, 0) as tf.Tensor4D[];
      return [this.lnQ ? this.lnQ.apply(q0) : q0, this.lnK ? this.lnK.apply(k0) : k0, v0] as tf.Tensor4D[];
    });
    return { q, k, v };
  }

  /**
   * q, k, v of `x [B, L, D]` token-major as the projection gives them, `[B, L, 3D]` (`[q | k | v]`,
   * heads side by side in each), with q and k normalised per head in one fused kernel; null when
   * the q/k norm is on and that kernel is not registered (use {@link project}).
   */
  projectTokens(x: tf.Tensor3D): tf.Tensor3D | null {
    const { lnQ, lnK } = this;
    const norm = lnQ && lnK;
    if (norm && (lnQ.eps !== lnK.eps || !hasFusedKernel(FUSED_KERNELS.qkNorm, x))) return null;
    return tf.tidy(() => {
      const qkv = this.projectRaw(x);
      if (!norm) return qkv;
      return runFusedKernel(
        FUSED_KERNELS.qkNorm,
        { qkv, gq: lnQ.weight, gk: lnK.weight },
        { heads: this.heads, eps: lnQ.eps },
      ) as tf.Tensor3D;
    });
  }

  /** The qkv projection of `x [B, L, D]` token-major, `[B, L, 3D]`, before any q/k norm. */
  projectRaw(x: tf.Tensor3D): tf.Tensor3D {
    const [b, l, dim] = x.shape;
    return tf.tidy(() => tf.reshape(this.qkv.apply(tf.reshape(x, [b * l, dim])), [b, l, 3 * dim]) as tf.Tensor3D);
  }

  /** The output projection of an attention result `[B, L, D]`. */
  output(attn: tf.Tensor3D): tf.Tensor3D {
    if (!this.proj) throw new Error('output(): this attention is pre-only and has no output projection');
    return this.proj.apply(attn) as tf.Tensor3D;
  }
}
