/**
 * Guided sampling: integrate dx/dt = v(x, t) from noise at t = grid[0] down the grid, with
 * classifier-free and skip-layer guidance, optionally from a noised image latent (img2img).
 */
import { type Conditioning, checkNumber, invalid, type OdeSolver, tf, type VelocityFn } from '@rectiflow/core';
import { checkGrid } from './grid-checks';
import { batchConditioning, type Guidance, guidedVelocity, resolveGuidance, skipLayersActive } from './guided-velocity';
import { noiseLatent, truncateGrid } from './img2img';
import { createSolver } from './solver-plugins';
import { tensorOps } from './tensor-ops';

/**
 * Called after each solver step with the step index, its start time `t`, the state `x` at
 * `t` and the guided denoised estimate x - t v. The tensors are freed when the callback
 * returns: clone what you keep.
 */
export type SampleCallback = (step: number, t: number, x: tf.Tensor, denoised: tf.Tensor) => void;

/** Options of {@link sample}. */
export interface SampleOptions {
  /** The velocity model; t is the noise level in [0, 1] (an MM-DiT adapter multiplies by 1000). */
  model: VelocityFn;
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

/**
 * Sample: returns the final latent (the caller frees it).
 *
 * ```ts
 * // no-run
 * const latent = sample({ model, noise, cond, uncond, grid: sd3Sigmas(28), solver: 'dpmpp-2m', guidance: 5 });
 * ```
 * @throws `ValidationError` for a bad grid, guidance or init; `NonFiniteError` naming the step
 * where the state stopped being finite.
 */
export function sample(options: SampleOptions): tf.Tensor {
  const { model, noise, cond, uncond, callback } = options;
  if (typeof model !== 'function') invalid('model', model, 'a velocity function (x, t, cond) => v');
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
  // Index of the grid interval the current solver step starts in (skip-layer window).
  let interval = 0;
  try {
    const slg = guidance.skipLayers;
    const field = (x: tf.Tensor, t: number) =>
      guidedVelocity({ model, cond, batched, guidance }, x, t, slg !== undefined && skipLayersActive(slg, interval, totalSteps));
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
        if (s.tNext === grid[interval + 1]) interval++;
      },
    });
    return result.x;
  } finally {
    x0.dispose();
    if (batched) tf.dispose(Object.values(batched));
  }
}
