/**
 * A 2-D convolution for inference, NHWC, built from PyTorch weights [out, in, kh, kw].
 */
import { tf } from '@rectiflow/core';

/** Padding of a {@link Conv2d}: `same` (stride 1, odd kernel) or none. */
export type ConvPadding = 'same' | 'valid';

/** A convolution with bias. Owns its tensors. */
export class Conv2d {
  /** The filter in tfjs layout [kh, kw, in, out]. */
  readonly filter: tf.Tensor4D;
  readonly bias: tf.Tensor1D;

  /**
   * @param weight PyTorch layout [out, in, kh, kw]; copied, not kept.
   * @param bias [out]; copied, not kept.
   */
  constructor(
    weight: tf.Tensor,
    bias: tf.Tensor,
    readonly stride = 1,
    readonly padding: ConvPadding = 'same',
  ) {
    this.filter = tf.tidy(() => tf.transpose(weight, [2, 3, 1, 0])) as tf.Tensor4D;
    this.bias = tf.clone(bias) as tf.Tensor1D;
  }

  get inChannels(): number {
    return this.filter.shape[2];
  }

  get outChannels(): number {
    return this.filter.shape[3];
  }

  /** Apply to NHWC input. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.fused.conv2d({ x, filter: this.filter, strides: this.stride, pad: this.padding, bias: this.bias });
  }

  dispose(): void {
    tf.dispose([this.filter, this.bias]);
  }
}

/** A 1x1 convolution as a 2-D matmul over the positions (the fast path on wasm). */
export class Pointwise {
  /** [in, out]. */
  readonly weight: tf.Tensor2D;
  readonly bias: tf.Tensor1D;

  /** @param weight PyTorch layout [out, in, 1, 1]; copied. */
  constructor(weight: tf.Tensor, bias: tf.Tensor) {
    const [out, inC] = weight.shape;
    this.weight = tf.tidy(() => tf.transpose(tf.reshape(weight, [out, inC]))) as tf.Tensor2D;
    this.bias = tf.clone(bias) as tf.Tensor1D;
  }

  /** Apply to rows [N, in]. */
  applyRows(x: tf.Tensor2D): tf.Tensor2D {
    return tf.fused.matMul({ a: x, b: this.weight, bias: this.bias }) as tf.Tensor2D;
  }

  /** Apply to NHWC input. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [b, h, w, c] = x.shape;
      return tf.reshape(this.applyRows(tf.reshape(x, [b * h * w, c])), [b, h, w, this.weight.shape[1]]);
    });
  }

  dispose(): void {
    tf.dispose([this.weight, this.bias]);
  }
}
