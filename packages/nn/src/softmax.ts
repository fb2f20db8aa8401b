import { tf } from '@rectiflow/core';
import { FUSED_KERNELS, hasFusedKernel, runFusedKernel } from './fused-kernels';

/** Softmax over the last axis, by the fused native kernel when one is registered. */
export function softmax(x: tf.Tensor): tf.Tensor {
  return hasFusedKernel(FUSED_KERNELS.softmax, x) ? runFusedKernel(FUSED_KERNELS.softmax, { x }) : tf.softmax(x);
}
