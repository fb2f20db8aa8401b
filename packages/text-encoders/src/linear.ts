/**
 * A dense layer stored the way the wasm backend multiplies fastest: the weight is kept
 * as `[in, out]`, transposed once at load from the Hugging Face `[out, in]` layout, so
 * every call is a plain 2-D matMul without transpose flags.
 */
import { tf } from '@rectiflow/core';
import { linear } from '@rectiflow/nn';
import type { WeightReader } from './weight-reader';

/** `y = x W + b` on 2-D inputs `[N, in]`. */
export class Linear {
  constructor(
    /** `[in, out]`. */
    readonly weight: tf.Tensor2D,
    /** `[out]`, when the layer has a bias. */
    readonly bias?: tf.Tensor1D,
  ) {}

  /** Input features. */
  get inFeatures(): number {
    return this.weight.shape[0];
  }

  /** Output features. */
  get outFeatures(): number {
    return this.weight.shape[1];
  }

  /**
   * Load `{key}.weight` (`[out, in]`, as PyTorch stores it) and, when `bias`, `{key}.bias`.
   * @throws WeightMismatchError (core) naming the key when a tensor is missing or misshaped
   */
  static async load(reader: WeightReader, key: string, outFeatures: number, inFeatures: number, bias: boolean): Promise<Linear> {
    const w = await reader.tensor(`${key}.weight`, [outFeatures, inFeatures]);
    const b = bias ? await reader.tensor(`${key}.bias`, [outFeatures]) : undefined;
    const weight = tf.tidy(() => tf.transpose(w as tf.Tensor2D));
    w.dispose();
    return new Linear(weight, b as tf.Tensor1D | undefined);
  }

  /**
   * Load several layers that read the same input (q, k, v) as one layer whose outputs sit
   * side by side: one matMul instead of several.
   */
  static async loadFused(
    reader: WeightReader,
    keys: readonly string[],
    outFeatures: number,
    inFeatures: number,
    bias: boolean,
  ): Promise<Linear> {
    const parts: Linear[] = [];
    try {
      for (const key of keys) parts.push(await Linear.load(reader, key, outFeatures, inFeatures, bias));
    } catch (e) {
      for (const p of parts) p.dispose();
      throw e;
    }
    return Linear.concat(parts);
  }

  /** Several layers with the same input, fused into one (outputs side by side). The parts are disposed. */
  static concat(parts: readonly Linear[]): Linear {
    const weight = tf.concat(
      parts.map((p) => p.weight),
      1,
    );
    const hasBias = parts.every((p) => p.bias);
    const bias = hasBias
      ? tf.concat(
          parts.map((p) => p.bias as tf.Tensor1D),
          0,
        )
      : undefined;
    for (const p of parts) p.dispose();
    return new Linear(weight, bias);
  }

  /** Apply to `[N, in]`. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return linear(x, this.weight, this.bias) as tf.Tensor2D;
  }

  /** Free the tensors. */
  dispose(): void {
    this.weight.dispose();
    this.bias?.dispose();
  }
}
