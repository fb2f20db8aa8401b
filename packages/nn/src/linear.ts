import { tf } from '@rectiflow/core';
import { matMul2d } from './matmul';

/**
 * `y = x W + b` for `x [..., in]`, `W [in, out]` (PyTorch's `[out, in]` weight transposed once
 * at load) and an optional `b [out]`; returns `[..., out]`. One plain 2-D matmul whose
 * gradient also uses plain 2-D matmuls (fast on every backend, see {@link matMul2d}).
 */
export function linear(x: tf.Tensor, weight: tf.Tensor2D, bias?: tf.Tensor | null): tf.Tensor {
  return tf.tidy(() => {
    const [inFeatures, outFeatures] = weight.shape;
    const flat = x.rank === 2 ? (x as tf.Tensor2D) : (tf.reshape(x, [-1, inFeatures]) as tf.Tensor2D);
    let y: tf.Tensor = matMul2d(flat, weight);
    if (bias) y = tf.add(y, bias);
    return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), outFeatures]);
  });
}
