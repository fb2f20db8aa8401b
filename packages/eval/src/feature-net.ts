/**
 * A small convolutional network whose penultimate layer gives the features of the
 * distribution metric, and whose classification heads say what an image shows. Built only
 * from pads, slices, reshapes and 2-D matmuls (im2col convolutions), so it trains on every
 * backend, wasm included (which has no Conv2DBackpropFilter). Runtime-neutral: weights
 * travel as safetensors bytes.
 *
 * Architecture: NCHW in [-1, 1] -> `widths.length` blocks of (3x3 convolution, stride 2,
 * padding 1, ReLU) -> flatten -> dense `featureDim` (the features: pre-activation) ->
 * ReLU -> one dense layer holding the logits of every head side by side.
 */
import { createRng, formatValue, invalid, tf } from '@rectiflow/core';
import { bytesSource, readSafetensors, serializeSafetensors } from '@rectiflow/safetensors';

/** One classification head: its name and the names of its classes. */
export interface FeatureHead {
  name: string;
  classes: readonly string[];
}

/** The architecture of a {@link FeatureNet}. */
export interface FeatureNetConfig {
  /** Input channels (a 3-channel net also takes 1-channel images, replicated to grey RGB). */
  channels: number;
  /** Image side in pixels; a multiple of 2^widths.length. */
  size: number;
  /** Output channels of each stride-2 convolution block. */
  widths: readonly number[];
  /** Dimension of the feature layer. */
  featureDim: number;
  /** The classification heads, on top of the features. */
  heads: readonly FeatureHead[];
}

/** The `format` metadata entry of a saved {@link FeatureNet}. */
export const FEATURE_NET_FORMAT = 'rectiflow-feature-net';

function checkConfig(config: FeatureNetConfig): FeatureNetConfig {
  if (!config || typeof config !== 'object') invalid('config', config, 'a FeatureNetConfig object');
  const positive = (field: string, v: unknown, max: number) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) invalid(field, v, `an integer in [1, ${max}]`);
  };
  positive('config.channels', config.channels, 64);
  if (!Array.isArray(config.widths) || config.widths.length < 1)
    invalid('config.widths', config.widths, 'a non-empty array of channel counts');
  config.widths.forEach((w, i) => {
    positive(`config.widths[${i}]`, w, 4096);
  });
  positive('config.size', config.size, 4096);
  const factor = 2 ** config.widths.length;
  if (config.size % factor !== 0) invalid('config.size', config.size, `a multiple of ${factor} (2^widths.length)`);
  positive('config.featureDim', config.featureDim, 65536);
  if (!Array.isArray(config.heads)) invalid('config.heads', config.heads, 'an array of { name, classes }');
  const names = new Set<string>();
  config.heads.forEach((h, i) => {
    if (!h || typeof h.name !== 'string' || !h.name || names.has(h.name))
      invalid(`config.heads[${i}].name`, h?.name, 'a unique non-empty string');
    names.add(h.name);
    if (!Array.isArray(h.classes) || h.classes.length < 2 || h.classes.some((c: unknown) => typeof c !== 'string')) {
      invalid(`config.heads[${i}].classes`, h.classes, 'an array of at least 2 class names');
    }
  });
  return {
    channels: config.channels,
    size: config.size,
    widths: [...config.widths],
    featureDim: config.featureDim,
    heads: config.heads.map((h) => ({ name: h.name, classes: [...h.classes] })),
  };
}

/** The name and shape of every weight of a net with this configuration, in order. */
export function featureNetWeightShapes(config: FeatureNetConfig): [string, number[]][] {
  const shapes: [string, number[]][] = [];
  let inC = config.channels;
  config.widths.forEach((w, i) => {
    shapes.push([`conv${i}.weight`, [9 * inC, w]], [`conv${i}.bias`, [w]]);
    inC = w;
  });
  const side = config.size / 2 ** config.widths.length;
  const classes = config.heads.reduce((n, h) => n + h.classes.length, 0);
  shapes.push(['feature.weight', [side * side * inC, config.featureDim]], ['feature.bias', [config.featureDim]]);
  if (classes > 0) shapes.push(['head.weight', [config.featureDim, classes]], ['head.bias', [classes]]);
  return shapes;
}

