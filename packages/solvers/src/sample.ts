/**
 * Guided sampling: integrate dx/dt = v(x, t) from noise at t = grid[0] down the grid, with
 * classifier-free and skip-layer guidance, optionally from a noised image latent (img2img).
 */
import { type Conditioning, checkNumber, invalid, type OdeSolver, tf, type VelocityFn, type VelocityModel } from '@rectiflow/core';
import { checkGrid } from './grid-checks';
import { batchConditioning, type Guidance, guidedVelocity, resolveGuidance, skipLayersActive } from './guided-velocity';
import { noiseLatent, truncateGrid } from './img2img';
import { createSolver } from './solver-plugins';
import { tensorOps } from './tensor-ops';
import { velocityFn } from './velocity-fn';

/**
 * Called after each solver step with the step index, its start time `t`, the state `x` at
 * `t` and the guided denoised estimate x - t v. The tensors are freed when the callback
 * returns: clone what you keep.
 */
export type SampleCallback = (step: number, t: number, x: tf.Tensor, denoised: tf.Tensor) => void;

/** Options of {@link sample}. */
export interface SampleOptions {
  /**
   * The velocity model, a function or a `VelocityModel` (its `predict` is called); t is the
   * noise level in [0, 1] (an MM-DiT adapter multiplies by 1000).
   */
  model: VelocityFn | VelocityModel;
  /** Standard normal noise [B, ...]; the sampler does not free it. */
  noise: tf.Tensor;
  /** Conditioning of the batch. */
  cond: Conditioning;
  /** Negative / empty-prompt conditioning; required when the CFG scale is not 1. */
  uncond?: Conditioning;
  /** Times from noise to data, strictly decreasing in [0, 1] (see `sd3Sigmas`, `shiftedGrid`). */
  grid: readonly number[];
  /** A solver or a spec such as `euler` or `dpmpp-2m-sd3`. */
  solver: OdeSolver | string;
  /** A CFG scale, or CFG with skip-layer guidance. Default 1 (no guidance). */
  guidance?: number | Guidance;
  /** img2img: the image latent [B, ...] and how much of the grid to run, in (0, 1]. */
  init?: { latent: tf.Tensor; strength: number };
  /** Progress and previews. */
  callback?: SampleCallback;
}

/** What {@link sampleWithStats} returns. */
export interface SampleResult {
  /** The final latent; the caller frees it. */
  x: tf.Tensor;
  /** Evaluations of the guided velocity field by the solver. */
  nfe: number;
  /** Model calls: one per field evaluation, plus one more where skip-layer guidance is active. */
  modelCalls: number;
  /** Solver steps accepted and rejected (fixed-step solvers: accepted = grid steps, rejected = 0). */
  accepted: number;
  rejected: number;
}

/**
 * Sample: returns the final latent (the caller frees it). {@link sampleWithStats} also
 * returns the solver's evaluation and step counts.
 *
 * ```ts
 * // no-run
 * const latent = sample({ model, noise, cond, uncond, grid: sd3Sigmas(28), solver: 'dpmpp-2m', guidance: 5 });
 * ```
 * @throws `ValidationError` for a bad grid, guidance or init; `NonFiniteError` naming the step
 * where the state stopped being finite.
 */
export function sample(options: SampleOptions): tf.Tensor {
  return sampleWithStats(options).x;
}

/**
 * {@link sample}, returning the final latent `x` (the caller frees it) with the solver's
 * counts: field evaluations `nfe`, `modelCalls`, and `accepted` / `rejected` steps.
 *
 * ```ts
 * // no-run
 * const { x, nfe, accepted, rejected } = sampleWithStats({ model, noise, cond, grid: sd3Sigmas(28), solver: 'dopri5' });
 * ```
 * @throws as {@link sample}
 */
export function sampleWithStats(options: SampleOptions): SampleResult {
  const { noise, cond, uncond, callback } = options;
  const predict = velocityFn(options.model);
  let modelCalls = 0;
  const model: VelocityFn = (x, t, c, o) => {
    modelCalls++;
    return predict(x, t, c, o);
  };
  if (!(noise instanceof tf.Tensor) || noise.rank < 1) invalid('noise', noise, 'a tensor [B, ...]');
  checkGrid('grid', options.grid, { decreasing: true, unit: true });
  const guidance = resolveGuidance(options.guidance);
  const solver = typeof options.solver === 'string' ? createSolver(options.solver) : options.solver;
  const totalSteps = options.grid.length - 1;
  const grid = options.init ? truncateGrid(options.grid, checkNumber('init.strength', options.init.strength)) : [...options.grid];
  const needsUncond = guidance.scale !== 1;
  if (needsUncond && uncond === undefined) invalid('uncond', uncond, `conditioning for the CFG scale ${guidance.scale} (or scale 1)`);

  const batched = needsUncond && uncond ? batchConditioning(cond, uncond) : undefined;
  const x0 = options.init ? noiseLatent(options.init.latent, noise, grid[0]) : tf.clone(noise);
  // The skip-layer window counts grid steps: the step a fixed-step solver reports for each stage,
  // else (adaptive or user solvers) the grid interval containing t, so no solver turns it off.
  const intervalOf = (t: number) => {
    let i = 0;
    while (i + 2 < grid.length && grid[i + 1] >= t) i++;
    return i;
  };
  try {
    const slg = guidance.skipLayers;
    const field = (x: tf.Tensor, t: number, step?: number) =>
      guidedVelocity(
        { model, cond, batched, guidance },
        x,
        t,
        slg !== undefined && skipLayersActive(slg, step ?? intervalOf(t), totalSteps),
      );
    const result = solver.solve(field, x0, grid, tensorOps, {
      callback: (s) => {
        if (callback) {
          const denoised = tf.tidy(() => tf.sub(s.xStart, tf.mul(s.fStart, s.t)));
          try {
            callback(s.step, s.t, s.xStart, denoised);
          } finally {
            denoised.dispose();
          }
        }
      },
    });
    return { x: result.x, nfe: result.nfe, modelCalls, accepted: result.accepted, rejected: result.rejected };
  } finally {
    x0.dispose();
    if (batched) tf.dispose(Object.values(batched));
  }
}
