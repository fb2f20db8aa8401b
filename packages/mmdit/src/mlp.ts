import { tf } from '@rectiflow/core';
import { geluTanh, linearGelu } from '@rectiflow/nn';
import { Linear } from './linear';
import type { ParamStore } from './parameters';

/** The block MLP `fc2(gelu_tanh(fc1(x)))` (keys `<key>.fc1`, `<key>.fc2`). */
export class Mlp {
  readonly fc1: Linear;
  readonly fc2: Linear;
  constructor(
    store: ParamStore,
    key: string,
    readonly hidden: number,
    readonly mlpHidden: number,
  ) {
    this.fc1 = new Linear(store, `${key}.fc1`, hidden, mlpHidden);
    this.fc2 = new Linear(store, `${key}.fc2`, mlpHidden, hidden);
  }

  /** `[..., D]` -> `[..., D]` (fc1, its bias and the GELU in one fused kernel when registered). */
  apply(x: tf.Tensor): tf.Tensor {
    const { weight, bias } = this.fc1;
    return tf.tidy(() => this.fc2.apply(bias ? linearGelu(x, weight as tf.Tensor2D, bias as tf.Tensor1D) : geluTanh(this.fc1.apply(x))));
  }
}
