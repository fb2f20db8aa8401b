/**
 * DPM-Solver++(2M) (Lu et al. 2022) for rectified flows, in the flow's own half-log-SNR
 * λ(t) = log((1 - t) / t) (x_t = (1 - t) x0 + t ε, so α_t = 1 - t and σ_t = t).
 *
 * With the data prediction D = x - t v(x, t) and h = λ(t_{i+1}) - λ(t_i), one step is
 *
 *   x_{i+1} = (σ_{i+1}/σ_i) x_i - α_{i+1} expm1(-h) D̂ = (t_{i+1}/t_i) x_i + (1 - t_{i+1}/t_i) D̂,
 *
 * where the second form is the same number written without λ, exact at t = 1 (λ = -∞) and
 * t = 0 (λ = +∞). D̂ = D_i on first-order steps and
 * D̂ = (1 + 1/(2r)) D_i - 1/(2r) D_{i-1}, r = h_{i-1} / h_i, on second-order ones.
 * The first step, a step to t = 0 and a step whose previous interval started at t = 1
 * (h_{i-1} = ∞, so the correction vanishes) are first order. A first-order step is exactly
 * an Euler step.
 */
import type { OdeSolver, SolveOptions, SolveResult, VectorField, VectorOps } from '@rectiflow/core';
import { type StepperFactory, solveFixedStep } from './fixed-step';

/** The half-log-SNR a DPM-Solver++(2M) variant measures its steps in. */
export type HalfLogSnr = (t: number) => number;

/** λ(t) = log((1 - t) / t), the rectified flow's half-log-SNR. */
export function flowHalfLogSnr(t: number): number {
  return Math.log1p(-t) - Math.log(t);
}

/**
 * The DPM-Solver++(2M) stepper for a half-log-SNR `lambda`. Every variant shares the update
 * x_{i+1} = (t_{i+1}/t_i) x_i + (1 - t_{i+1}/t_i) D̂ and differs only in the ratio r.
 */
export function dpmpp2mStepper(lambda: HalfLogSnr): StepperFactory {
  return (_field, grid, ops) => {
    type V = Parameters<typeof ops.dispose>[0];
    let previous: V | undefined;
    return {
      step: (x, f0, i) => {
        const t = grid[i];
        const tNext = grid[i + 1];
        const denoised = ops.combine([
          [1, x],
          [-t, f0],
        ]);
        const ratio = tNext / t;
        let dHat: V = denoised;
        if (previous !== undefined && tNext > 0) {
          const h = lambda(tNext) - lambda(t);
          const hLast = lambda(t) - lambda(grid[i - 1]);
          if (Number.isFinite(hLast)) {
            const r = hLast / h;
            dHat = ops.combine([
              [1 + 1 / (2 * r), denoised],
              [-1 / (2 * r), previous],
            ]);
          }
        }
        const out = ops.combine([
          [ratio, x],
          [1 - ratio, dHat],
        ]);
        if (dHat !== denoised) ops.dispose(dHat);
        if (previous !== undefined) ops.dispose(previous);
        previous = denoised;
        return out;
      },
      dispose: () => {
        if (previous !== undefined) ops.dispose(previous);
        previous = undefined;
      },
    };
  };
}

const flowStepper = dpmpp2mStepper(flowHalfLogSnr);

/**
 * DPM-Solver++(2M) written for rectified flows (λ = log((1 - t)/t)). The grid must
 * decrease within [0, 1] with a first time > 0. One evaluation per step.
 */
export class DpmSolverPP2M implements OdeSolver {
  readonly name = 'dpmpp-2m';
  solve<V>(field: VectorField<V>, x0: V, grid: readonly number[], ops: VectorOps<V>, options?: SolveOptions<V>): SolveResult<V> {
    return solveFixedStep(this.name, flowStepper, field, x0, grid, ops, options, { decreasing: true, unit: true, positiveStart: true });
  }
}
