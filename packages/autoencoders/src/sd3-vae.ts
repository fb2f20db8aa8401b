/**
 * The SD3 autoencoder as an `Autoencoder`: NCHW images in [-1, 1] to normalised
 * latents and back.
 */
import { type Autoencoder, checkWeights, type LatentDistribution, RectiflowError, type Rng, tf } from '@rectiflow/core';
import { checkNCHW } from './check-images';
import { sampleLatent, splitMoments } from './latent-distribution';
import { checkLatentFormat, type LatentFormat, processIn, processOut, SD3_LATENT_FORMAT } from './latent-format';
import {
  checkSD3VAEConfig,
  describeSD3VAEConfig,
  downsampleFactorOf,
  type SD3VAEConfig,
  sd3VaeWeightShapes,
  type VAEParts,
} from './sd3-vae-config';
import { VAEDecoder } from './vae-decoder';
import { VAEEncoder } from './vae-encoder';

/** Options of the {@link SD3VAE} constructor. */
export interface SD3VAEOptions {
  /** The latent normalisation (default SD3's: scale 1.5305, shift 0.0609). */
  latentFormat?: LatentFormat;
  /** Which halves to build; the weights must hold exactly these (default both). */
  parts?: VAEParts;
  /** The adapter's name (default `sd3-vae`). */
  name?: string;
}

const toNHWC = (x: tf.Tensor4D) => tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
const toNCHW = (x: tf.Tensor4D) => tf.transpose(x, [0, 3, 1, 2]) as tf.Tensor4D;

/**
 * The SD3 VAE (the LDM encoder/decoder with configurable widths and levels). Inference
 * only; it runs on every backend, wasm included. Build it with {@link loadSD3VAE} from
 * a checkpoint, or from tensors in the official key layout.
 */
export class SD3VAE implements Autoencoder {
  readonly name: string;
  readonly config: Readonly<SD3VAEConfig>;
  readonly latentFormat: Readonly<LatentFormat>;
  readonly parts: Readonly<VAEParts>;
  readonly imageChannels: number;
  readonly latentChannels: number;
  readonly downsampleFactor: number;
  private readonly encoder: VAEEncoder | null;
  private readonly decoder: VAEDecoder | null;
  private disposed = false;

  /**
   * @param weights tensors in the official layout without prefix (`encoder.conv_in.weight`, ...),
   *   PyTorch shapes; they are copied, the caller keeps ownership.
   * @throws ValidationError for a bad config; `WeightMismatchError` (from `@rectiflow/core`) naming each missing,
   *   misshaped or unexpected tensor.
   */
  constructor(config: SD3VAEConfig, weights: ReadonlyMap<string, tf.Tensor>, options: SD3VAEOptions = {}) {
    this.config = Object.freeze(checkSD3VAEConfig(config));
    this.latentFormat = Object.freeze(checkLatentFormat(options.latentFormat ?? SD3_LATENT_FORMAT));
    this.parts = Object.freeze({ ...(options.parts ?? { encoder: true, decoder: true }) });
    if (!this.parts.encoder && !this.parts.decoder) throw new RectiflowError('SD3VAE: parts must include the encoder, the decoder or both');
    checkWeights(`SD3 VAE (${describeSD3VAEConfig(this.config)})`, weights, sd3VaeWeightShapes(this.config, this.parts));
    this.name = options.name ?? 'sd3-vae';
    this.imageChannels = this.config.imageChannels;
    this.latentChannels = this.config.latentChannels;
    this.downsampleFactor = downsampleFactorOf(this.config);
    const encoder = this.parts.encoder ? new VAEEncoder(this.config, weights) : null;
    try {
      this.decoder = this.parts.decoder ? new VAEDecoder(this.config, weights) : null;
    } catch (e) {
      encoder?.dispose();
      throw e;
    }
    this.encoder = encoder;
  }

  private need<T>(part: T | null, which: 'encoder' | 'decoder'): T {
    if (this.disposed) throw new RectiflowError(`${this.name}: used after dispose()`);
    if (!part)
      throw new RectiflowError(
        `${this.name}: this VAE was loaded without its ${which}, so it cannot ${which === 'encoder' ? 'encode' : 'decode'}`,
      );
    return part;
  }

  /** The raw encoder output [B, 2z, H/f, W/f] (mean channels first, log-variance unclamped). */
  encoderOutput(images: tf.Tensor4D): tf.Tensor4D {
    const encoder = this.need(this.encoder, 'encoder');
    checkNCHW('images', images, this.imageChannels, this.downsampleFactor, 'images in [-1, 1]');
    return tf.tidy(() => toNCHW(encoder.apply(toNHWC(images))));
  }

  /** Mean and clamped log-variance of the raw (not normalised) latent. */
  encodeMoments(images: tf.Tensor4D): { mean: tf.Tensor4D; logvar: tf.Tensor4D } {
    return tf.tidy(() => splitMoments(this.encoderOutput(images)));
  }

  /**
   * Encode NCHW images in [-1, 1]. `mean` and `sample` are normalised; `logvar` is the raw
   * latent's. The noise is drawn from `rng`.
   */
  encode(images: tf.Tensor4D, rng: Rng): LatentDistribution {
    return tf.tidy(() => {
      const { mean, logvar } = this.encodeMoments(images);
      const eps = rng.normal(mean.shape);
      return {
        mean: processIn(mean, this.latentFormat),
        logvar,
        sample: processIn(sampleLatent(mean, logvar, eps), this.latentFormat),
      };
    });
  }

  /** Decode raw (not normalised) latents [B, z, h, w] to NCHW images. */
  decodeRaw(latents: tf.Tensor4D): tf.Tensor4D {
    const decoder = this.need(this.decoder, 'decoder');
    checkNCHW('latents', latents, this.latentChannels, 1, 'latents');
    return tf.tidy(() => toNCHW(decoder.apply(toNHWC(latents))));
  }

  /** Decode normalised latents [B, z, h, w] to NCHW images in about [-1, 1]. */
  decode(latents: tf.Tensor4D): tf.Tensor4D {
    checkNCHW('latents', latents, this.latentChannels, 1, 'normalised latents');
    return tf.tidy(() => this.decodeRaw(processOut(latents, this.latentFormat)));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.encoder?.dispose();
    this.decoder?.dispose();
  }
}
