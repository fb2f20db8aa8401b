import { tf } from '@rectiflow/core';
import { attendHeads, FUSED_KERNELS, hasFusedKernel, mergeHeads, runFusedKernelOutputs } from '@rectiflow/nn';
import type { AttentionProjections } from './attention-projections';

/** Called with named intermediate tensors; they are disposed after the call unless kept. */
export type TraceFn = (name: string, value: tf.Tensor) => void;

/** The result of {@link JointAttention.apply}. */
export interface JointAttentionOutput {
  /** The context stream's projected attention output `[B, Lc, D]`, or null when pre-only. */
  context: tf.Tensor3D | null;
  /** The image stream's projected attention output `[B, Lx, D]`. */
  x: tf.Tensor3D;
}

/** Attention over heads-first tensors `[H, B, L, d]`; returns `[H, B, Lq, d]`. */
function attend(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D): tf.Tensor4D {
  const [h, b, lq, d] = q.shape;
  const lk = k.shape[2];
  const out = attendHeads(tf.reshape(q, [h * b, lq, d]), tf.reshape(k, [h * b, lk, d]), tf.reshape(v, [h * b, lk, d]));
  return tf.reshape(out, [h, b, lq, d]);
}

/**
 * The fused joint attention (registered by `@rectiflow/tfjs-native`), or null when its kernels
 * are not registered: q, k, v come straight from both streams' qkv projections (the q/k norm
 * inside the attention kernel when both streams have one, else in its own fused kernel),
 * the streams are joined as `[context; image]` inside the kernel and the heads merged on the way
 * out, so no transposed, split or concatenated copy is made, forward or backward (the gradients
 * are registered with the kernels). Returns `[context [B, Lc or 0, D], image [B, Lx, D]]`.
 */
function jointFused(
  contextAttn: AttentionProjections,
  xAttn: AttentionProjections,
  context: tf.Tensor3D,
  x: tf.Tensor3D,
  heads: number,
  queryContext: boolean,
): tf.Tensor3D[] | null {
  if (![context, x].every((t) => hasFusedKernel(FUSED_KERNELS.jointAttention, t))) return null;
  const [b, lc] = context.shape;
  const lx = x.shape[1];
  const scale = 1 / Math.sqrt(context.shape[2] / heads);
  // The kernel writes the softmax weights (kept for the backward) into this workspace.
  const weights = () => tf.fill([heads, b, (queryContext ? lc : 0) + lx, lc + lx], 0);
  // Both streams with q/k norms of one eps: the norm runs inside the attention kernel.
  const norms = [contextAttn.lnQ, contextAttn.lnK, xAttn.lnQ, xAttn.lnK];
  const eps = norms[0]?.eps;
  if (norms.every((n) => n && n.eps === eps) && hasFusedKernel(FUSED_KERNELS.jointAttentionQkNorm, x)) {
    const [gqc, gkc, gqx, gkx] = norms.map((n) => n!.weight as tf.Tensor);
    const inputs = { qkvc: contextAttn.projectRaw(context), qkvx: xAttn.projectRaw(x), weights: weights(), gqc, gkc, gqx, gkx };
    const attrs = { scale, heads, queryContext, eps: eps! };
    return runFusedKernelOutputs(FUSED_KERNELS.jointAttentionQkNorm, inputs, attrs) as tf.Tensor3D[];
  }
  const qkvc = contextAttn.projectTokens(context);
  const qkvx = qkvc && xAttn.projectTokens(x);
  if (!qkvc || !qkvx) {
    qkvc?.dispose();
    return null;
  }
  const [oc, ox] = runFusedKernelOutputs(FUSED_KERNELS.jointAttention, { qkvc, qkvx, weights: weights() }, { scale, heads, queryContext });
  return [oc as tf.Tensor3D, ox as tf.Tensor3D];
}

/**
 * Joint attention of the MM-DiT: each modality computes its own q, k, v (with its own
 * weights and optional q/k RMSNorm); the sequences are concatenated as
 * `[context; image]`, one softmax attention runs over all tokens, the result is split
 * back and each modality applies its own output projection. When the context side is
 * pre-only, only the image tokens are used as queries (the context rows would be
 * discarded).
 */
export class JointAttention {
  constructor(
    readonly contextAttn: AttentionProjections,
    readonly xAttn: AttentionProjections,
    readonly heads: number,
  ) {}

  /**
   * @param context the modulated, normalised context tokens `[B, Lc, D]`.
   * @param x the modulated, normalised image tokens `[B, Lx, D]`.
   * @param trace receives `q`, `k`, `v` (joint `[B, L, D]`, after q/k norm) and `attn`
   *   (before the projections).
   */
  apply(context: tf.Tensor3D, x: tf.Tensor3D, trace?: TraceFn): JointAttentionOutput {
    const [xOut, ctxOut] = tf.tidy((): tf.Tensor3D[] => {
      const lc = context.shape[1];
      const lx = x.shape[1];
      const preOnly = this.contextAttn.proj === null;
      const fused = trace ? null : jointFused(this.contextAttn, this.xAttn, context, x, this.heads, !preOnly);
      if (fused) {
        const [ca, xa] = fused;
        const xProjected = this.xAttn.output(xa);
        return preOnly ? [xProjected] : [xProjected, this.contextAttn.output(ca)];
      }
      const cq = this.contextAttn.project(context);
      const xq = this.xAttn.project(x);
      const k = tf.concat([cq.k, xq.k], 2) as tf.Tensor4D;
      const v = tf.concat([cq.v, xq.v], 2) as tf.Tensor4D;
      if (preOnly && !trace) return [this.xAttn.output(mergeHeads(attend(xq.q, k, v)))];
      const q = tf.concat([cq.q, xq.q], 2) as tf.Tensor4D;
      const attn = attend(q, k, v);
      // The context rows first, then the image rows: one split for both streams.
      const [cAttn, xAttn] = tf.split(attn, [lc, lx], 2) as tf.Tensor4D[];
      const xa = mergeHeads(xAttn);
      if (trace) {
        trace('q', mergeHeads(q));
        trace('k', mergeHeads(k));
        trace('v', mergeHeads(v));
        trace('attn', mergeHeads(attn));
      }
      const xProjected = this.xAttn.output(xa);
      if (preOnly) return [xProjected];
      const ca = mergeHeads(cAttn);
      return [xProjected, this.contextAttn.output(ca)];
    });
    return { context: ctxOut ?? null, x: xOut };
  }
}
