/**
 * A 2-D matrix product whose gradient also uses only plain 2-D products: on the wasm
 * backend, matMul with transpose flags falls to a slow scalar loop, so the gradient
 * transposes explicitly (see docs/tfjs-performance.md).
 */
import { tf } from '@rectiflow/core';

const product = tf.customGrad(((a: tf.Tensor2D, b: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as tf.Tensor2D[];
      return [tf.matMul(dy, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/** `a [M, K] @ b [K, N]` with a fast gradient on every backend. */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return product(a, b) as tf.Tensor2D;
}

const batched = tf.customGrad(((a: tf.Tensor3D, b: tf.Tensor3D, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor3D, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as tf.Tensor3D[];
      return [tf.matMul(dy, tf.transpose(sb, [0, 2, 1])), tf.matMul(tf.transpose(sa, [0, 2, 1]), dy)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/**
 * The batched product `a [N, M, K] @ b [N, K, P]` with a gradient that transposes
 * explicitly instead of using transpose flags (which are slow on wasm).
 */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  return batched(a, b) as tf.Tensor3D;
}
