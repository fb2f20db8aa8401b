/**
 * How layers create their parameters: every tensor is requested by its official
 * checkpoint key and shape (PyTorch layout), from a {@link ParamSource} that either
 * initialises it or reads it from a checkpoint. Layers may store it in another layout
 * (linear weights pre-transposed to [in, out]) and convert back when saving.
 */
import { invalid, type Rng, tf } from '@rectiflow/core';

/** How a stored tensor relates to its official layout. */
export type ParamLayout =
  /** Stored as in the checkpoint. */
  | 'plain'
  /** A linear weight: official [out, in], stored transposed as [in, out]. */
  | 'linear'
  /** A patch-embedding conv weight: official [out, in, p, p], stored as [in*p*p, out]. */
  | 'conv';

/** The initialisation a new model uses for one tensor. */
export type ParamInit =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'normal'; std: number }
  /** Glorot/Xavier uniform, bound sqrt(6 / (fanIn + fanOut)). */
  | { kind: 'xavier'; fanIn: number; fanOut: number }
  /** A fixed table (computed, e.g. the sin-cos position embedding). */
  | { kind: 'table'; values: Float32Array };

/** One tensor a layer asks for. */
export interface ParamRequest {
  /** The official key, e.g. `joint_blocks.0.x_block.attn.qkv.weight`. */
  key: string;
  /** The official (PyTorch) shape. */
  shape: readonly number[];
  /** How a new model initialises it. */
  init: ParamInit;
}

/**
 * Supplies each requested tensor in the official layout and shape. The caller takes
 * ownership of the returned tensor.
 */
export type ParamSource = (request: ParamRequest) => tf.Tensor;

/** One parameter of a model. */
export interface ParamEntry {
  /** The official key. */
  key: string;
  /** The official shape. */
  officialShape: number[];
  layout: ParamLayout;
  /** The stored variable (in `layout`). */
  variable: tf.Variable;
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A {@link ParamSource} that initialises new tensors from a seeded generator. */
export function initSource(rng: Rng): ParamSource {
  return ({ shape, init }) => {
    const s = [...shape];
    switch (init.kind) {
      case 'zeros':
        return tf.zeros(s);
      case 'ones':
        return tf.ones(s);
      case 'normal':
        return rng.normal(s, 0, init.std);
      case 'xavier': {
        const bound = Math.sqrt(6 / (init.fanIn + init.fanOut));
        return rng.uniform(s, -bound, bound);
      }
      case 'table':
        if (init.values.length !== size(s)) invalid('init table', init.values.length, `${size(s)} values`);
        return tf.tensor(init.values, s, 'float32');
    }
  };
}

/** Convert an official-layout tensor to the stored layout. */
export function toStoredLayout(t: tf.Tensor, layout: ParamLayout): tf.Tensor {
  return tf.tidy(() => {
    if (layout === 'plain') return t.clone();
    if (layout === 'linear') return tf.transpose(t as tf.Tensor2D);
    const [out] = t.shape;
    return tf.transpose(tf.reshape(t, [out, size(t.shape) / out]));
  });
}

/** Convert a stored tensor back to the official layout. */
export function toOfficialLayout(t: tf.Tensor, layout: ParamLayout, officialShape: readonly number[]): tf.Tensor {
  return tf.tidy(() => (layout === 'plain' ? t.clone() : tf.reshape(tf.transpose(t as tf.Tensor2D), [...officialShape])));
}

/**
 * The parameters of one model: creates variables from a source and remembers each one's
 * official key, shape and layout.
 */
export class ParamStore {
  readonly entries: ParamEntry[] = [];
  constructor(private readonly source: ParamSource) {}

  /** Create a variable for `key`. `trainable: false` for buffers (the position table). */
  create(key: string, shape: readonly number[], layout: ParamLayout, init: ParamInit, trainable = true): tf.Variable {
    const official = this.source({ key, shape, init });
    const variable = tf.tidy(() => tf.variable(toStoredLayout(official, layout), trainable));
    official.dispose();
    this.entries.push({ key, officialShape: [...shape], layout, variable });
    return variable;
  }
}
