/**
 * The built-in solvers as plugins of kind `solver`, and {@link createSolver}. Importing
 * `@rectiflow/solvers` registers them.
 */
import { create, definePlugin, type OdeSolver, type PluginDefinition, registerBuiltin, type SpecNode } from '@rectiflow/core';
import { Dopri5Solver } from './dopri5';
import { DpmSolverPP2M } from './dpmpp-2m';
import { Sd3DpmPP2M } from './dpmpp-2m-sd3';
import { EulerSolver } from './euler';
import { HeunSolver } from './heun';
import { MidpointSolver } from './midpoint';
import { Rk4Solver } from './rk4';

const BUILT_IN: Record<string, PluginDefinition<OdeSolver>> = {
  euler: { description: 'explicit Euler, order 1, 1 NFE per step (SD3 sample_euler)', create: () => new EulerSolver() },
  heun: { description: "Heun's method (explicit trapezoid), order 2, 2 NFE per step", create: () => new HeunSolver() },
  midpoint: { description: 'explicit midpoint, order 2, 2 NFE per step', create: () => new MidpointSolver() },
  rk4: { description: 'classical Runge-Kutta, order 4, 4 NFE per step', create: () => new Rk4Solver() },
  'dpmpp-2m': {
    description: 'DPM-Solver++(2M) in the flow half-log-SNR log((1-t)/t), 1 NFE per step',
    create: () => new DpmSolverPP2M(),
  },
  'dpmpp-2m-sd3': {
    description: "the official SD3 sample_dpmpp_2m (k-diffusion's VE formula on flow sigmas), for parity",
    create: () => new Sd3DpmPP2M(),
  },
  dopri5: definePlugin({
    description: 'adaptive Dormand-Prince 5(4) with step-size control',
    params: [
      { name: 'rtol', type: 'number', default: 1e-4, greaterThan: 0, lessThan: 1, description: 'relative tolerance' },
      { name: 'atol', type: 'number', default: 1e-4, greaterThan: 0, description: 'absolute tolerance' },
      { name: 'maxSteps', type: 'integer', default: 10000, min: 1, description: 'most attempted steps' },
      { name: 'firstStep', type: 'number', default: 0, min: 0, description: 'first step size; 0 = automatic' },
      { name: 'safety', type: 'number', default: 0.9, greaterThan: 0, lessThan: 1, description: 'step-size safety factor' },
    ],
    create: (p) =>
      new Dopri5Solver({
        rtol: p.rtol,
        atol: p.atol,
        maxSteps: p.maxSteps,
        firstStep: p.firstStep,
        safety: p.safety,
      }),
  }),
};

for (const [name, definition] of Object.entries(BUILT_IN)) {
  registerBuiltin('solver', name, definition);
}

/** The names of the built-in solvers. */
export const SOLVER_NAMES: readonly string[] = Object.keys(BUILT_IN);

/**
 * Create a solver from a spec: `euler`, `heun`, `midpoint`, `rk4`, `dpmpp-2m`,
 * `dpmpp-2m-sd3`, `dopri5(rtol=1e-5, atol=1e-5)` or any user-registered `solver` plugin.
 * @throws `UnknownPluginError` or `PluginArgumentError` (e.g. a negative tolerance).
 */
export function createSolver(spec: string | SpecNode): OdeSolver {
  return create('solver', spec);
}
