import type { Rng } from '../rng';
import type { tf } from '../tf';

/** The latent distribution of a batch of images, in the model's (normalised) latent space. */
export interface LatentDistribution {
  /** Mean [B, C, h, w], normalised. */
  mean: tf.Tensor4D;
  /**
   * Log-variance [B, C, h, w] of the RAW latent, before normalisation (clamped as the
   * autoencoder defines). The normalised latent's log-variance is logvar + 2 ln(scale).
   */
  logvar: tf.Tensor4D;
  /** A normalised sample mean + std * eps, drawn with the rng given to `encode`. */
  sample: tf.Tensor4D;
}

/**
 * A frozen or trainable autoencoder. Latent normalisation belongs to the adapter, so that
 * models always see normalised latents (SD3: (z - 0.0609) * 1.5305).
 */
export interface Autoencoder {
  /** The spec that created it, e.g. `sd3-vae`. */
  readonly name: string;
  /** Image channels (3 for RGB). */
  readonly imageChannels: number;
  /** Latent channels (16 for SD3). */
  readonly latentChannels: number;
  /** Spatial downsampling factor (8 for SD3). */
  readonly downsampleFactor: number;
  /** Encode NCHW images in [-1, 1]. */
  encode(images: tf.Tensor4D, rng: Rng): LatentDistribution;
  /** Decode normalised latents to NCHW images in about [-1, 1]. */
  decode(latents: tf.Tensor4D): tf.Tensor4D;
  /** The variables a trainer updates, for trainable autoencoders; absent or empty when frozen. */
  trainableVariables?(): tf.Variable[];
  /** Free the adapter's tensors. */
  dispose(): void;
}
