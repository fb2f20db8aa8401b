import type { tf } from '../tf';

/**
 * A loss weighting w_t of the general objective
 * `L_w = -1/2 E[w_t lambda'_t ||eps_hat - eps||^2]` (paper section 2).
 */
export interface LossWeighting {
  /** The spec that created it, e.g. `rf` or `eps/cos`. */
  readonly name: string;
  /** w_t as a float64 number. */
  weight(t: number): number;
  /** w_t at every entry of `t`, float32. */
  weightTensor(t: tf.Tensor1D): tf.Tensor1D;
}
