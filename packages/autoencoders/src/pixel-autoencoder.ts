/**
 * The pixel-space adapter: no autoencoder at all. Latents are the images times a scale,
 * so the whole stack runs on small images without any VAE.
 */
import { type Autoencoder, checkNumber, type LatentDistribution, type Rng, tf } from '@rectiflow/core';
import { checkNCHW } from './check-images';
import { LOGVAR_RANGE } from './latent-distribution';

/** Options of {@link PixelAutoencoder}. */
export interface PixelAutoencoderOptions {
  /** Latent = image × scale (default 1). */
  scale?: number;
  /** Image channels, which are also the latent channels (default 3). */
  channels?: number;
  /** The adapter's name (default `pixel(scale=…)`). */
  name?: string;
}

/**
 * Identity "autoencoder" with optional scaling. `encode` is deterministic: `sample` equals
 * `mean`, no noise is drawn, and `logvar` is the floor of the SD3 clamp (-30), standing
 * for a variance of zero without producing infinities downstream.
 */
export class PixelAutoencoder implements Autoencoder {
  readonly name: string;
  readonly scale: number;
  readonly imageChannels: number;
  readonly latentChannels: number;
  readonly downsampleFactor = 1;

  constructor(options: PixelAutoencoderOptions = {}) {
    this.scale = checkNumber('scale', options.scale ?? 1, { greaterThan: 0 });
    this.imageChannels = checkNumber('channels', options.channels ?? 3, { integer: true, min: 1 });
    this.latentChannels = this.imageChannels;
    this.name = options.name ?? `pixel(scale=${this.scale})`;
  }

  encode(images: tf.Tensor4D, _rng?: Rng): LatentDistribution {
    checkNCHW('images', images, this.imageChannels, 1, 'images in [-1, 1]');
    return tf.tidy(() => {
      const mean = tf.mul(images, this.scale) as tf.Tensor4D;
      return { mean, sample: tf.clone(mean), logvar: tf.fill(images.shape, LOGVAR_RANGE[0]) as tf.Tensor4D };
    });
  }

  decode(latents: tf.Tensor4D): tf.Tensor4D {
    checkNCHW('latents', latents, this.latentChannels, 1, 'latents');
    return tf.tidy(() => tf.div(latents, this.scale));
  }

  /** Nothing to free. */
  dispose(): void {}
}
