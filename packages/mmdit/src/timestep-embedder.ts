import { invalid, tf } from '@rectiflow/core';
import { silu } from '@rectiflow/nn';
import { Linear } from './linear';
import type { ParamStore } from './parameters';

/**
 * The frequencies of the sinusoidal timestep features, computed in float32 as the
 * official code does: `exp(-ln(maxPeriod) * i / half)` for `i < half`.
 */
export function timestepFrequencies(dim: number, maxPeriod = 10000): Float32Array {
  const half = Math.floor(dim / 2);
  const scale = Math.fround(-Math.log(maxPeriod));
  const out = new Float32Array(half);
  for (let i = 0; i < half; i++) out[i] = Math.exp(Math.fround(Math.fround(scale * i) / half));
  return out;
}

/**
 * Sinusoidal features of timesteps `t [B]` (as fed to the model, sigma x 1000):
 * `[cos(t f), sin(t f)]`, cosine first, `[B, dim]` (a zero column is appended for odd `dim`).
 */
export function timestepEmbedding(t: tf.Tensor1D, dim = 256, maxPeriod = 10000): tf.Tensor2D {
  return tf.tidy(() => {
    const freqs = timestepFrequencies(dim, maxPeriod);
    const args = tf.mul(tf.reshape(tf.cast(t, 'float32'), [-1, 1]), tf.tensor2d(freqs, [1, freqs.length]));
    const parts = [tf.cos(args), tf.sin(args)];
    if (dim % 2) parts.push(tf.zeros([t.shape[0], 1]));
    return tf.concat(parts, 1) as tf.Tensor2D;
  });
}

/**
 * The timestep embedder `t_embedder`: sinusoidal features (256 frequencies by default),
 * then `Linear -> SiLU -> Linear` to the hidden size (keys `<key>.mlp.0`, `<key>.mlp.2`).
 */
export class TimestepEmbedder {
  readonly fc1: Linear;
  readonly fc2: Linear;
  constructor(
    store: ParamStore,
    key: string,
    readonly hidden: number,
    readonly frequencyDim = 256,
  ) {
    const init = { kind: 'normal', std: 0.02 } as const;
    this.fc1 = new Linear(store, `${key}.mlp.0`, frequencyDim, hidden, { init });
    this.fc2 = new Linear(store, `${key}.mlp.2`, hidden, hidden, { init });
  }

  /** The features `t_freq [B, frequencyDim]`. */
  features(t: tf.Tensor1D): tf.Tensor2D {
    if (t.rank !== 1) invalid('t.shape', [...t.shape], '[B]');
    return timestepEmbedding(t, this.frequencyDim);
  }

  /** `t [B]` -> `[B, hidden]`. */
  apply(t: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() => this.embed(this.features(t)));
  }

  /** The MLP on precomputed features. */
  embed(features: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.fc2.apply(silu(this.fc1.apply(features))) as tf.Tensor2D);
  }
}
