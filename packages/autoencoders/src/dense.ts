/**
 * A dense layer `x W + b` on 2-D tensors whose gradient uses explicit transposes. The
 * stock MatMul gradient multiplies with transpose flags, which the wasm backend runs on a
 * slow scalar path; explicit transposes keep every matmul on its fast 2-D path.
 */
import { tf } from '@rectiflow/core';

const denseOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dy2 = dy as tf.Tensor2D;
      return [tf.matMul(dy2, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy2), tf.sum(dy2, 0)];
    },
  };
});

/** `x W + b` for x [N, in], W [in, out], b [out]. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return denseOp(x, w, b) as tf.Tensor2D;
}
