/**
 * Latent normalisation: models see `(z - shift) * scale`; decoders get `z / scale + shift`.
 */
import { checkNumber, tf } from '@rectiflow/core';

/** An affine latent normalisation. */
export interface LatentFormat {
  /** Multiplies the shifted latent (SD3: 1.5305). */
  scale: number;
  /** Subtracted before scaling (SD3: 0.0609). */
  shift: number;
}

/** The SD3 latent format (`SD3LatentFormat` in the official code). */
export const SD3_LATENT_FORMAT: Readonly<LatentFormat> = Object.freeze({ scale: 1.5305, shift: 0.0609 });

/** The identity format. */
export const IDENTITY_LATENT_FORMAT: Readonly<LatentFormat> = Object.freeze({ scale: 1, shift: 0 });

/** Check a format. @throws ValidationError */
export function checkLatentFormat(format: LatentFormat, field = 'latentFormat'): LatentFormat {
  return {
    scale: checkNumber(`${field}.scale`, format.scale, { greaterThan: 0 }),
    shift: checkNumber(`${field}.shift`, format.shift),
  };
}

/** Raw latent to the model's space: `(z - shift) * scale`. */
export function processIn<T extends tf.Tensor>(z: T, format: LatentFormat): T {
  return tf.tidy(() => tf.mul(tf.sub(z, format.shift), format.scale));
}

/** The model's space back to raw latents: `z / scale + shift`. */
export function processOut<T extends tf.Tensor>(z: T, format: LatentFormat): T {
  return tf.tidy(() => tf.add(tf.div(z, format.scale), format.shift));
}
