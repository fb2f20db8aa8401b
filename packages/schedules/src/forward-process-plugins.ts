/**
 * The built-in forward processes, registered as plugin kind 'forward-process', and
 * {@link createForwardProcess}.
 */
import { create, definePlugin, type ForwardProcess, registerBuiltin, type SpecNode } from '@rectiflow/core';
import { CosineProcess } from './cosine';
import { EdmProcess } from './edm';
import { LdmLinearProcess } from './ldm-linear';
import { RectifiedFlowProcess } from './rectified-flow';
import { shiftAlpha } from './shift';
import { ShiftedProcess } from './shifted-process';

function innerProcess(params: { process: SpecNode }): ForwardProcess {
  return create('forward-process', params.process);
}

/** Register the built-in processes (idempotent; runs when this package is imported). */
export function registerForwardProcesses(): void {
  registerBuiltin(
    'forward-process',
    'rf',
    definePlugin({
      description: 'rectified flow: a = 1 - t, b = t',
      create: () => new RectifiedFlowProcess(),
    }),
  );
  registerBuiltin(
    'forward-process',
    'cosine',
    definePlugin({
      description: 'cosine: a = cos(pi t/2), b = sin(pi t/2)',
      create: () => new CosineProcess(),
    }),
  );
  registerBuiltin(
    'forward-process',
    'edm',
    definePlugin({
      description: 'EDM (VE): a = 1, b = exp(P_m + P_s Phi^{-1}(t))',
      params: [
        { name: 'pMean', type: 'number', default: -1.2, description: 'mean of log sigma' },
        { name: 'pStd', type: 'number', default: 1.2, greaterThan: 0, description: 'std of log sigma' },
        { name: 'sigmaData', type: 'number', default: 0.5, greaterThan: 0, description: 'data std of the preconditioning' },
      ],
      create: (p) => new EdmProcess({ pMean: p.pMean, pStd: p.pStd, sigmaData: p.sigmaData }),
    }),
  );
  registerBuiltin(
    'forward-process',
    'ldm-linear',
    definePlugin({
      description: 'discrete VP schedule of LDM (scaled-linear) or DDPM (linear betas)',
      params: [
        { name: 'beta0', type: 'number', default: 0.00085, greaterThan: 0, lessThan: 1 },
        { name: 'betaEnd', type: 'number', default: 0.012, greaterThan: 0, lessThan: 1 },
        { name: 'T', type: 'integer', default: 1000, min: 2 },
        { name: 'rule', type: 'string', default: 'scaled-linear', oneOf: ['scaled-linear', 'linear'] },
        { name: 'convention', type: 'string', default: 'continuous', oneOf: ['continuous', 'discrete'] },
      ],
      create: (p) =>
        new LdmLinearProcess({
          beta0: p.beta0,
          betaEnd: p.betaEnd,
          T: p.T,
          rule: p.rule,
          convention: p.convention,
        }),
    }),
  );
  registerBuiltin(
    'forward-process',
    'shift',
    definePlugin({
      description: "a process on shifted time t' = alpha t / (1 + (alpha - 1) t)",
      params: [
        { name: 'alpha', type: 'number', greaterThan: 0 },
        { name: 'process', type: 'spec', default: 'rf' },
      ],
      create: (p) => new ShiftedProcess(innerProcess(p), p.alpha),
    }),
  );
  registerBuiltin(
    'forward-process',
    'shift-tokens',
    definePlugin({
      description: 'shift with alpha = sqrt(targetTokens / baseTokens)',
      params: [
        { name: 'targetTokens', type: 'number', greaterThan: 0 },
        { name: 'baseTokens', type: 'number', greaterThan: 0 },
        { name: 'process', type: 'spec', default: 'rf' },
      ],
      create: (p) => new ShiftedProcess(innerProcess(p), shiftAlpha(p.targetTokens, p.baseTokens)),
    }),
  );
}

registerForwardProcesses();

/**
 * Create a forward process from a spec: `rf`, `cosine`, `edm(-1.2, 1.2)`,
 * `ldm-linear(convention=discrete)`, `ldm-linear(0.0001, 0.02, rule=linear)` (DDPM),
 * `shift(3, rf)`, `shift-tokens(4096, 256)`, or any user-registered process.
 * @throws UnknownPluginError listing the registered processes, PluginArgumentError naming a bad argument.
 */
export function createForwardProcess(spec: string | SpecNode): ForwardProcess {
  return create('forward-process', spec);
}
