import type { Rng } from '../rng';
import type { tf } from '../tf';

/**
 * How training draws the time t in [0, 1] (paper section 3.1): uniform, logit-normal,
 * mode with heavy tails, CosMap, optionally shifted for resolution.
 */
export interface TimestepSampler {
  /** The spec that created it, e.g. `lognorm(0, 1)`. */
  readonly name: string;
  /** Draw `n` times as numbers (float64). */
  sampleNumbers(n: number, rng: Rng): Float64Array;
  /** Draw `n` times as a float32 tensor of shape [n]. */
  sample(n: number, rng: Rng): tf.Tensor1D;
  /** The probability density pi(t) on (0, 1). */
  density(t: number): number;
}
