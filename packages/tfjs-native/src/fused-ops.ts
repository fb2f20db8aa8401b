/**
 * Fused MM-DiT ops: native kernels when this package is enabled on the 'wasm' backend, and the
 * plain tfjs expressions (the same math as @rectiflow/mmdit) everywhere else. Differentiable.
 */
import { tf } from '@rectiflow/core';
import { FUSED_OPS } from './fused-op-names';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** True when the fused kernel `name` is registered for the current backend. */
export function hasFusedKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** GELU with the tanh approximation: `x * sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3))`. */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  if (x.dtype === 'float32' && hasFusedKernel(FUSED_OPS.geluTanh)) return tf.engine().runKernel(FUSED_OPS.geluTanh, { x }) as tf.Tensor;
  return tf.tidy(() => {
    const cube = tf.mul(tf.mul(x, x), x);
    const z2 = tf.mul(tf.add(x, tf.mul(cube, 0.044715)), 2 * SQRT_2_OVER_PI);
    return tf.mul(x, tf.sigmoid(z2));
  });
}

/** Softmax over the last axis (rank >= 1); the backward pass is one fused kernel too. */
export function softmax(x: tf.Tensor): tf.Tensor {
  if (x.dtype === 'float32' && x.rank >= 1 && hasFusedKernel(FUSED_OPS.softmax))
    return tf.engine().runKernel(FUSED_OPS.softmax, { x }) as tf.Tensor;
  return tf.softmax(x);
}

/**
 * LayerNorm over the last axis (no affine) then adaLN modulation:
 * `norm(x) * (1 + scale) + shift` for `x [B, L, C]`, `shift` and `scale [B, C]`.
 */
export function layerNormModulate(x: tf.Tensor3D, shift: tf.Tensor2D, scale: tf.Tensor2D, eps = 1e-6): tf.Tensor3D {
  if ([x, shift, scale].every((t) => t.dtype === 'float32') && hasFusedKernel(FUSED_OPS.layerNormModulate)) {
    const [b, , c] = x.shape;
    tf.util.assertShapesMatch(shift.shape, [b, c], 'layerNormModulate shift: ');
    tf.util.assertShapesMatch(scale.shape, [b, c], 'layerNormModulate scale: ');
    return tf.engine().runKernel(FUSED_OPS.layerNormModulate, { x, shift, scale }, { eps }) as tf.Tensor3D;
  }
  return tf.tidy(() => {
    const centred = tf.sub(x, tf.mean(x, -1, true));
    const variance = tf.mean(tf.mul(centred, centred), -1, true);
    const normed = tf.mul(centred, tf.rsqrt(tf.add(variance, eps)));
    return tf.add(tf.mul(normed, tf.add(tf.expandDims(scale, 1), 1)), tf.expandDims(shift, 1)) as tf.Tensor3D;
  });
}
