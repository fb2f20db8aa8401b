/**
 * Optional fused kernels, dispatched here and nowhere else. When `@rectiflow/tfjs-native`
 * is enabled it registers these kernels (with their gradients) for the wasm backend; the
 * layers of this package (and so the MM-DiT, the text encoders and the autoencoders) then
 * run them, and otherwise compute the same math with plain tfjs ops. This package does not
 * depend on tfjs-native: the kernel names are the contract.
 */
import { tf } from '@rectiflow/core';

/** Kernel names of the fused ops (see `FUSED_OPS` in `@rectiflow/tfjs-native`). */
export const FUSED_KERNELS = {
  geluTanh: 'RectiflowGeluTanh',
  /** SiLU, `x * sigmoid(x)`, inputs `{ x }`. */
  silu: 'RectiflowSilu',
  /** The gated residual `x + gate * y` of adaLN-zero blocks, inputs `{ x [B, L, C], gate [B, C], y [B, L, C] }`. */
  gatedResidual: 'RectiflowGatedResidual',
  layerNormModulate: 'RectiflowLayerNormModulate',
  softmax: 'RectiflowSoftmax',
  /** `x [M, K] @ w [K, N] + b`, then GELU-tanh: inputs `{ x, w, b }`, outputs `[gelu, pre-activation]`. */
  linearGelu: 'RectiflowLinearGelu',
  /** The gradient of GELU-tanh, inputs `{ dy, x }`. */
  geluTanhGrad: 'RectiflowGeluTanhGrad',
  /** Attention per (head, batch) item, inputs `{ q, k, v }`, attrs `{ scale }`, outputs `[o, softmax weights]`. */
  attention: 'RectiflowAttention',
  /** Its backward, inputs `{ dy, q, k, v, p }`, attrs `{ scale }`, outputs `[dq, dk, dv]`. */
  attentionGrad: 'RectiflowAttentionGrad',
  /**
   * The MM-DiT's joint attention read from the two streams' qkv projections (`{ qkvc, qkvx,
   * weights }`, attrs `{ scale, heads, queryContext }`, outputs `[oc, ox]` with heads merged; the
   * kernel writes the softmax weights into the `weights` workspace for the backward).
   */
  jointAttention: 'RectiflowJointAttention',
  /** jointAttention on the raw projections with the q/k norm inside (extra inputs `{ gqc, gkc, gqx, gkx }`, attr `eps`). */
  jointAttentionQkNorm: 'RectiflowJointAttentionQkNorm',
  /** The MM-DiT's q/k norm on a qkv projection, `{ qkv, gq, gk }`, attrs `{ heads, eps }`. */
  qkNorm: 'RectiflowQkNorm',
  /** RMSNorm with a gain over the last axis, inputs `{ x, gain [C] }`, attrs `{ eps }`. */
  rmsNorm: 'RectiflowRmsNorm',
  /** The batched product with in-place transposes, inputs `{ a, b }` and an optional `bias`, attrs `{ transposeA, transposeB }`. */
  matMul: 'RectiflowMatMul',
  /** `[op(a) op(b), the column sums of op(b)]` for 2-D operands: a linear layer's weight and bias gradients in one pass. */
  matMulBiasGrad: 'RectiflowMatMulBiasGrad',
} as const;

/** Whether a fused kernel is registered for the current backend and can take `x`. */
export function hasFusedKernel(name: string, x: tf.Tensor): boolean {
  return x.dtype === 'float32' && tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** Run a registered fused kernel. */
export function runFusedKernel(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, number | boolean> = {}): tf.Tensor {
  return tf.engine().runKernel(name, inputs as tf.NamedTensorMap, attrs) as tf.Tensor;
}

/** Run a registered fused kernel with several outputs. */
export function runFusedKernelOutputs(
  name: string,
  inputs: Record<string, tf.Tensor>,
  attrs: Record<string, number | boolean> = {},
): tf.Tensor[] {
  return tf.engine().runKernel(name, inputs as tf.NamedTensorMap, attrs) as unknown as tf.Tensor[];
}
