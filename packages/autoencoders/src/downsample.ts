/**
 * The LDM downsampling layer: zero padding on the right and bottom only, then a 3x3
 * convolution with stride 2 and no further padding.
 */
import { tf } from '@rectiflow/core';
import { Conv2d } from './conv2d';
import { getWeight } from './weights';

/** Add the keys and shapes of a downsampling layer under `prefix` (e.g. `encoder.down.0.downsample.`). */
export function downsampleShapes(prefix: string, channels: number, out: Map<string, number[]>): void {
  out.set(`${prefix}conv.weight`, [channels, channels, 3, 3]);
  out.set(`${prefix}conv.bias`, [channels]);
}

/** Halves the spatial size of NHWC activations. Owns its tensors. */
export class Downsample {
  private readonly conv: Conv2d;

  constructor(weights: ReadonlyMap<string, tf.Tensor>, prefix: string) {
    this.conv = new Conv2d(getWeight(weights, `${prefix}conv.weight`), getWeight(weights, `${prefix}conv.bias`), 2, 'valid');
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() =>
      this.conv.apply(
        tf.pad(x, [
          [0, 0],
          [0, 1],
          [0, 1],
          [0, 0],
        ]),
      ),
    );
  }

  dispose(): void {
    this.conv.dispose();
  }
}
