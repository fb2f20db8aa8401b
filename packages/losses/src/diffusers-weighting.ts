import { invalid } from '@rectiflow/core';
import { ScalarWeighting } from './scalar-weighting';

/** diffusers' `--weighting_scheme` values (SD3 training scripts). */
export type DiffusersWeightingScheme = 'logit_normal' | 'mode' | 'sigma_sqrt' | 'cosmap' | 'none';

/** The accepted {@link DiffusersWeightingScheme} values. */
export const DIFFUSERS_WEIGHTING_SCHEMES: readonly DiffusersWeightingScheme[] = ['logit_normal', 'mode', 'sigma_sqrt', 'cosmap', 'none'];

/**
 * diffusers' SD3 training-script loss weighting (`compute_loss_weighting_for_sd3`), for rectified
 * flow with velocity output, as a weighting of the paper's objective. diffusers' loss is
 * `d(sigma) ||v_hat - v||^2` with d = 1/sigma^2 (`sigma_sqrt`), 2/(pi (1 - 2 sigma + 2 sigma^2))
 * (`cosmap`, a weight here, not a sampler) or 1 (the others); `preconditionOutputs` (its
 * `--precondition_outputs`) compares x0 estimates instead, which multiplies the loss by sigma^2.
 * As a weighting: w_t = t/(1 - t) d(t) (t^2 with preconditioning), so the loss multiplier of a
 * velocity output is d(t) (times t^2).
 */
export function diffusersWeighting(scheme: DiffusersWeightingScheme = 'none', preconditionOutputs = false): ScalarWeighting {
  if (!DIFFUSERS_WEIGHTING_SCHEMES.includes(scheme)) invalid('scheme', scheme, `one of ${DIFFUSERS_WEIGHTING_SCHEMES.join(', ')}`);
  const d =
    scheme === 'sigma_sqrt'
      ? (t: number) => 1 / (t * t)
      : scheme === 'cosmap'
        ? (t: number) => 2 / (Math.PI * (1 - 2 * t + 2 * t * t))
        : () => 1;
  const name = `diffusers(scheme=${scheme}${preconditionOutputs ? ', preconditionOutputs=true' : ''})`;
  return new ScalarWeighting(name, (t) => (t / (1 - t)) * d(t) * (preconditionOutputs ? t * t : 1));
}
