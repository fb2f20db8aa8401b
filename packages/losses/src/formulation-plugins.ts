/**
 * The paper's formulations, registered as plugin kind 'formulation', and
 * {@link createFormulation}, which explains the valid forms when a spec is wrong.
 */
import {
  create,
  definePlugin,
  formatSpec,
  RectiflowError,
  registerBuiltin,
  registry,
  type SpecNode,
  type SpecValue,
} from '@rectiflow/core';
import { createForwardProcess, PROCESS_OUTPUTS } from '@rectiflow/schedules';
import { createTimestepSampler, MODE_SCALE_MAX } from '@rectiflow/timesteps';
import { DIFFUSERS_WEIGHTING_SCHEMES, diffusersWeighting } from './diffusers-weighting';
import type { Formulation } from './formulation';
import { createLossWeighting } from './loss-weighting-plugins';
import { edmWeighting, epsCosineWeighting, epsLinearWeighting, rfWeighting, vCosineWeighting, vLinearWeighting } from './weightings';

const SHIFT = { name: 'shift', type: 'number', default: 1, greaterThan: 0, description: 'resolution shift of the sampled t' } as const;
const CONVENTION = { name: 'convention', type: 'string', default: 'continuous', oneOf: ['continuous', 'discrete'] } as const;

function nameOf(spec: SpecNode): string {
  return spec.text || spec.name;
}

/**
 * The parts of a formulation come from the registry by spec, so a user who registers a
 * timestep sampler or a forward process under a built-in's name changes every formulation
 * that uses it.
 */
function sampler(name: string, args: SpecValue[] = [], kwargs: Record<string, SpecValue> = {}): Formulation['sampler'] {
  return createTimestepSampler(formatSpec({ name, args, kwargs }));
}
function process(name: string, kwargs: Record<string, SpecValue> = {}): Formulation['process'] {
  return createForwardProcess(formatSpec({ name, args: [], kwargs }));
}

