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
  /** inputs `{ x [B, L, C], shift [B, C], scale [B, C] }`, attrs `{ eps }`. Gradient registered. */
  layerNormModulate: 'RectiflowLayerNormModulate',
  /** inputs `{ dy, x, scale }`, attrs `{ eps }`: outputs `[dx, dshift, dscale]`. */
  layerNormModulateGrad: 'RectiflowLayerNormModulateGrad',
  /** inputs `{ x }`: softmax over the last axis. Gradient registered. */
  softmax: 'RectiflowSoftmax',
  /** inputs `{ dy, y }`: the gradient of softmax given its output `y`. */
  softmaxGrad: 'RectiflowSoftmaxGrad',
  /**
   * inputs `{ q [N, Lq, d], k [N, Lk, d], v [N, Lk, d] }`, attrs `{ scale }`: outputs `[o, p]`, the
   * attention `o = p v` and its weights `p = softmax(scale q k^T)` (kept for the backward). No
   * gradient is registered: `@rectiflow/nn`'s attention defines it with `attentionGrad`.
   */
  attention: 'RectiflowAttention',
  /** inputs `{ dy, q, k, v, p }`, attrs `{ scale }`: outputs `[dq, dk, dv]`. */
  attentionGrad: 'RectiflowAttentionGrad',
  /**
   * The MM-DiT's joint attention over a context and an image stream, heads first: inputs
   * `{ qc [H, B, Lcq, d], kc, vc [H, B, Lc, d], qx, kx, vx [H, B, Lx, d] }` (Lcq is Lc, or 0 when
   * only the image rows query), attrs `{ scale }`; outputs `[oc [B, Lcq, H*d], ox [B, Lx, H*d], p]`:
   * the sequences joined as `[context; image]` inside the kernel and the heads merged on the way
   * out, with the softmax weights `p [H, B, Lcq + Lx, Lc + Lx]` kept for the backward. Gradient
   * registered.
   */
  jointAttention: 'RectiflowJointAttention',
  /** inputs `{ doc, dox, qc, kc, vc, qx, kx, vx, p }`, attrs `{ scale }`: outputs `[dqc, dkc, dvc, dqx, dkx, dvx]`. */
  jointAttentionGrad: 'RectiflowJointAttentionGrad',
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
   * inputs `{ a, b }`, attrs `{ transposeA, transposeB }`: the batched matrix product with the
   * transposes read in place (packing absorbs them), as tf.matMul's flags but registered only
   * with the native kernels, so code can tell a fast transposed read from stock wasm's scalar
   * loop. No gradient is registered: `@rectiflow/nn`'s matmuls define theirs with this op.
   */
  matMul: 'RectiflowMatMul',
} as const;
