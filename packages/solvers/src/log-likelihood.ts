/**
 * The log-likelihood of data under a flow model, by the instantaneous change of variables
 * (Chen et al. 2018): integrate x and Δ along dx/dt = v(x, t), dΔ/dt = div v(x, t) from
 * t = 0 (data) to t = 1 (noise); then log p_0(x_0) = log N(x_1; 0, I) + Δ(1).
 *
 * The divergence is exact (one gradient per dimension) or Hutchinson's estimate
 * εᵀ (∂v/∂x) ε with one probe ε per sample, drawn once per solve (Grathwohl et al. 2019).
 */
import { type Conditioning, checkNumber, createRng, invalid, type OdeSolver, type Rng, tf, type VelocityFn } from '@rectiflow/core';
import { checkGrid } from './grid-checks';
import { createSolver } from './solver-plugins';
import { tensorOps } from './tensor-ops';

/** Options of {@link logLikelihood}. */
export interface LogLikelihoodOptions {
  model: VelocityFn;
  /** Data points x_0 [B, ...]. */
  data: tf.Tensor;
  cond?: Conditioning;
  /** Default `dopri5(rtol=1e-5, atol=1e-5)`. */
  solver?: OdeSolver | string;
  /** Increasing times from 0 to 1. Default [0, 1] (an adaptive solver picks its steps). */
  grid?: readonly number[];
  /**
   * `exact` (one gradient per dimension), `hutchinson`, or `auto` (default): exact up to
   * `maxExactDims` dimensions per sample.
   */
  divergence?: 'exact' | 'hutchinson' | 'auto';
  /** Default 64. */
  maxExactDims?: number;
  /** Hutchinson probes: Rademacher ±1 (default) or standard normal. */
  probe?: 'rademacher' | 'gaussian';
  /** Source of the probes; default `createRng(0)`. */
  rng?: Rng;
}

/** Per-sample results, in nats. */
export interface LogLikelihoodResult {
  /** log p_0(x_0). */
  logLikelihood: number[];
  /** log N(x_1; 0, I) at the end of the flow. */
  priorLogProb: number[];
  /** ∫_0^1 div v dt. */
  deltaLogP: number[];
  /** Whether the divergence was exact. */
  exact: boolean;
  /** Model evaluations of the solver (each costs one forward pass and 1 or D gradients). */
  nfe: number;
}

function divergence(
  model: VelocityFn,
  x: tf.Tensor,
  t: tf.Tensor1D,
  cond: Conditioning,
  probe: tf.Tensor | undefined,
  dims: number,
): tf.Tensor {
  const batch = x.shape[0];
  if (probe !== undefined) {
    const vjp = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.reshape(model(xx, t, cond), [batch, dims]), probe)))(x);
    return tf.sum(tf.mul(tf.reshape(vjp, [batch, dims]), probe), 1);
  }
  let total: tf.Tensor = tf.zeros([batch]);
  for (let i = 0; i < dims; i++) {
    const basis = tf.oneHot(tf.fill([batch], i, 'int32'), dims);
    const row = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.reshape(model(xx, t, cond), [batch, dims]), basis)))(x);
    total = tf.add(total, tf.sum(tf.mul(tf.reshape(row, [batch, dims]), basis), 1));
  }
  return total;
}

/**
 * The log-likelihood of each data point under the flow `model`.
 *
 * ```ts
 * // no-run
 * const { logLikelihood } = logLikelihood({ model, data: x0, divergence: 'exact' });
 * ```
 */
export function logLikelihood(options: LogLikelihoodOptions): LogLikelihoodResult {
  const { model, data } = options;
  const cond = options.cond ?? {};
  if (!(data instanceof tf.Tensor) || data.rank < 1) invalid('data', data, 'a tensor [B, ...]');
  const grid = options.grid ?? [0, 1];
  checkGrid('grid', grid, { unit: true });
  if (grid[0] !== 0 || grid[grid.length - 1] !== 1) invalid('grid', grid, 'increasing times from 0 (data) to 1 (noise)');
  const batch = data.shape[0];
  const dims = data.size / batch;
  const maxExact = checkNumber('maxExactDims', options.maxExactDims ?? 64, { integer: true, min: 1 });
  const mode = options.divergence ?? 'auto';
  if (!['exact', 'hutchinson', 'auto'].includes(mode)) invalid('divergence', mode, 'exact, hutchinson or auto');
  const exact = mode === 'exact' || (mode === 'auto' && dims <= maxExact);
  const solver =
    typeof options.solver === 'string' || options.solver === undefined
      ? createSolver(options.solver ?? 'dopri5(rtol=1e-5, atol=1e-5)')
      : options.solver;

  let probe: tf.Tensor | undefined;
  if (!exact) {
    const rng = options.rng ?? createRng(0);
    const kind = options.probe ?? 'rademacher';
    if (kind !== 'rademacher' && kind !== 'gaussian') invalid('probe', kind, 'rademacher or gaussian');
    const values = kind === 'gaussian' ? rng.normalArray(batch * dims) : rng.uniformArray(batch * dims).map((u) => (u < 0.5 ? -1 : 1));
    probe = tf.tensor2d(Float32Array.from(values), [batch, dims]);
  }
  const field = (z: tf.Tensor, t: number) =>
    tf.tidy(() => {
      const x = tf.reshape(tf.slice(z, [0, 0], [batch, dims]), data.shape);
      const tt = tf.fill([batch], t) as tf.Tensor1D;
      const v = tf.reshape(model(x, tt, cond), [batch, dims]);
      const div = divergence(model, x, tt, cond, probe, dims);
      return tf.concat([v, tf.reshape(div, [batch, 1])], 1);
    });
  const z0 = tf.tidy(() => tf.concat([tf.reshape(data, [batch, dims]), tf.zeros([batch, 1])], 1));
  try {
    const { x: z1, nfe } = solver.solve(field, z0, grid, tensorOps);
    const values = z1.arraySync() as number[][];
    z1.dispose();
    const priorLogProb = values.map((row) => {
      let sq = 0;
      for (let i = 0; i < dims; i++) sq += row[i] * row[i];
      return -0.5 * sq - 0.5 * dims * Math.log(2 * Math.PI);
    });
    const deltaLogP = values.map((row) => row[dims]);
    return { logLikelihood: priorLogProb.map((p, b) => p + deltaLogP[b]), priorLogProb, deltaLogP, exact, nfe };
  } finally {
    z0.dispose();
    probe?.dispose();
  }
}
