/**
 * The LDM ResNet block: norm1 → SiLU → conv1 (3x3) → norm2 → SiLU → conv2 (3x3), plus the
 * input, through a 1x1 `nin_shortcut` when the channel count changes.
 */
import { tf } from '@rectiflow/core';
import { silu } from '@rectiflow/nn';
import { Conv2d, Pointwise } from './conv2d';
import { GroupNorm } from './group-norm';
import { getWeight } from './weights';

/** Add the keys and shapes of a ResNet block under `prefix` (e.g. `encoder.down.0.block.0.`). */
export function resnetBlockShapes(prefix: string, inChannels: number, outChannels: number, out: Map<string, number[]>): void {
  out.set(`${prefix}norm1.weight`, [inChannels]);
  out.set(`${prefix}norm1.bias`, [inChannels]);
  out.set(`${prefix}conv1.weight`, [outChannels, inChannels, 3, 3]);
  out.set(`${prefix}conv1.bias`, [outChannels]);
  out.set(`${prefix}norm2.weight`, [outChannels]);
  out.set(`${prefix}norm2.bias`, [outChannels]);
  out.set(`${prefix}conv2.weight`, [outChannels, outChannels, 3, 3]);
  out.set(`${prefix}conv2.bias`, [outChannels]);
  if (inChannels !== outChannels) {
    out.set(`${prefix}nin_shortcut.weight`, [outChannels, inChannels, 1, 1]);
    out.set(`${prefix}nin_shortcut.bias`, [outChannels]);
  }
}

/** A ResNet block over NHWC activations. Owns its tensors. */
export class ResnetBlock {
  private readonly norm1: GroupNorm;
  private readonly conv1: Conv2d;
  private readonly norm2: GroupNorm;
  private readonly conv2: Conv2d;
  private readonly shortcut: Pointwise | null;

  /** Build from validated weights (PyTorch layout) under `prefix`; the tensors are copied. */
  constructor(weights: ReadonlyMap<string, tf.Tensor>, prefix: string) {
    const w = (name: string) => getWeight(weights, prefix + name);
    this.norm1 = new GroupNorm(w('norm1.weight'), w('norm1.bias'));
    this.conv1 = new Conv2d(w('conv1.weight'), w('conv1.bias'));
    this.norm2 = new GroupNorm(w('norm2.weight'), w('norm2.bias'));
    this.conv2 = new Conv2d(w('conv2.weight'), w('conv2.bias'));
    this.shortcut = weights.has(`${prefix}nin_shortcut.weight`) ? new Pointwise(w('nin_shortcut.weight'), w('nin_shortcut.bias')) : null;
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let h = this.conv1.apply(silu(this.norm1.apply(x)));
      h = this.conv2.apply(silu(this.norm2.apply(h)));
      const skip = this.shortcut ? this.shortcut.apply(x) : x;
      return tf.add(skip, h);
    });
  }

  dispose(): void {
    this.norm1.dispose();
    this.conv1.dispose();
    this.norm2.dispose();
    this.conv2.dispose();
    this.shortcut?.dispose();
  }
}