/** The feature network. Owns its variables; call `dispose()` when done. */
export class FeatureNet {
  readonly config: Readonly<FeatureNetConfig>;
  /** Free-form provenance saved with the weights (how the net was made). */
  readonly metadata: Record<string, string>;
  private readonly weights = new Map<string, tf.Variable>();

  /**
   * @param config the architecture.
   * @param init a seed for a fresh He-normal initialisation, or the weights by name (copied).
   * @param metadata provenance to save with the weights.
   */
  constructor(config: FeatureNetConfig, init: number | ReadonlyMap<string, tf.Tensor> = 0, metadata: Record<string, string> = {}) {
    this.config = Object.freeze(checkConfig(config));
    this.metadata = { ...metadata };
    const shapes = featureNetWeightShapes(this.config);
    if (typeof init === 'number') {
      const rng = createRng(`feature-net/${init}`);
      for (const [name, shape] of shapes) {
        const value = name.endsWith('.bias')
          ? tf.zeros(shape)
          : rng.normal(shape, 0, Math.sqrt((name === 'head.weight' ? 1 : 2) / shape[0]));
        this.weights.set(name, tf.variable(value, true, undefined, 'float32'));
        value.dispose();
      }
    } else {
      for (const [name, shape] of shapes) {
        const value = init.get(name);
        if (!value) invalid(`weights["${name}"]`, value, `a tensor of shape ${formatValue(shape)}`);
        if (value.shape.length !== shape.length || value.shape.some((d, i) => d !== shape[i])) {
          invalid(`weights["${name}"].shape`, value.shape, `${formatValue(shape)} for this configuration`);
        }
        const cast = tf.cast(value, 'float32');
        this.weights.set(name, tf.variable(cast, true));
        cast.dispose();
      }
    }
  }

  /** The trainable variables. */
  get variables(): tf.Variable[] {
    return [...this.weights.values()];
  }

  /** The weights by name (the net's own variables; do not dispose). */
  get namedWeights(): ReadonlyMap<string, tf.Variable> {
    return this.weights;
  }

  get featureDim(): number {
    return this.config.featureDim;
  }

  /** The number of logits of all heads together. */
  get classCount(): number {
    return this.config.heads.reduce((n, h) => n + h.classes.length, 0);
  }

  /** The head called `name`, with the offset of its logits. */
  head(name: string): FeatureHead & { offset: number; index: number } {
    let offset = 0;
    for (let index = 0; index < this.config.heads.length; index++) {
      const h = this.config.heads[index];
      if (h.name === name) return { ...h, offset, index };
      offset += h.classes.length;
    }
    return invalid('head', name, `one of ${formatValue(this.config.heads.map((h) => h.name))}`);
  }

  /**
   * Check a batch of NCHW images for this net; returns it with channels matching
   * (1-channel images replicated for a 3-channel net).
   */
  checkImages(images: tf.Tensor, field = 'images'): tf.Tensor4D {
    const { channels, size } = this.config;
    const expected = `[N, ${channels}, ${size}, ${size}]${channels === 3 ? ` or [N, 1, ${size}, ${size}]` : ''} (NCHW in [-1, 1])`;
    if (!(images instanceof tf.Tensor)) invalid(field, images, `a tensor of shape ${expected}`);
    const s = images.shape;
    const okChannels = s[1] === channels || (channels === 3 && s[1] === 1);
    if (s.length !== 4 || s[0] < 1 || !okChannels || s[2] !== size || s[3] !== size) invalid(`${field}.shape`, [...s], expected);
    if (images.dtype !== 'float32') invalid(`${field}.dtype`, images.dtype, '"float32"');
    return images as tf.Tensor4D;
  }

  /** The features of NCHW images in [-1, 1]: [N, featureDim]. */
  features(images: tf.Tensor4D): tf.Tensor2D {
    const x0 = this.checkImages(images);
    return tf.tidy(() => {
      const n = x0.shape[0];
      let x = tf.transpose(x0.shape[1] === this.config.channels ? x0 : tf.tile(x0, [1, 3, 1, 1]), [0, 2, 3, 1]) as tf.Tensor4D;
      this.config.widths.forEach((_, i) => {
        x = this.convBlock(x, this.w(`conv${i}.weight`), this.w(`conv${i}.bias`));
      });
      const flat = tf.reshape(x, [n, -1]);
      return tf.add(tf.matMul(flat, this.w('feature.weight')), this.w('feature.bias')) as tf.Tensor2D;
    });
  }

