/**
 * Matrix products whose gradients stay fast on every backend. Stock wasm runs matMul's
 * transpose flags in a slow scalar loop, so without the native kernels the gradients transpose
 * explicitly; with `@rectiflow/tfjs-native` enabled (its `RectiflowMatMul` kernel registered),
 * they read the transposed operand in place and no transpose is copied
 * (see docs/tfjs-performance.md).
 */
import { tf } from '@rectiflow/core';
import { FUSED_KERNELS, hasFusedKernel, runFusedKernel } from './fused-kernels';

/**
 * `op(a) @ op(b)` with `op` a transpose of the last two axes when its flag is set: the native
 * kernel when registered, else explicit transposes and a plain product.
 */
function product(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): tf.Tensor {
  if (hasFusedKernel(FUSED_KERNELS.matMul, a) && b.dtype === 'float32') {
    return runFusedKernel(FUSED_KERNELS.matMul, { a, b }, { transposeA, transposeB });
  }
  const swap = (t: tf.Tensor) => (t.rank === 2 ? tf.transpose(t) : tf.transpose(t, [0, 2, 1]));
  return tf.matMul(transposeA ? swap(a) : a, transposeB ? swap(b) : b);
}

type Product = (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

const plain = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    // C = A B: dA = dC B^T, dB = A^T dC.
    gradFunc: (dy: tf.Tensor, [sa, sb]: tf.Tensor[]) => [product(dy, sb, false, true), product(sa, dy, true, false)],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as Product;

const transposedB = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: product(a, b, false, true),
    // C = A B^T: dA = dC B, dB = dC^T A.
    gradFunc: (dy: tf.Tensor, [sa, sb]: tf.Tensor[]) => [product(dy, sb, false, false), product(dy, sa, true, false)],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as Product;

/** `a [M, K] @ b [K, N]` with a fast gradient on every backend. */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return plain(a, b) as tf.Tensor2D;
}

/** The batched product `a [N, M, K] @ b [N, K, P]` with a fast gradient on every backend. */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  return plain(a, b) as tf.Tensor3D;
}

/**
 * `a [N, M, K] @ b[n]^T` for `b [N, P, K]`: attention scores `q k^T` without materialising
 * the transposed keys when the native kernel reads them in place; returns `[N, M, P]`.
 */
export function batchMatMulTransposedB(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  return transposedB(a, b) as tf.Tensor3D;
}
