/**
 * The built-in timestep samplers, registered as plugin kind 'timestep-sampler', and
 * {@link createTimestepSampler}.
 */
import { create, definePlugin, registerBuiltin, type SpecNode, type TimestepSampler } from '@rectiflow/core';
import { CosMapSampler } from './cosmap';
import { DiffusersSampler } from './diffusers-sampler';
import { LogitNormalSampler } from './logit-normal';
import { MODE_SCALE_MAX, ModeSampler } from './mode';
import { UniformSampler } from './uniform';

const SHIFT = {
  name: 'shift',
  type: 'number',
  default: 1,
  greaterThan: 0,
  description: 'resolution shift alpha applied to each draw',
} as const;

/** Register the built-in samplers (idempotent; runs when this package is imported). */
export function registerTimestepSamplers(): void {
  registerBuiltin(
    'timestep-sampler',
    'uniform',
    definePlugin({
      description: 't ~ U(0, 1)',
      params: [SHIFT],
      create: (p) => new UniformSampler(p.shift),
    }),
  );
  const lognorm = definePlugin({
    description: 'logit-normal: t = sigmoid(u), u ~ N(m, s^2); m > 0 favours noise',
    params: [{ name: 'm', type: 'number', default: 0 }, { name: 's', type: 'number', default: 1, greaterThan: 0 }, SHIFT],
    create: (p) => new LogitNormalSampler(p.m, p.s, p.shift),
  });
  registerBuiltin('timestep-sampler', 'lognorm', lognorm);
  registerBuiltin('timestep-sampler', 'logit-normal', lognorm);
  registerBuiltin(
    'timestep-sampler',
    'mode',
    definePlugin({
      description: 'mode with heavy tails: t = 1 - u - s (cos^2(pi u/2) - 1 + u)',
      params: [{ name: 's', type: 'number', default: 1.29, min: -1, max: MODE_SCALE_MAX }, SHIFT],
      create: (p) => new ModeSampler(p.s, p.shift),
    }),
  );
  registerBuiltin(
    'timestep-sampler',
    'cosmap',
    definePlugin({
      description: 'CosMap: t = 1 - 1/(tan(pi u/2) + 1)',
      params: [SHIFT],
      create: (p) => new CosMapSampler(p.shift),
    }),
  );
  registerBuiltin(
    'timestep-sampler',
    'diffusers',
    definePlugin({
      description: "diffusers' SD3 training-script sampling (descending shifted sigma table; not the paper's)",
      params: [
        { name: 'scheme', type: 'string', default: 'logit_normal', oneOf: ['logit_normal', 'mode', 'uniform'] },
        { name: 'logitMean', type: 'number', default: 0 },
        { name: 'logitStd', type: 'number', default: 1, greaterThan: 0 },
        { name: 'modeScale', type: 'number', default: 1.29, min: -1, max: MODE_SCALE_MAX },
        { name: 'shift', type: 'number', default: 3, greaterThan: 0 },
        { name: 'numTrainTimesteps', type: 'integer', default: 1000, min: 1 },
      ],
      create: (p) =>
        new DiffusersSampler({
          scheme: p.scheme,
          logitMean: p.logitMean,
          logitStd: p.logitStd,
          modeScale: p.modeScale,
          shift: p.shift,
          numTrainTimesteps: p.numTrainTimesteps,
        }),
    }),
  );
}

registerTimestepSamplers();

/**
 * Create a timestep sampler from a spec: `uniform`, `lognorm(0, 1)` (alias `logit-normal`),
 * `mode(1.29)`, `cosmap`, each with an optional `shift=alpha` (e.g. `lognorm(0, 1, shift=3)`),
 * or `diffusers(logitMean=0, logitStd=1, shift=3)` to reproduce diffusers' training scripts.
 * @throws UnknownPluginError listing the samplers, PluginArgumentError naming a bad argument.
 */
export function createTimestepSampler(spec: string | SpecNode): TimestepSampler {
  return create('timestep-sampler', spec);
}
