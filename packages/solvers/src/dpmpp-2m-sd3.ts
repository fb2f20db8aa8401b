/**
 * The `dpmpp_2m` sampler of the official SD3 / SD3.5 code (`sd3_impls.sample_dpmpp_2m`,
 * from k-diffusion): DPM-Solver++(2M) for variance-exploding diffusion, measured in
 * t = -log(σ), applied unchanged to flow sigmas. For a flow the half-log-SNR is
 * log((1 - σ)/σ), not -log(σ), so its second-order ratio r is not the flow's; it exists
 * for parity with the released inference code. Use {@link DpmSolverPP2M} otherwise.
 */
import type { OdeSolver, SolveOptions, SolveResult, VectorField, VectorOps } from '@rectiflow/core';
import { dpmpp2mStepper } from './dpmpp-2m';
import { solveFixedStep } from './fixed-step';

/** -log(σ), the VE half-log-SNR that k-diffusion's DPM-Solver++(2M) uses. */
export function veHalfLogSnr(sigma: number): number {
  return -Math.log(sigma);
}

const sd3Stepper = dpmpp2mStepper(veHalfLogSnr);

/** SD3's `sample_dpmpp_2m`: the k-diffusion VE formula on flow sigmas (for parity). */
export class Sd3DpmPP2M implements OdeSolver {
  readonly name = 'dpmpp-2m-sd3';
  solve<V>(field: VectorField<V>, x0: V, grid: readonly number[], ops: VectorOps<V>, options?: SolveOptions<V>): SolveResult<V> {
    return solveFixedStep(this.name, sd3Stepper, field, x0, grid, ops, options, { decreasing: true, unit: true, positiveStart: true });
  }
}
