import type { tf } from '../tf';

/** What a network predicts, and what a training target or a conversion is expressed in. */
export type Parameterization = 'velocity' | 'eps' | 'x0';

/** The coefficients of a forward process at a batch of times, as tensors shaped like `t`. */
export interface ProcessCoefficients {
  a: tf.Tensor;
  b: tf.Tensor;
  da: tf.Tensor;
  db: tf.Tensor;
}

/**
 * A forward (noising) process `z_t = a_t x0 + b_t eps` on t in [0, 1], with t = 0 data and
 * t = 1 noise (paper section 2; the shape of flow_matching's scheduler: alpha, sigma and
 * their derivatives).
 *
 * The scalar methods are exact float64 functions for tables and tests; the tensor methods
 * are what training uses.
 */
export interface ForwardProcess {
  /** The spec that created it, e.g. `rf` or `edm(-1.2, 1.2)`. */
  readonly name: string;
  /** The data coefficient a_t. */
  a(t: number): number;
  /** The noise coefficient b_t. */
  b(t: number): number;
  /** da/dt. */
  da(t: number): number;
  /** db/dt. */
  db(t: number): number;
  /** The log signal-to-noise ratio lambda_t = log(a_t^2 / b_t^2). */
  lambda(t: number): number;
  /** d lambda / dt. */
  dlambda(t: number): number;
  /** a, b and their derivatives at every entry of `t` (float32 tensors shaped like `t`). */
  coefficients(t: tf.Tensor): ProcessCoefficients;
  /** z_t = a_t x0 + b_t eps, with `t` of shape [B] broadcast over the other axes of x0. */
  addNoise(x0: tf.Tensor, eps: tf.Tensor, t: tf.Tensor1D): tf.Tensor;
  /** The regression target of a network with the given output parameterisation. */
  target(parameterization: Parameterization, x0: tf.Tensor, eps: tf.Tensor, t: tf.Tensor1D): tf.Tensor;
  /** Convert a network output between parameterisations at state `z` and time `t`. */
  convert(output: tf.Tensor, from: Parameterization, to: Parameterization, z: tf.Tensor, t: tf.Tensor1D): tf.Tensor;
}
