/**
 * img2img: start sampling part-way down the grid from an image latent noised to that level,
 * as SD3's reference code does: skip the first floor(N (1 - strength)) of the N steps and
 * start from x = t_0 noise + (1 - t_0) latent.
 */
import { checkNumber, checkShape, invalid, tf } from '@rectiflow/core';

/** The grid that remains at `strength` in (0, 1]: strength 1 keeps every step. */
export function truncateGrid(grid: readonly number[], strength: number): number[] {
  checkNumber('strength', strength, { greaterThan: 0, max: 1 });
  const steps = grid.length - 1;
  const skip = Math.floor(steps * (1 - strength));
  const rest = grid.slice(skip);
  if (rest.length < 2) invalid('strength', strength, `a value that leaves at least one of the ${steps} steps`);
  return rest;
}

/** x = t noise + (1 - t) latent: the image latent noised to level t. Returns a new tensor. */
export function noiseLatent(latent: tf.Tensor, noise: tf.Tensor, t: number): tf.Tensor {
  checkNumber('t', t, { min: 0, max: 1 });
  checkShape('latent', latent, noise.shape);
  return tf.tidy(() => tf.add(tf.mul(noise, t), tf.mul(latent, 1 - t)));
}
