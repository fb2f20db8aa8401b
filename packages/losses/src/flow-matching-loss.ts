import {
  assertFinite,
  type Conditioning,
  type ForwardProcess,
  invalid,
  type LossWeighting,
  NonFiniteError,
  type Rng,
  type TimestepSampler,
  tf,
  type VelocityFn,
} from '@rectiflow/core';
import { checkProcessOutput, type ProcessOutput } from '@rectiflow/schedules';
import { lossMultiplier } from './loss-multiplier';
import { lossByNoiseLevel, type NoiseLevelBin } from './noise-level-loss';

/** The largest float32 below 1: times are capped here. */
const MAX_TIME = 1 - 2 ** -24;

/** The network: output at state z [B, ...] and time t [B], in the formulation's parameterisation. */
export type LossModel = VelocityFn;

/** Arguments of {@link flowMatchingLoss}. Spread a {@link Formulation} for process, sampler, weighting and output. */
export interface FlowMatchingLossOptions {
  /** The network; its output must have x0's shape. */
  model: LossModel;
  process: ForwardProcess;
  sampler: TimestepSampler;
  weighting: LossWeighting;
  /** What the network predicts. Default `velocity`. */
  output?: ProcessOutput;
  /** Clean data [B, ...]. */
  x0: tf.Tensor;
  /** Passed to the model unchanged. */
  conditioning?: Conditioning;
  /** Draws t (from `sampler`) and eps. */
  rng: Rng;
  /** Fixed times instead of drawing them (evaluation at chosen noise levels, tests). */
  t?: ArrayLike<number>;
  /** Fixed noise [B, ...] instead of drawing it. */
  eps?: tf.Tensor;
  /** Compute the loss by noise level (one read of the [B] per-sample losses). Default true. */
  diagnostics?: boolean;
  /** Throw a NonFiniteError when x0 or the loss holds NaN or infinity (reads them back). Default true. */
  checkFinite?: boolean;
}

/** What {@link flowMatchingLoss} returns. The caller owns (and disposes) `loss` and `perSample`. */
export interface FlowMatchingLossResult {
  /** The mean loss over the batch, differentiable. */
  loss: tf.Scalar;
  /** The loss of each sample [B], differentiable. */
  perSample: tf.Tensor1D;
  /** The times used: the drawn or given ones rounded to float32 (as the model sees them), at most 1 - 2^-24. */
  t: Float64Array;
  /** The multipliers m(t) of each sample (see {@link lossMultiplier}). */
  multipliers: Float64Array;
  /** Mean loss in each t-decile of this batch (empty when `diagnostics` is false). */
  byNoiseLevel: NoiseLevelBin[];
}

/**
 * The conditional flow-matching loss, generalised to the paper's weighted objective
 * (section 2): draw t ~ sampler and eps ~ N(0, I), form z_t = a_t x0 + b_t eps, and score the
 * model's output against its target:
 *
 *   loss_i = m(t_i) mean_j (out_ij - target_ij)^2,  m(t) = -1/2 w_t lambda'_t (d eps/d out)^2,
 *
 * which is -1/2 w_t lambda'_t ||eps_hat - eps||^2 per element, written in the output's own
 * parameterisation (numerically clean where the eps form is 0 * infinity). For rectified flow
 * with w = t/(1-t) and velocity output, m = 1: the plain velocity MSE (eps - x0 target).
 *
 * Differentiable: call it inside `optimizer.minimize(() => flowMatchingLoss(...).loss)` or
 * `tf.variableGrads`. The squared error is averaged over the non-batch axes.
 */
export function flowMatchingLoss(options: FlowMatchingLossOptions): FlowMatchingLossResult {
  const { model, process, sampler, weighting, x0, conditioning = {}, rng } = options;
  const output = checkProcessOutput('output', options.output ?? 'velocity');
  if (typeof model !== 'function') invalid('model', model, 'a function (z, t, conditioning) => output');
  if (!(x0 instanceof tf.Tensor) || x0.rank < 1) invalid('x0', x0, 'a tf.Tensor [B, ...]');
  const batch = x0.shape[0];
  if (batch < 1) invalid('x0.shape', x0.shape, 'a batch of at least one sample');
  if (options.eps !== undefined && !(options.eps instanceof tf.Tensor && sameShape(options.eps.shape, x0.shape))) {
    invalid('eps', options.eps, `a tf.Tensor of x0's shape [${x0.shape.join(', ')}]`);
  }
  const checkFinite = options.checkFinite ?? true;
  if (checkFinite) assertFinite('x0', x0);

  let times: Float64Array;
  if (options.t !== undefined) {
    if (options.t.length !== batch) invalid('t.length', options.t.length, `${batch} (one time per sample of x0)`);
    times = Float64Array.from(options.t);
    times.forEach((v, i) => {
      if (!(v >= 0 && v <= 1)) invalid(`t[${i}]`, v, 'a time in [0, 1]');
    });
  } else {
    times = sampler.sampleNumbers(batch, rng);
  }
  // The model sees float32 times; use the same values everywhere, kept below 1 so that processes
  // with b_1 = infinity (EDM) stay finite.
  times = times.map((s) => Math.min(Math.fround(s), MAX_TIME));
  const multipliers = times.map((s) => lossMultiplier(weighting, process, output, s));

  const { loss, perSample } = tf.tidy(() => {
    const t = tf.tensor1d(Float32Array.from(times), 'float32');
    const eps = options.eps ?? rng.normal(x0.shape);
    const z = process.addNoise(x0, eps, t);
    const out = model(z, t, conditioning);
    if (!(out instanceof tf.Tensor) || !sameShape(out.shape, x0.shape)) {
      invalid('model output', out, `a tf.Tensor of x0's shape [${x0.shape.join(', ')}]`);
    }
    const target = process.target(output as 'eps', x0, eps, t);
    const axes = Array.from({ length: x0.rank - 1 }, (_, i) => i + 1);
    const sq = tf.square(tf.sub(out, target));
    const mse = (axes.length ? tf.mean(sq, axes) : sq) as tf.Tensor1D;
    const perSample = tf.mul(mse, tf.tensor1d(Float32Array.from(multipliers), 'float32')) as tf.Tensor1D;
    return { loss: tf.mean(perSample) as tf.Scalar, perSample };
  });

  let byNoiseLevel: NoiseLevelBin[] = [];
  const diagnostics = options.diagnostics ?? true;
  if (diagnostics || checkFinite) {
    const values = perSample.dataSync();
    if (checkFinite) {
      const bad = values.filter((v) => !Number.isFinite(v)).length;
      if (bad) {
        tf.dispose([loss, perSample]);
        const nan = values.filter((v) => Number.isNaN(v)).length;
        throw new NonFiniteError('flowMatchingLoss per-sample loss (check the model output and x0)', nan, bad - nan);
      }
    }
    if (diagnostics) byNoiseLevel = lossByNoiseLevel(values, times);
  }
  return { loss, perSample, t: times, multipliers, byNoiseLevel };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
