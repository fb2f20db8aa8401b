import type { ForwardProcess, LossWeighting } from '@rectiflow/core';
import { checkTime, conversionCoefficients, type MaybePreconditioned, type ProcessOutput } from '@rectiflow/schedules';

/** Where -1/2 w lambda' alpha^2 is a 0 * infinity limit (t = 0 or 1), it is taken at this distance from the end. */
export const END_OFFSET = 1e-9;

/**
 * The factor m(t) with which a squared error in the network's own output parameterisation
 * enters the weighted objective: L_w = E_t[m(t) ||out - target||^2], where
 * m(t) = -1/2 w_t lambda'_t alpha_t^2 and alpha_t = d eps_hat / d out (so alpha = 1 for eps).
 * Examples: rf with velocity output, m = 1; eps/cos with eps output, m = pi; EDM with F output,
 * m = sigma_data^2 / 2.
 *
 * Computed in float64. At t = 0 and t = 1 exactly, where the product is a 0 * infinity limit
 * for most processes, it is evaluated at {@link END_OFFSET} from the end.
 */
export function lossMultiplier(weighting: LossWeighting, process: ForwardProcess, output: ProcessOutput, t: number): number {
  checkTime('t', t);
  const s = Math.min(Math.max(t, END_OFFSET), 1 - END_OFFSET);
  const alpha = output === 'eps' ? 1 : conversionCoefficients(process as MaybePreconditioned, output, 'eps', s)[0];
  return -0.5 * weighting.weight(s) * process.dlambda(s) * alpha * alpha;
}
