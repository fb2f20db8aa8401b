/**
 * The custom-op API: names of the fused kernels this package registers for the 'wasm'
 * backend. Code that must not depend on this package can test
 * `tf.getKernel(FUSED_OPS.geluTanh, tf.getBackend())` and call `tf.engine().runKernel`
 * (gradients are registered too), or import the ops from `fused-ops`.
 */
export const FUSED_OPS = {
  /** inputs `{ x }`: GELU, tanh approximation. Gradient registered. */
  geluTanh: 'RectiflowGeluTanh',
  /** inputs `{ dy, x }`: the gradient of geluTanh. */
  geluTanhGrad: 'RectiflowGeluTanhGrad',
  /** inputs `{ x }`: SiLU, `x * sigmoid(x)`. Gradient registered. */
  silu: 'RectiflowSilu',
  /** inputs `{ dy, x }`: the gradient of silu. */
  siluGrad: 'RectiflowSiluGrad',
  /**
   * inputs `{ x [B, L, C], gate [B, C], y [B, L, C] }`: the gated residual of adaLN-zero blocks,
   * `x + gate * y` with the gate broadcast over the tokens, in one pass. Gradient registered.
   */
  gatedResidual: 'RectiflowGatedResidual',
  /** inputs `{ dy, gate, y }`: outputs `[dgate, dy * gate]` (x's gradient is dy itself). */
  gatedResidualGrad: 'RectiflowGatedResidualGrad',
  /** inputs `{ x [B, L, C], shift [B, C], scale [B, C] }`, attrs `{ eps }`. Gradient registered. */
  layerNormModulate: 'RectiflowLayerNormModulate',
  /** inputs `{ dy, x, scale }`, attrs `{ eps }`: outputs `[dx, dshift, dscale]`. */
  layerNormModulateGrad: 'RectiflowLayerNormModulateGrad',
  /** inputs `{ x }`: softmax over the last axis. Gradient registered. */
  softmax: 'RectiflowSoftmax',
  /** inputs `{ dy, y }`: the gradient of softmax given its output `y`. */
  softmaxGrad: 'RectiflowSoftmaxGrad',
  /**
   * inputs `{ x [M, K], w [K, N], b [N] }`: outputs `[h, z]`, `z = x w + b` and `h = geluTanh(z)`
   * computed while each block of z is in cache (the MM-DiT's MLP up-projection; z is what the
   * backward needs); with attr `preActivation: false`, h alone (inference: z is not kept). No
   * gradient is registered: `@rectiflow/nn`'s `linearGelu` defines it.
   */
  linearGelu: 'RectiflowLinearGelu',
  /**
   * inputs `{ q [N, Lq, d], k [N, Lk, d], v [N, Lk, d] }`, attrs `{ scale }`: outputs `[o, p]`, the
   * attention `o = p v` and its weights `p = softmax(scale q k^T)` (kept for the backward). No
   * gradient is registered: `@rectiflow/nn`'s attention defines it with `attentionGrad`.
   */
  attention: 'RectiflowAttention',
  /** inputs `{ dy, q, k, v, p }`, attrs `{ scale }`: outputs `[dq, dk, dv]`. */
  attentionGrad: 'RectiflowAttentionGrad',
  /**
   * The MM-DiT's joint attention over a context and an image stream, read straight from their
   * qkv projections: inputs `{ qkvc [B, Lc, 3D], qkvx [B, Lx, 3D], weights }` (`[q | k | v]`,
   * heads side by side in each), attrs `{ scale, heads, queryContext }` (false: only the image
   * rows query, as in the pre-only last block); outputs `[oc [B, Lc or 0, D], ox [B, Lx, D]]`:
   * the sequences joined as `[context; image]` inside the kernel and the heads merged on the way
   * out. `weights [H, B, Lq, Lc + Lx]` is a workspace the caller allocates (`tf.fill`): the kernel
   * writes the softmax weights into it for the backward (as an input, not an output, it needs no
   * zero-filled gradient from tfjs). Gradient registered.
   */
  jointAttention: 'RectiflowJointAttention',
  /** inputs `{ doc, dox, qkvc, qkvx, p }`, attrs as jointAttention: outputs `[dqkvc, dqkvx]`. */
  jointAttentionGrad: 'RectiflowJointAttentionGrad',
  /**
   * jointAttention with the MM-DiT's q/k norm inside: qkvc and qkvx are the raw projections, and q
   * and k are RMS-normalised per head as each item is gathered (extra inputs `{ gqc, gkc, gqx, gkx }`,
   * the gains [d] of each stream's q and k; attr `eps`), so no normalised copy of the projections
   * is made, forward or backward. Gradient registered.
   */
  jointAttentionQkNorm: 'RectiflowJointAttentionQkNorm',
  /**
   * inputs `{ doc, dox, qkvc, qkvx, p, gqc, gkc, gqx, gkx }`, attrs as jointAttentionQkNorm:
   * outputs `[dqkvc, dqkvx, dgqc, dgkc, dgqx, dgkx]`.
   */
  jointAttentionQkNormGrad: 'RectiflowJointAttentionQkNormGrad',
  /**
   * The MM-DiT's q/k norm on qkv projections: inputs `{ qkv [..., 3D], gq [d], gk [d] }`, attrs
   * `{ heads, eps }`: RMSNorm of each head of q (gain gq) and of k (gain gk), v unchanged.
   * Gradient registered.
   */
  qkNorm: 'RectiflowQkNorm',
  /** inputs `{ dy, qkv, gq, gk }`, attrs `{ heads, eps }`: outputs `[dqkv, dgq, dgk]`. */
  qkNormGrad: 'RectiflowQkNormGrad',
  /** inputs `{ x [..., C], gain [C] }`, attrs `{ eps }`: `x * rsqrt(mean(x^2) + eps) * gain` over the last axis. Gradient registered. */
  rmsNorm: 'RectiflowRmsNorm',
  /** inputs `{ dy, x, gain }`, attrs `{ eps }`: outputs `[dx, dgain]`. */
  rmsNormGrad: 'RectiflowRmsNormGrad',
  /**
   * inputs `{ p, m, v, g }`, attrs `{ lr, beta1, beta2, eps, weightDecay, correction1, correction2 }`:
   * outputs `[p', m', v']` of one Adam / AdamW step.
   */
  adamUpdate: 'RectiflowAdamUpdate',
  /**
   * inputs `{ a, b }` (and an optional `bias [n]`, added as each register tile is stored), attrs
   * `{ transposeA, transposeB }`: the batched matrix product with the transposes read in place
   * (packing absorbs them), as tf.matMul's flags but registered only with the native kernels, so
   * code can tell a fast transposed read from stock wasm's scalar loop. No gradient is registered:
   * `@rectiflow/nn`'s matmuls define theirs with this op.
   */
  matMul: 'RectiflowMatMul',
  /**
   * inputs `{ a, b }` (2-D), attrs `{ transposeA, transposeB }`: outputs `[op(a) op(b), the column
   * sums of op(b)]`, a linear layer's weight and bias gradients (`x^T dy` and `sum(dy, 0)`) in one
   * pass over dy (the sums come from B's packed slices). No gradient.
   */
  matMulBiasGrad: 'RectiflowMatMulBiasGrad',
} as const;