  /** The logits of every head side by side: [N, classCount]. */
  logits(images: tf.Tensor4D): tf.Tensor2D {
    if (this.classCount === 0) invalid('config.heads', [], 'at least one head to compute logits');
    return tf.tidy(() => this.logitsOf(this.features(images)));
  }

  /** Head logits from features (what {@link logits} applies after {@link features}). */
  logitsOf(features: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.add(tf.matMul(tf.relu(features), this.w('head.weight')), this.w('head.bias')) as tf.Tensor2D);
  }

  /** Class probabilities of each head, by head name: [N, classes of the head]. */
  classify(images: tf.Tensor4D): Record<string, tf.Tensor2D> {
    const logits = this.logits(images);
    const out: Record<string, tf.Tensor2D> = {};
    let offset = 0;
    for (const h of this.config.heads) {
      out[h.name] = tf.tidy(() => tf.softmax(tf.slice(logits, [0, offset], [-1, h.classes.length])) as tf.Tensor2D);
      offset += h.classes.length;
    }
    logits.dispose();
    return out;
  }

  dispose(): void {
    tf.dispose(this.variables);
    this.weights.clear();
  }

  private w(name: string): tf.Variable {
    const v = this.weights.get(name);
    if (!v) throw new Error(`FeatureNet: weight ${name} is missing (disposed?)`);
    return v;
  }

  /** 3x3 convolution, stride 2, padding 1, ReLU, as im2col + matmul on NHWC input of even side. */
  private convBlock(x: tf.Tensor4D, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor4D {
    const [n, h, w, c] = x.shape;
    const ho = h / 2;
    const wo = w / 2;
    // Padded row r = 2a + b; output row i reads padded rows 2i, 2i + 1, 2i + 2.
    const padded = tf.reshape(
      tf.pad(x, [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ]),
      [n, ho + 1, 2, wo + 1, 2, c],
    );
    const taps: tf.Tensor[] = [];
    for (let dy = 0; dy < 3; dy++) {
      for (let dx = 0; dx < 3; dx++) taps.push(tf.slice(padded, [0, dy >> 1, dy & 1, dx >> 1, dx & 1, 0], [n, ho, 1, wo, 1, c]));
    }
    const cols = tf.reshape(tf.concat(taps, 5), [n * ho * wo, 9 * c]);
    const out = tf.relu(tf.add(tf.matMul(cols, weight as tf.Tensor2D), bias));
    return tf.reshape(out, [n, ho, wo, weight.shape[1] as number]);
  }
}

/**
 * The net's weights and configuration as safetensors bytes (F32), with `metadata` (merged
 * over the net's own) in the header.
 */
export async function serializeFeatureNet(net: FeatureNet, metadata: Record<string, string> = {}): Promise<Uint8Array> {
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, value] of net.namedWeights) tensors[name] = value;
  return serializeSafetensors(tensors, { ...net.metadata, ...metadata, format: FEATURE_NET_FORMAT, config: JSON.stringify(net.config) });
}

/**
 * Load a {@link FeatureNet} from the bytes {@link serializeFeatureNet} wrote.
 * @example
 * ```ts
 * const net = await loadFeatureNet(bytes);
 * const features = net.features(images); // [N, net.featureDim]
 * ```
 */
export async function loadFeatureNet(bytes: Uint8Array, label = '<bytes>'): Promise<FeatureNet> {
  if (!(bytes instanceof Uint8Array)) invalid('bytes', bytes, 'a Uint8Array of safetensors bytes');
  const file = await readSafetensors(bytesSource(bytes, label));
  try {
    const { format, config, ...metadata } = file.metadata;
    if (format !== FEATURE_NET_FORMAT) invalid(`${label} metadata.format`, format, `"${FEATURE_NET_FORMAT}"`);
    let parsed: FeatureNetConfig;
    try {
      parsed = JSON.parse(config ?? '');
    } catch {
      return invalid(`${label} metadata.config`, config, 'the JSON of a FeatureNetConfig');
    }
    const weights = await file.tensors();
    try {
      return new FeatureNet(parsed, weights, metadata);
    } finally {
      tf.dispose([...weights.values()]);
    }
  } finally {
    await file.close();
  }
}
