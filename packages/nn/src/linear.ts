import { tf } from '@rectiflow/core';
import { geluTanh } from './activations';
import { matMul2d, matMul2dBias, matMul2dBiasGelu } from './matmul';

/**
 * `y = x W + b` for `x [..., in]`, `W [in, out]` (PyTorch's `[out, in]` weight transposed once
 * at load) and an optional `b [out]`; returns `[..., out]`. One plain 2-D matmul whose
 * gradient also uses plain 2-D matmuls (fast on every backend, see {@link matMul2d}); with the
 * native kernels the bias is added inside the product and its gradient taken in the weight
 * gradient's pass.
 */
export function linear(x: tf.Tensor, weight: tf.Tensor2D, bias?: tf.Tensor | null): tf.Tensor {
  return tf.tidy(() => {
    const [inFeatures, outFeatures] = weight.shape;
    const flat = x.rank === 2 ? (x as tf.Tensor2D) : (tf.reshape(x, [-1, inFeatures]) as tf.Tensor2D);
    const fused = bias && bias.rank === 1 && bias.size === outFeatures ? matMul2dBias(flat, weight, bias as tf.Tensor1D) : null;
    let y: tf.Tensor = fused ?? matMul2d(flat, weight);
    if (bias && !fused) y = tf.add(y, bias);
    return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), outFeatures]);
  });
}

/**
 * `geluTanh(linear(x, weight, bias))`, the MLP up-projection of the MM-DiT: with the native
 * kernels one kernel forward (bias and GELU applied while each block of the product is in cache)
 * and three backward; the same math unfused otherwise.
 */
export function linearGelu(x: tf.Tensor, weight: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor {
  return tf.tidy(() => {
    const [inFeatures, outFeatures] = weight.shape;
    const flat = x.rank === 2 ? (x as tf.Tensor2D) : (tf.reshape(x, [-1, inFeatures]) as tf.Tensor2D);
    const fused = bias.rank === 1 && bias.size === outFeatures ? matMul2dBiasGelu(flat, weight, bias) : null;
    if (!fused) return geluTanh(linear(x, weight, bias));
    return x.rank === 2 ? fused : tf.reshape(fused, [...x.shape.slice(0, -1), outFeatures]);
  });
}
