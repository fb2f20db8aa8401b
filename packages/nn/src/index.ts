/**
 * @rectiflow/nn: the neural-network layers shared by the MM-DiT, the text encoders and the
 * autoencoders (linear, layer and RMS norm, activations, attention, matmuls with fast
 * gradients), written once, with the fused native kernels dispatched in one place.
 * Runtime-neutral: runs wherever tfjs runs.
 * @packageDocumentation
 */
export { gelu, geluTanh, quickGelu, silu } from './activations';
export {
  type AttentionOptions,
  attendHeads,
  causalMask,
  mergeHeads,
  multiHeadAttention,
  NEGATIVE_LARGE,
  scaledDotProductAttention,
  splitHeads,
} from './attention';
export { FUSED_KERNELS, hasFusedKernel, runFusedKernel, runFusedKernelOutputs } from './fused-kernels';
export { layerNorm } from './layer-norm';
export { linear, linearGelu } from './linear';
export { batchMatMul, batchMatMulTransposedB, matMul2d } from './matmul';
export { rmsNorm } from './rms-norm';
export { softmax } from './softmax';
