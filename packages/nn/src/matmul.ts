/**
 * Matrix products whose gradients stay fast on every backend. Stock wasm runs matMul's
 * transpose flags in a slow scalar loop, so without the native kernels the gradients transpose
 * explicitly; with `@rectiflow/tfjs-native` enabled (its `RectiflowMatMul` kernel registered),
 * they read the transposed operand in place and no transpose is copied
 * (see docs/tfjs-performance.md).
 */
import { tf } from '@rectiflow/core';
import { FUSED_KERNELS, hasFusedKernel, runFusedKernel, runFusedKernelOutputs } from './fused-kernels';

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

/** A linear layer's `[dW, db]` from its input `x` and the gradient `dy` of its output: `x^T dy` and `sum(dy, 0)` in one kernel. */
function weightAndBiasGrads(x: tf.Tensor, dy: tf.Tensor): tf.Tensor[] {
  return runFusedKernelOutputs(FUSED_KERNELS.matMulBiasGrad, { a: x, b: dy }, { transposeA: true, transposeB: false });
}

const withBias = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: runFusedKernel(FUSED_KERNELS.matMul, { a, b, bias }, { transposeA: false, transposeB: false }),
    // y = A B + bias: dA = dy B^T, and dB = A^T dy with dbias = the column sums of dy in one pass.
    gradFunc: (dy: tf.Tensor, [sa, sb]: tf.Tensor[]) => [product(dy, sb, false, true), ...weightAndBiasGrads(sa, dy)],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor) => tf.Tensor;

/**
 * `a [M, K] @ b [K, N] + bias [N]` in one native kernel (the bias added as each tile of the product
 * is stored), with a gradient of two products (the bias gradient taken in the weight gradient's
 * pass), when the native kernels are registered; null otherwise (compute it unfused).
 */
export function matMul2dBias(a: tf.Tensor2D, b: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D | null {
  const fused = [FUSED_KERNELS.matMul, FUSED_KERNELS.matMulBiasGrad].every((name) => hasFusedKernel(name, a));
  if (!fused || b.dtype !== 'float32' || bias.dtype !== 'float32') return null;
  return withBias(a, b, bias) as tf.Tensor2D;
}

const withBiasGelu = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor, save: tf.GradSaveFunc) => {
  // z, the pre-activation, is an intermediate: the forward's tidy disposes it, the saved copy stays.
  const [h, z] = runFusedKernelOutputs(FUSED_KERNELS.linearGelu, { x: a, w: b, b: bias });
  save([a, b, z]);
  return {
    value: h,
    // h = gelu(A B + bias): dz = gelu'(z) dh, then dA = dz B^T, dB = A^T dz, dbias = the column sums of dz.
    gradFunc: (dy: tf.Tensor, [sa, sb, sz]: tf.Tensor[]) => {
      const dz = runFusedKernel(FUSED_KERNELS.geluTanhGrad, { dy, x: sz });
      return [product(dz, sb, false, true), ...weightAndBiasGrads(sa, dz)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor) => tf.Tensor;

/**
 * `geluTanh(a [M, K] @ b [K, N] + bias [N])` in one native kernel (the bias and GELU applied while
 * each block of the product is in cache) with a gradient of one GELU-gradient kernel and two
 * products, when the native kernels are registered; null otherwise (compute it unfused).
 */
export function matMul2dBiasGelu(a: tf.Tensor2D, b: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D | null {
  const fused = [FUSED_KERNELS.linearGelu, FUSED_KERNELS.geluTanhGrad, FUSED_KERNELS.matMul, FUSED_KERNELS.matMulBiasGrad].every((name) =>
    hasFusedKernel(name, a),
  );
  if (!fused || b.dtype !== 'float32' || bias.dtype !== 'float32') return null;
  // No gradient being recorded (sampling, evaluation): GELU in place, no pre-activation kept.
  if (tf.engine().state.gradientDepth === 0) {
    return runFusedKernel(FUSED_KERNELS.linearGelu, { x: a, w: b, b: bias }, { preActivation: false }) as tf.Tensor2D;
  }
  return withBiasGelu(a, b, bias) as tf.Tensor2D;
}

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
