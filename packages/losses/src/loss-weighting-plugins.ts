/**
 * The built-in loss weightings, registered as plugin kind 'loss-weighting', and
 * {@link createLossWeighting}.
 */
import { create, definePlugin, type LossWeighting, registerBuiltin, type SpecNode } from '@rectiflow/core';
import { createForwardProcess } from '@rectiflow/schedules';
import { createTimestepSampler } from '@rectiflow/timesteps';
import { DIFFUSERS_WEIGHTING_SCHEMES, diffusersWeighting } from './diffusers-weighting';
import {
  densityWeighting,
  edmWeighting,
  epsCosineWeighting,
  epsLinearWeighting,
  rfWeighting,
  vCosineWeighting,
  vLinearWeighting,
} from './weightings';

const VP_PROCESS = { name: 'process', type: 'spec', default: 'ldm-linear', description: 'a variance-preserving process' } as const;

/** Register the built-in weightings (idempotent; runs when this package is imported). */
export function registerLossWeightings(): void {
  registerBuiltin('loss-weighting', 'rf', definePlugin({ description: 'w = t/(1-t)', create: () => rfWeighting() }));
  registerBuiltin(
    'loss-weighting',
    'edm',
    definePlugin({
      description: 'w = N(lambda; -2 P_m, (2 P_s)^2) (e^-lambda + sigma_data^2)',
      params: [
        { name: 'pMean', type: 'number', default: -1.2 },
        { name: 'pStd', type: 'number', default: 1.2, greaterThan: 0 },
        { name: 'sigmaData', type: 'number', default: 0.5, greaterThan: 0 },
      ],
      create: (p) => edmWeighting(p.pMean, p.pStd, p.sigmaData),
    }),
  );
  registerBuiltin('loss-weighting', 'eps/cos', definePlugin({ description: 'w = sech(lambda/2)', create: () => epsCosineWeighting() }));
  registerBuiltin('loss-weighting', 'v/cos', definePlugin({ description: 'w = exp(-lambda/2)', create: () => vCosineWeighting() }));
  registerBuiltin(
    'loss-weighting',
    'eps/linear',
    definePlugin({
      description: "w = -2/lambda' (plain eps MSE)",
      params: [VP_PROCESS],
      create: (p) => epsLinearWeighting(createForwardProcess(p.process)),
    }),
  );
  registerBuiltin(
    'loss-weighting',
    'v/linear',
    definePlugin({
      description: "w = -2 (1 + e^-lambda)/lambda' (plain v MSE)",
      params: [VP_PROCESS],
      create: (p) => vLinearWeighting(createForwardProcess(p.process)),
    }),
  );
  registerBuiltin(
    'loss-weighting',
    'diffusers',
    definePlugin({
      description: "diffusers' compute_loss_weighting_for_sd3 (+ precondition_outputs) for rf velocity",
      params: [
        { name: 'scheme', type: 'string', default: 'none', oneOf: DIFFUSERS_WEIGHTING_SCHEMES },
        { name: 'preconditionOutputs', type: 'boolean', default: false },
      ],
      create: (p) => diffusersWeighting(p.scheme, p.preconditionOutputs),
    }),
  );
  registerBuiltin(
    'loss-weighting',
    'density',
    definePlugin({
      description: 'w = t/(1-t) pi(t) for a timestep sampler',
      params: [{ name: 'sampler', type: 'spec' }],
      create: (p) => densityWeighting(createTimestepSampler(p.sampler)),
    }),
  );
}

registerLossWeightings();

/**
 * Create a loss weighting from a spec: `rf`, `edm(-1.2, 1.2)`, `eps/cos`, `v/cos`, `eps/linear`,
 * `v/linear(process=cosine)`, `density(lognorm(0, 1))`.
 */
export function createLossWeighting(spec: string | SpecNode): LossWeighting {
  return create('loss-weighting', spec);
}
