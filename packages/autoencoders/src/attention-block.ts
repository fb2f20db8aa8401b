/**
 * The mid-block self-attention of the LDM autoencoder: GroupNorm, 1x1 q/k/v projections,
 * one head over all spatial positions (row-major h·w) with scale 1/sqrt(C), a 1x1 output
 * projection and a residual connection.
 */
import { tf } from '@rectiflow/core';
import { Pointwise } from './conv2d';
import { GroupNorm } from './group-norm';
import { getWeight } from './weights';

/** Add the keys and shapes of an attention block under `prefix` (e.g. `encoder.mid.attn_1.`). */
export function attentionBlockShapes(prefix: string, channels: number, out: Map<string, number[]>): void {
  out.set(`${prefix}norm.weight`, [channels]);
  out.set(`${prefix}norm.bias`, [channels]);
  for (const name of ['q', 'k', 'v', 'proj_out']) {
    out.set(`${prefix}${name}.weight`, [channels, channels, 1, 1]);
    out.set(`${prefix}${name}.bias`, [channels]);
  }
}

/**
 * Single-head spatial self-attention over NHWC activations. Owns its tensors.
 *
 * Each image is handled on its own with plain 2-D matmuls (the fast path on wasm), and
 * queries are processed in chunks so that the score matrix stays within
 * `maxScoreElements` entries (large images have tens of thousands of positions).
 */
export class AttentionBlock {
  private readonly norm: GroupNorm;
  private readonly q: Pointwise;
  private readonly k: Pointwise;
  private readonly v: Pointwise;
  private readonly proj: Pointwise;

  /** Build from validated weights (PyTorch layout) under `prefix`; the tensors are copied. */
  constructor(
    weights: ReadonlyMap<string, tf.Tensor>,
    prefix: string,
    readonly maxScoreElements = 1 << 24,
  ) {
    const w = (name: string) => getWeight(weights, prefix + name);
    this.norm = new GroupNorm(w('norm.weight'), w('norm.bias'));
    this.q = new Pointwise(w('q.weight'), w('q.bias'));
    this.k = new Pointwise(w('k.weight'), w('k.bias'));
    this.v = new Pointwise(w('v.weight'), w('v.bias'));
    this.proj = new Pointwise(w('proj_out.weight'), w('proj_out.bias'));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    const [b, h, w, c] = x.shape;
    const n = h * w;
    const rows = Math.max(1, Math.floor(this.maxScoreElements / n));
    return tf.tidy(() => {
      const hidden = tf.reshape(this.norm.apply(x), [b * n, c]) as tf.Tensor2D;
      const q = this.q.applyRows(hidden);
      const k = this.k.applyRows(hidden);
      const v = this.v.applyRows(hidden);
      const scale = 1 / Math.sqrt(c);
      const outputs: tf.Tensor2D[] = [];
      for (let i = 0; i < b; i++) {
        const kT = tf.transpose(tf.slice(k, [i * n, 0], [n, c]));
        const vi = tf.slice(v, [i * n, 0], [n, c]);
        for (let start = 0; start < n; start += rows) {
          const size = Math.min(rows, n - start);
          outputs.push(
            tf.tidy(() => {
              const qi = tf.slice(q, [i * n + start, 0], [size, c]);
              const probs = tf.softmax(tf.mul(tf.matMul(qi, kT), scale));
              return tf.matMul(probs, vi);
            }),
          );
        }
      }
      const attended = outputs.length === 1 ? outputs[0] : tf.concat(outputs, 0);
      return tf.add(x, tf.reshape(this.proj.applyRows(attended), [b, h, w, c]));
    });
  }

  dispose(): void {
    for (const m of [this.norm, this.q, this.k, this.v, this.proj]) m.dispose();
  }
}
