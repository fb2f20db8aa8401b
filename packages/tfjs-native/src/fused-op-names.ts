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
