/**
 * A small trainable autoencoder for small datasets: each p×p patch is encoded by an MLP to
 * a latent vector (a p-fold downsampling) and decoded by another. KL (a Gaussian latent,
 * as in the SD3 VAE) or plain (a deterministic latent). Built only from 2-D matmuls,
 * reshapes and transposes, so it trains on the wasm backend.
 */
import {
  type Autoencoder,
  checkNumber,
  checkWeights,
  createRng,
  invalid,
  type LatentDistribution,
  RectiflowError,
  type Rng,
  tf,
} from '@rectiflow/core';
import { linear, silu } from '@rectiflow/nn';
import { checkNCHW } from './check-images';
import { LOGVAR_RANGE, sampleLatent } from './latent-distribution';
import { checkLatentFormat, IDENTITY_LATENT_FORMAT, type LatentFormat, processIn, processOut } from './latent-format';
import { nchwToRows, patchify, rowsToNCHW, unpatchify } from './patchify';

/** The architecture of a {@link TinyAutoencoder}. */
export interface TinyAutoencoderConfig {
  /** Image channels (default 3). */
  imageChannels: number;
  /** Latent channels (default 4). */
  latentChannels: number;
  /** Patch size = downsampling factor (default 4). */
  patchSize: number;
  /** Width of the hidden layers (default 64). */
  hidden: number;
  /** Hidden layers in each of the encoder and decoder (default 2). */
  depth: number;
  /** A Gaussian latent with mean and log-variance (true, default) or a deterministic one. */
  kl: boolean;
}

/** The default configuration. */
export const TINY_AUTOENCODER_DEFAULTS: Readonly<TinyAutoencoderConfig> = Object.freeze({
  imageChannels: 3,
  latentChannels: 4,
  patchSize: 4,
  hidden: 64,
  depth: 2,
  kl: true,
});

/** Check a configuration and fill in defaults. @throws ValidationError naming the field. */
export function checkTinyAutoencoderConfig(config: Partial<TinyAutoencoderConfig> = {}): TinyAutoencoderConfig {
  const c = { ...TINY_AUTOENCODER_DEFAULTS, ...config };
  if (typeof c.kl !== 'boolean') invalid('config.kl', c.kl, 'true or false');
  return {
    imageChannels: checkNumber('config.imageChannels', c.imageChannels, { integer: true, min: 1 }),
    latentChannels: checkNumber('config.latentChannels', c.latentChannels, { integer: true, min: 1 }),
    patchSize: checkNumber('config.patchSize', c.patchSize, { integer: true, min: 1 }),
    hidden: checkNumber('config.hidden', c.hidden, { integer: true, min: 1 }),
    depth: checkNumber('config.depth', c.depth, { integer: true, min: 1 }),
    kl: c.kl,
  };
}

/** The layer sizes [in, out] of the encoder and the decoder, in order. */
function layerSizes(c: TinyAutoencoderConfig): { encoder: [number, number][]; decoder: [number, number][] } {
  const patch = c.patchSize * c.patchSize * c.imageChannels;
  const latentOut = c.kl ? 2 * c.latentChannels : c.latentChannels;
  const chain = (from: number, to: number): [number, number][] => {
    const dims = [from, ...Array<number>(c.depth).fill(c.hidden), to];
    return dims.slice(1).map((d, i) => [dims[i], d]);
  };
  return { encoder: chain(patch, latentOut), decoder: chain(c.latentChannels, patch) };
}

/**
 * Every tensor key of a {@link TinyAutoencoder} and its shape. Dense weights are stored
 * [in, out] (the tfjs layout), e.g. `encoder.0.weight [48, 64]`, `encoder.0.bias [64]`.
 */
export function tinyAutoencoderWeightShapes(config: TinyAutoencoderConfig): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const sizes = layerSizes(config);
  for (const part of ['encoder', 'decoder'] as const) {
    sizes[part].forEach(([i, o], n) => {
      out.set(`${part}.${n}.weight`, [i, o]);
      out.set(`${part}.${n}.bias`, [o]);
    });
  }
  return out;
}

interface Dense {
  weight: tf.Variable;
  bias: tf.Variable;
}

/** Options of the {@link TinyAutoencoder} constructor. */
export interface TinyAutoencoderOptions {
  /** Initial weights by key (see {@link tinyAutoencoderWeightShapes}); copied. Default: seeded random. */
  weights?: ReadonlyMap<string, tf.Tensor>;
  /** Seed of the random initial weights (default 0). */
  seed?: number | string;
  /** The latent normalisation (default identity; {@link trainTinyAutoencoder} fits one). */
  latentFormat?: LatentFormat;
  /** The adapter's name (default `tiny-ae`). */
  name?: string;
}

/** A trainable patch autoencoder implementing `Autoencoder`. Owns its variables. */
export class TinyAutoencoder implements Autoencoder {
  readonly name: string;
  readonly config: Readonly<TinyAutoencoderConfig>;
  readonly imageChannels: number;
  readonly latentChannels: number;
  readonly downsampleFactor: number;
  /** The latent normalisation; {@link trainTinyAutoencoder} can refit it. */
  latentFormat: Readonly<LatentFormat>;
  private readonly encoderLayers: Dense[];
  private readonly decoderLayers: Dense[];
  private disposed = false;