/** Register the built-in formulations (idempotent; runs when this package is imported). */
export function registerFormulations(): void {
  const rf = (sampler: Formulation['sampler'], spec: SpecNode): Formulation => ({
    name: nameOf(spec),
    process: process('rf'),
    sampler,
    weighting: rfWeighting(),
    output: 'velocity',
  });
  registerBuiltin(
    'formulation',
    'rf',
    definePlugin({
      description: 'rectified flow, t ~ U(0, 1), velocity MSE',
      params: [SHIFT],
      create: (p, spec) => rf(sampler('uniform', [], { shift: p.shift }), spec),
    }),
  );
  registerBuiltin(
    'formulation',
    'rf/lognorm',
    definePlugin({
      description: 'rectified flow, logit-normal t (paper best: rf/lognorm(0.00, 1.00))',
      params: [{ name: 'm', type: 'number', default: 0 }, { name: 's', type: 'number', default: 1, greaterThan: 0 }, SHIFT],
      create: (p, spec) => rf(sampler('lognorm', [p.m, p.s], { shift: p.shift }), spec),
    }),
  );
  registerBuiltin(
    'formulation',
    'rf/mode',
    definePlugin({
      description: 'rectified flow, mode sampling with heavy tails',
      params: [{ name: 's', type: 'number', default: 1.29, min: -1, max: MODE_SCALE_MAX }, SHIFT],
      create: (p, spec) => rf(sampler('mode', [p.s], { shift: p.shift }), spec),
    }),
  );
  registerBuiltin(
    'formulation',
    'rf/cosmap',
    definePlugin({
      description: 'rectified flow, CosMap sampling',
      params: [SHIFT],
      create: (p, spec) => rf(sampler('cosmap', [], { shift: p.shift }), spec),
    }),
  );
  registerBuiltin(
    'formulation',
    'eps/linear',
    definePlugin({
      description: 'LDM-linear schedule, eps prediction, plain eps MSE',
      params: [CONVENTION],
      create: (p, spec): Formulation => {
        const ldm = process('ldm-linear', { convention: p.convention });
        return { name: nameOf(spec), process: ldm, sampler: sampler('uniform'), weighting: epsLinearWeighting(ldm), output: 'eps' };
      },
    }),
  );
  registerBuiltin(
    'formulation',
    'v/linear',
    definePlugin({
      description: 'LDM-linear schedule, v-objective weighting, velocity (dz/dt) output',
      params: [CONVENTION],
      create: (p, spec): Formulation => {
        const ldm = process('ldm-linear', { convention: p.convention });
        return { name: nameOf(spec), process: ldm, sampler: sampler('uniform'), weighting: vLinearWeighting(ldm), output: 'velocity' };
      },
    }),
  );
  registerBuiltin(
    'formulation',
    'eps/cos',
    definePlugin({
      description: 'cosine schedule, eps prediction, w = sech(lambda/2)',
      create: (_p, spec): Formulation => ({
        name: nameOf(spec),
        process: process('cosine'),
        sampler: sampler('uniform'),
        weighting: epsCosineWeighting(),
        output: 'eps',
      }),
    }),
  );
  registerBuiltin(
    'formulation',
    'v/cos',
    definePlugin({
      description: 'cosine schedule, v-objective w = exp(-lambda/2), velocity (dz/dt) output',
      create: (_p, spec): Formulation => ({
        name: nameOf(spec),
        process: process('cosine'),
        sampler: sampler('uniform'),
        weighting: vCosineWeighting(),
        output: 'velocity',
      }),
    }),
  );
  registerBuiltin(
    'formulation',
    'diffusers',
    definePlugin({
      description: "diffusers' SD3 training scripts (sampling on the shifted sigma table, their weighting); not the paper's",
      params: [
        { name: 'scheme', type: 'string', default: 'logit_normal', oneOf: DIFFUSERS_WEIGHTING_SCHEMES },
        { name: 'logitMean', type: 'number', default: 0 },
        { name: 'logitStd', type: 'number', default: 1, greaterThan: 0 },
        { name: 'modeScale', type: 'number', default: 1.29, min: -1, max: MODE_SCALE_MAX },
        { name: 'shift', type: 'number', default: 3, greaterThan: 0 },
        { name: 'preconditionOutputs', type: 'boolean', default: false },
      ],
      create: (p, spec): Formulation => {
        const scheme = p.scheme;
        return {
          name: nameOf(spec),
          process: process('rf'),
          sampler: sampler('diffusers', [], {
            scheme: scheme === 'logit_normal' || scheme === 'mode' ? scheme : 'uniform',
            logitMean: p.logitMean,
            logitStd: p.logitStd,
            modeScale: p.modeScale,
            shift: p.shift,
          }),
          weighting: diffusersWeighting(scheme, p.preconditionOutputs),
          output: 'velocity',
        };
      },
    }),
  );
  registerBuiltin(
    'formulation',
    'edm',
    definePlugin({
      description: 'EDM: log sigma ~ N(P_m, P_s^2), preconditioned F output, EDM weighting',
      params: [
        { name: 'pMean', type: 'number', default: -1.2 },
        { name: 'pStd', type: 'number', default: 1.2, greaterThan: 0 },
      ],
      create: (p, spec): Formulation => ({
        name: nameOf(spec),
        process: process('edm', { pMean: p.pMean, pStd: p.pStd }),
        sampler: sampler('uniform'),
        weighting: edmWeighting(p.pMean, p.pStd),
        output: 'F',
      }),
    }),
  );
  registerBuiltin(
    'formulation',
    'custom',
    definePlugin({
      description: 'any forward process, timestep sampler and loss weighting from the registry, and the network output',
      params: [
        { name: 'process', type: 'spec', default: 'rf', description: 'a forward process spec, e.g. cosine or shift(3, process=rf)' },
        { name: 'sampler', type: 'spec', default: 'uniform', description: 'a timestep sampler spec, e.g. lognorm(0, 1)' },
        { name: 'weighting', type: 'spec', default: 'rf', description: 'a loss weighting spec, e.g. rf or eps/cos' },
        { name: 'output', type: 'string', default: 'velocity', oneOf: PROCESS_OUTPUTS, description: 'what the network predicts' },
      ],
      create: (p, spec): Formulation => ({
        name: nameOf(spec),
        process: createForwardProcess(p.process),
        sampler: createTimestepSampler(p.sampler),
        weighting: createLossWeighting(p.weighting),
        output: p.output,
      }),
    }),
  );
}

registerFormulations();

/** A formulation spec that is unknown or malformed. The message lists the valid forms. */
export class FormulationSpecError extends RectiflowError {
  override name = 'FormulationSpecError';
  constructor(
    readonly spec: string,
    /** The registry's or parser's error. */
    override readonly cause: Error,
  ) {
    super(
      `${cause.message}\nValid formulations: ${validFormulations().join(', ')}; e.g. rf/lognorm(0.00, 1.00), rf/mode(1.29), edm(-1.20, 1.20).`,
    );
  }
}

/** The usage line of every registered formulation, e.g. `rf/lognorm(m=0, s=1, shift=1)`. */
export function validFormulations(): string[] {
  return registry.names('formulation').map((n) => registry.usage('formulation', n));
}

/**
 * Create a formulation from a spec written as the paper writes it: `rf`, `rf/lognorm(0.00, 1.00)`,
 * `rf/mode(1.29)`, `rf/cosmap`, `eps/linear`, `v/linear`, `eps/cos`, `v/cos`, `edm(-1.20, 1.20)`;
 * and `diffusers(scheme, logitMean, logitStd, modeScale, shift, preconditionOutputs)` to reproduce
 * diffusers' SD3 training scripts. rf formulations take `shift=alpha` (e.g. `rf/lognorm(0, 1, shift=3)`); the linear ones
 * `convention=discrete`.
 * @throws FormulationSpecError for an unknown or malformed spec, listing the valid forms.
 */
export function createFormulation(spec: string | SpecNode): Formulation {
  try {
    return create('formulation', spec);
  } catch (error) {
    if (error instanceof RectiflowError) throw new FormulationSpecError(typeof spec === 'string' ? spec : spec.text, error);
    throw error;
  }
}
