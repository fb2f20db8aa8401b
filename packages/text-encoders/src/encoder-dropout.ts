/**
 * Per-encoder conditioning dropout for classifier-free guidance training: each encoder's
 * share of the context and pooled vector is dropped independently per sample (SD3 drops
 * each of its three encoders with probability 46.4%), and replaced by that encoder's
 * share of the unconditional encoding, or by zeros.
 */
import { checkNumber, formatValue, type Rng, type TextEncoding, tf, ValidationError } from '@rectiflow/core';

/** Where one encoder's output sits inside an assembled encoding. */
export interface EncoderBlock {
  /** e.g. `clipL`. */
  name: string;
  /** Context rows `[start, end)`. */
  rows: [number, number];
  /** Context columns `[start, end)`. */
  columns: [number, number];
  /** Pooled columns `[start, end)`, or null when the encoder adds nothing to the pooled vector. */
  pooled: [number, number] | null;
}

/** What a dropped encoder's share becomes. */
export type DropReplacement = 'unconditional' | 'zeros';

/** Options of {@link EncoderDropout}. */
export interface EncoderDropoutOptions {
  /** One probability for all encoders, or one per block name. Default 0.464 (the SD3 paper). */
  probability?: number | Readonly<Record<string, number>>;
  /** The seeded generator the draws come from. */
  rng: Rng;
  /**
   * `unconditional` (default): the share of the empty prompt's encoding, which is what
   * sampling uses as the unconditional input. `zeros`: zeros.
   */
  replaceWith?: DropReplacement;
}

/** The SD3 paper's per-encoder drop rate. */
export const SD3_ENCODER_DROP_PROBABILITY = 0.464;

/** Drops encoders' shares of an encoding at random. */
export class EncoderDropout {
  readonly probabilities: readonly number[];
  readonly replaceWith: DropReplacement;
  private readonly rng: Rng;

  constructor(
    readonly blocks: readonly EncoderBlock[],
    options: EncoderDropoutOptions,
  ) {
    if (!options || typeof options.rng?.uniformNumber !== 'function') {
      throw new ValidationError('dropout.rng', options?.rng, 'a seeded Rng (createRng(seed))');
    }
    this.rng = options.rng;
    const p = options.probability ?? SD3_ENCODER_DROP_PROBABILITY;
    this.probabilities = blocks.map((b) => {
      const value = typeof p === 'number' ? p : (p[b.name] ?? SD3_ENCODER_DROP_PROBABILITY);
      return checkNumber(`dropout.probability${typeof p === 'number' ? '' : `.${b.name}`}`, value, { min: 0, max: 1 });
    });
    if (typeof p === 'object') {
      for (const key of Object.keys(p)) {
        if (!blocks.some((b) => b.name === key)) {
          throw new ValidationError(
            `dropout.probability.${key}`,
            p[key],
            `a probability for one of ${formatValue(blocks.map((b) => b.name))}`,
          );
        }
      }
    }
    this.replaceWith = options.replaceWith ?? 'unconditional';
    if (this.replaceWith !== 'unconditional' && this.replaceWith !== 'zeros') {
      throw new ValidationError('dropout.replaceWith', this.replaceWith, "'unconditional' or 'zeros'");
    }
  }

  /** Draw which encoders to drop: `dropped[b][i]` for sample `b` and block `i`. Advances the rng. */
  draw(batch: number): boolean[][] {
    checkNumber('batch', batch, { integer: true, min: 1 });
    const out: boolean[][] = [];
    for (let b = 0; b < batch; b++) out.push(this.probabilities.map((p) => this.rng.uniformNumber() < p));
    return out;
  }

  /**
   * A new encoding with the dropped shares replaced. `unconditional` (batch 1, same shapes
   * otherwise) is required when replacing with the unconditional encoding. Inputs are not disposed.
   */
  apply(encoding: TextEncoding, dropped: readonly (readonly boolean[])[], unconditional?: TextEncoding): TextEncoding {
    const [B, L, D] = encoding.context.shape;
    const P = encoding.pooled.shape[1];
    if (dropped.length !== B) throw new ValidationError('dropped.length', dropped.length, `${B}, the batch size`);
    if (this.replaceWith === 'unconditional') {
      if (!unconditional) throw new ValidationError('unconditional', unconditional, 'the encoding of the empty prompt');
      const [ub, ul, ud] = unconditional.context.shape;
      if (ub !== 1 || ul !== L || ud !== D || unconditional.pooled.shape[1] !== P) {
        throw new ValidationError('unconditional.context.shape', [ub, ul, ud], `[1, ${L}, ${D}] with pooled [1, ${P}]`);
      }
    }
    // keep = prod over blocks of (1 - dropped[b] * inRows[l] * inColumns[d]), built by broadcasting
    // from per-block vectors: no [B, L, D] array is assembled on the JS side.
    const span = (n: number, [a, b]: [number, number]) => Float32Array.from({ length: n }, (_, i) => (i >= a && i < b ? 1 : 0));
    return tf.tidy(() => {
      let kc: tf.Tensor = tf.ones([B, L, D]);
      let kp: tf.Tensor = tf.ones([B, P]);
      this.blocks.forEach((block, i) => {
        const drops = Float32Array.from(dropped, (row) => (row[i] ? 1 : 0));
        if (!drops.some((v) => v)) return;
        const d = tf.tensor3d(drops, [B, 1, 1]);
        const region = tf.mul(tf.tensor3d(span(L, block.rows), [1, L, 1]), tf.tensor3d(span(D, block.columns), [1, 1, D]));
        kc = tf.mul(kc, tf.sub(1, tf.mul(d, region)));
        if (block.pooled) kp = tf.mul(kp, tf.sub(1, tf.mul(tf.reshape(d, [B, 1]), tf.tensor2d(span(P, block.pooled), [1, P]))));
      });
      const mix = <T extends tf.Tensor>(value: T, keep: tf.Tensor, other: tf.Tensor | undefined): T =>
        (other ? tf.add(tf.mul(value, keep), tf.mul(other, tf.sub(1, keep))) : tf.mul(value, keep)) as T;
      const replacement = this.replaceWith === 'unconditional' ? unconditional : undefined;
      const out: TextEncoding = {
        context: mix(encoding.context, kc, replacement?.context),
        pooled: mix(encoding.pooled, kp, replacement?.pooled),
      };
      if (encoding.mask) out.mask = tf.clone(encoding.mask);
      return out as unknown as tf.TensorContainer;
    }) as unknown as TextEncoding;
  }
}