  constructor(config: Partial<TinyAutoencoderConfig> = {}, options: TinyAutoencoderOptions = {}) {
    this.config = Object.freeze(checkTinyAutoencoderConfig(config));
    this.latentFormat = Object.freeze(checkLatentFormat(options.latentFormat ?? IDENTITY_LATENT_FORMAT));
    this.name = options.name ?? 'tiny-ae';
    this.imageChannels = this.config.imageChannels;
    this.latentChannels = this.config.latentChannels;
    this.downsampleFactor = this.config.patchSize;
    if (options.weights)
      checkWeights(`tiny autoencoder (${JSON.stringify(this.config)})`, options.weights, tinyAutoencoderWeightShapes(this.config));
    const rng = createRng(options.seed ?? 0);
    const make = (part: 'encoder' | 'decoder', sizes: [number, number][]): Dense[] =>
      sizes.map(([i, o], n) => {
        const given = (suffix: string) => options.weights?.get(`${part}.${n}.${suffix}`);
        const w = given('weight');
        const b = given('bias');
        return {
          weight: tf.tidy(() => tf.variable(w ? tf.clone(w) : rng.normal([i, o], 0, 1 / Math.sqrt(i)), true)),
          bias: tf.tidy(() => tf.variable(b ? tf.clone(b) : tf.zeros([o]), true)),
        };
      });
    const sizes = layerSizes(this.config);
    this.encoderLayers = make('encoder', sizes.encoder);
    this.decoderLayers = make('decoder', sizes.decoder);
  }

  /** The trainable variables, encoder first. */
  get variables(): tf.Variable[] {
    return [...this.encoderLayers, ...this.decoderLayers].flatMap((d) => [d.weight, d.bias]);
  }

  /** The weights by key (the variables themselves, not copies). */
  weights(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const [part, layers] of [
      ['encoder', this.encoderLayers],
      ['decoder', this.decoderLayers],
    ] as const) {
      layers.forEach((d, n) => {
        out.set(`${part}.${n}.weight`, d.weight);
        out.set(`${part}.${n}.bias`, d.bias);
      });
    }
    return out;
  }

  private live(): void {
    if (this.disposed) throw new RectiflowError(`${this.name}: used after dispose()`);
  }

  private static mlp(x: tf.Tensor2D, layers: Dense[]): tf.Tensor2D {
    let h = x;
    layers.forEach((d, i) => {
      h = linear(h, d.weight as tf.Tensor2D, d.bias) as tf.Tensor2D;
      if (i < layers.length - 1) h = silu(h);
    });
    return h;
  }

  /**
   * Raw (not normalised) latent moments as rows [B·h·w, z], differentiable. For a plain
   * autoencoder `logvar` is null.
   */
  momentRows(images: tf.Tensor4D): { mean: tf.Tensor2D; logvar: tf.Tensor2D | null } {
    this.live();
    checkNCHW('images', images, this.imageChannels, this.downsampleFactor, 'images in [-1, 1]');
    const out = tf.tidy(() => TinyAutoencoder.mlp(patchify(images, this.config.patchSize), this.encoderLayers));
    if (!this.config.kl) return { mean: out, logvar: null };
    const z = this.latentChannels;
    const mean = tf.slice(out, [0, 0], [-1, z]);
    const logvar = tf.tidy(() => tf.clipByValue(tf.slice(out, [0, z], [-1, z]), LOGVAR_RANGE[0], LOGVAR_RANGE[1]));
    out.dispose();
    return { mean, logvar };
  }

  /** Decode raw latent rows [B·h·w, z] to NCHW images, differentiable. */
  decodeRows(rows: tf.Tensor2D, batch: number, height: number, width: number): tf.Tensor4D {
    this.live();
    return tf.tidy(() =>
      unpatchify(
        TinyAutoencoder.mlp(rows, this.decoderLayers),
        { batch, channels: this.imageChannels, height: height * this.downsampleFactor, width: width * this.downsampleFactor },
        this.config.patchSize,
      ),
    );
  }

  /** Mean and log-variance of the raw latent, NCHW. A plain autoencoder reports logvar -30 (zero variance). */
  encodeMoments(images: tf.Tensor4D): { mean: tf.Tensor4D; logvar: tf.Tensor4D } {
    const [b, , h, w] = images.shape;
    const f = this.downsampleFactor;
    return tf.tidy(() => {
      const { mean, logvar } = this.momentRows(images);
      const m = rowsToNCHW(mean, b, h / f, w / f);
      return { mean: m, logvar: logvar ? rowsToNCHW(logvar, b, h / f, w / f) : (tf.fill(m.shape, LOGVAR_RANGE[0]) as tf.Tensor4D) };
    });
  }

  /** Encode NCHW images in [-1, 1]; `mean` and `sample` normalised, `logvar` raw. A plain autoencoder draws no noise. */
  encode(images: tf.Tensor4D, rng: Rng): LatentDistribution {
    return tf.tidy(() => {
      const { mean, logvar } = this.encodeMoments(images);
      const raw = this.config.kl ? sampleLatent(mean, logvar, rng.normal(mean.shape)) : mean;
      return { mean: processIn(mean, this.latentFormat), logvar, sample: processIn(raw, this.latentFormat) };
    });
  }

  /** Decode raw latents [B, z, h, w]. */
  decodeRaw(latents: tf.Tensor4D): tf.Tensor4D {
    checkNCHW('latents', latents, this.latentChannels, 1, 'latents');
    const [b, , h, w] = latents.shape;
    return tf.tidy(() => this.decodeRows(nchwToRows(latents), b, h, w));
  }

  /** Decode normalised latents [B, z, h, w] to NCHW images. */
  decode(latents: tf.Tensor4D): tf.Tensor4D {
    checkNCHW('latents', latents, this.latentChannels, 1, 'normalised latents');
    return tf.tidy(() => this.decodeRaw(processOut(latents, this.latentFormat)));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose(this.variables);
  }
}
