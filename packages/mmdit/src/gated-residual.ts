import { tf } from '@rectiflow/core';
import { FUSED_KERNELS, hasFusedKernel, runFusedKernel } from '@rectiflow/nn';

/**
 * The gated residual update of adaLN-zero blocks, `x + gate * y` for `x`, `y [B, L, D]` and
 * `gate [B, D]` broadcast over the tokens (official `x + gate.unsqueeze(1) * y`): one fused
 * kernel forward and one backward when registered (float32, these exact shapes), plain tfjs ops
 * otherwise.
 */
export function gatedResidual(x: tf.Tensor3D, gate: tf.Tensor2D, y: tf.Tensor3D): tf.Tensor3D {
  const [b, , d] = x.shape;
  const fused =
    hasFusedKernel(FUSED_KERNELS.gatedResidual, x) &&
    gate.dtype === 'float32' &&
    y.dtype === 'float32' &&
    tf.util.arraysEqual(y.shape, x.shape) &&
    tf.util.arraysEqual(gate.shape, [b, d]);
  if (fused) return runFusedKernel(FUSED_KERNELS.gatedResidual, { x, gate, y }) as tf.Tensor3D;
  return tf.tidy(() => tf.add(x, tf.mul(tf.expandDims(gate, 1), y)) as tf.Tensor3D);
}
