import { registry, UnknownPluginError } from '@rectiflow/core';
import { describe, expect, it } from 'vitest';
import { Dopri5Solver } from './dopri5';
import { DpmSolverPP2M } from './dpmpp-2m';
import { Sd3DpmPP2M } from './dpmpp-2m-sd3';
import { EulerSolver } from './euler';
import { createSolver, SOLVER_NAMES } from './solver-plugins';

describe('solver plugins', () => {
  it('registers every built-in solver under kind "solver"', () => {
    expect(SOLVER_NAMES).toEqual(['euler', 'heun', 'midpoint', 'rk4', 'dpmpp-2m', 'dpmpp-2m-sd3', 'dopri5']);
    for (const name of SOLVER_NAMES) expect(registry.has('solver', name)).toBe(true);
    expect(createSolver('euler')).toBeInstanceOf(EulerSolver);
    expect(createSolver('dpmpp-2m')).toBeInstanceOf(DpmSolverPP2M);
    expect(createSolver('dpmpp-2m-sd3')).toBeInstanceOf(Sd3DpmPP2M);
    expect(createSolver('rk4').name).toBe('rk4');
  });

  it('creates dopri5 from a spec with its tolerances', () => {
    const solver = createSolver('dopri5(rtol=1e-5, atol=1e-6, maxSteps=50)');
    expect(solver).toBeInstanceOf(Dopri5Solver);
    expect((solver as Dopri5Solver).rtol).toBe(1e-5);
    expect((solver as Dopri5Solver).atol).toBe(1e-6);
    expect(solver.name).toBe('dopri5(rtol=0.00001, atol=0.000001, maxSteps=50)');
    expect(registry.usage('solver', 'dopri5')).toBe('dopri5(rtol=0.0001, atol=0.0001, maxSteps=10000, firstStep=0, safety=0.9)');
  });

  it('names the registered solvers when a spec is unknown', () => {
    expect(() => createSolver('dpm3')).toThrow(UnknownPluginError);
    expect(() => createSolver('dpm3')).toThrow(/Registered solver plugins: .*dopri5.*euler/);
  });
});
