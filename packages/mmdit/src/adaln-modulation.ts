import { tf } from '@rectiflow/core';
import { FUSED_KERNELS, hasFusedKernel, layerNorm, runFusedKernel, silu } from '@rectiflow/nn';
import { Linear } from './linear';
import type { ParamStore } from './parameters';

/**
 * `modulate(x, shift, scale) = x * (1 + scale) + shift`, with `x [B, L, D]` and
 * `shift`, `scale` `[B, D]` broadcast over the tokens.
 */
export function modulate(x: tf.Tensor, shift: tf.Tensor, scale: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(x, tf.add(tf.expandDims(scale, 1), 1)), tf.expandDims(shift, 1)));
}

/**
 * `modulate(layerNorm(x), shift, scale)` with LayerNorm eps 1e-6 and no affine parameters,
 * for `x [B, L, D]`; one fused kernel when one is registered.
 */
export function layerNormModulate(x: tf.Tensor, shift: tf.Tensor, scale: tf.Tensor, eps = 1e-6): tf.Tensor {
  if (x.rank === 3 && hasFusedKernel(FUSED_KERNELS.layerNormModulate, x)) {
    return runFusedKernel(FUSED_KERNELS.layerNormModulate, { x, shift, scale }, { eps });
  }
  return tf.tidy(() => modulate(layerNorm(x, eps), shift, scale));
}

/**
 * adaLN modulation `SiLU -> Linear(D -> n*D)` (key `<key>.1`), split into `n` chunks of
 * `[B, D]` in the official order: 6 for a joint-block half
 * (shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp), 2 for the pre-only
 * last context block and the final layer (shift, scale), 9 for an MMDiT-X dual-attention
 * block (the 6, then shift_msa2, scale_msa2, gate_msa2). New models initialise it to zero
 * (adaLN-zero), so every block starts as the identity.
 */
export class AdaLNModulation {
  readonly linear: Linear;
  constructor(
    store: ParamStore,
    key: string,
    readonly hidden: number,
    readonly chunks: number,
  ) {
    this.linear = new Linear(store, `${key}.1`, hidden, chunks * hidden, { init: { kind: 'zeros' } });
  }

  /** The raw output `[B, n*D]` for conditioning `c [B, D]`. */
  raw(c: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.linear.apply(silu(c)) as tf.Tensor2D);
  }

  /** Split a raw output into its `n` chunks `[B, D]`. */
  split(raw: tf.Tensor2D): tf.Tensor2D[] {
    return tf.split(raw, this.chunks, 1) as tf.Tensor2D[];
  }
}
