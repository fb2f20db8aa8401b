/**
 * The LDM upsampling layer: nearest-neighbour ×2, then a 3x3 convolution with padding 1.
 */
import { tf } from '@rectiflow/core';
import { Conv2d } from './conv2d';
import { getWeight } from './weights';

/** Add the keys and shapes of an upsampling layer under `prefix` (e.g. `decoder.up.1.upsample.`). */
export function upsampleShapes(prefix: string, channels: number, out: Map<string, number[]>): void {
  out.set(`${prefix}conv.weight`, [channels, channels, 3, 3]);
  out.set(`${prefix}conv.bias`, [channels]);
}

/** Nearest ×2 of NHWC activations: each pixel becomes a 2x2 block. */
export function nearestUpsample2x(x: tf.Tensor4D): tf.Tensor4D {
  const [, h, w] = x.shape;
  return tf.image.resizeNearestNeighbor(x, [2 * h, 2 * w], false, false);
}

/** Doubles the spatial size of NHWC activations. Owns its tensors. */
export class Upsample {
  private readonly conv: Conv2d;

  constructor(weights: ReadonlyMap<string, tf.Tensor>, prefix: string) {
    this.conv = new Conv2d(getWeight(weights, `${prefix}conv.weight`), getWeight(weights, `${prefix}conv.bias`));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.conv.apply(nearestUpsample2x(x)));
  }

  dispose(): void {
    this.conv.dispose();
  }
}
