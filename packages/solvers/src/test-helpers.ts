/** Shared test helpers: the fixture ODEs (fixtures are read with `@rectiflow/core/testing`). */
import { tf, type VectorField, type VelocityFn } from '@rectiflow/core';

interface OdeCase {
  y0: number[];
  n_steps: number;
  t0: number;
  t1: number;
  solvers: Record<string, { y_final: number[]; trajectory: number[][] }>;
}

/** ode.json. */
export interface OdeFixture {
  linear: OdeCase & { A: number[][]; exact_trajectory: number[][] };
  nonlinear: OdeCase & { reference_final: number[]; reference_trajectory: number[][] };
}

/** dy/dt = A y. */
export function linearField(A: number[][]): VectorField<Float64Array> {
  return (y) => {
    const out = new Float64Array(y.length);
    for (let i = 0; i < A.length; i++) for (let j = 0; j < A.length; j++) out[i] += A[i][j] * y[j];
    return out;
  };
}

/** dy/dt = -y^3 + sin t. */
export const nonlinearField: VectorField<Float64Array> = (y, t) => Float64Array.of(-y[0] * y[0] * y[0] + Math.sin(t));

/** `n + 1` equally spaced times from t0 to t1, computed as t0 + k h. */
export function linspace(t0: number, t1: number, n: number): number[] {
  const h = (t1 - t0) / n;
  return Array.from({ length: n + 1 }, (_, k) => t0 + k * h);
}

/**
 * The exact velocity of the flow x_t = (1 - t) x0 + t ε for Gaussian data x0 ~ N(μ, s²) per
 * dimension, ε ~ N(0, 1): v = (t - (1 - t) s²) / var_t (x - (1 - t) μ) - μ with
 * var_t = (1 - t)² s² + t². μ [B, D] is read from `cond.pooled`; x is [B, D].
 */
export function gaussianVelocity(s: number): VelocityFn {
  return (x, t, cond) =>
    tf.tidy(() => {
      const mu = cond.pooled as tf.Tensor;
      const tt = t.reshape([-1, 1]);
      const one = tf.sub(1, tt);
      const variance = tf.add(tf.mul(tf.square(one), s * s), tf.square(tt));
      const gain = tf.div(tf.sub(tt, tf.mul(one, s * s)), variance);
      return tf.sub(tf.mul(gain, tf.sub(x, tf.mul(one, mu))), mu);
    });
}

/** The exact flow map of {@link gaussianVelocity} from (x, t) to t = 0: μ + s (x - (1 - t) μ) / std_t. */
export function gaussianFlowToData(x: number[], mu: number[], s: number, t: number): number[] {
  const std = Math.sqrt((1 - t) ** 2 * s * s + t * t);
  return x.map((xi, i) => mu[i] + (s * (xi - (1 - t) * mu[i])) / std);
}
