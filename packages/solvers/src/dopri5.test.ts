import { NonFiniteError, PluginArgumentError, ValidationError } from '@rectiflow/core';
import { readFixtureJson } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { Dopri5Solver, StepLimitError } from './dopri5';
import { float64Ops } from './float64-ops';
import { createSolver } from './solver-plugins';
import { linearField, linspace, nonlinearField, type OdeFixture } from './test-helpers';

const fixture = readFixtureJson<OdeFixture>('ode.json');

describe('dopri5', () => {
  it.each([1e-4, 1e-6, 1e-8])('meets rtol = atol = %s on the nonlinear ODE at every output time', (tol) => {
    const c = fixture.nonlinear;
    const solver = new Dopri5Solver({ rtol: tol, atol: tol });
    const outputs: number[] = [];
    const grid = linspace(c.t0, c.t1, c.n_steps);
    const result = solver.solve(nonlinearField, Float64Array.from(c.y0), grid, float64Ops, {
      callback: ({ tNext, x }) => {
        if (grid.includes(tNext)) outputs.push(x[0]);
      },
    });
    expect(outputs).toHaveLength(c.n_steps);
    outputs.forEach((y, k) => {
      const exact = c.reference_trajectory[k + 1][0];
      expect(Math.abs(y - exact)).toBeLessThanOrEqual(tol + tol * Math.abs(exact));
    });
    expect(result.x[0]).toBe(outputs[outputs.length - 1]);
    // One evaluation at the start, one for the initial step, six per attempted step (FSAL).
    expect(result.nfe).toBe(2 + 6 * (result.accepted + result.rejected));
    expect(result.accepted).toBeGreaterThanOrEqual(c.n_steps);
  });

  it('takes fewer steps for looser tolerances and rejects a too-large first step', () => {
    const c = fixture.linear;
    const steps = [1e-3, 1e-6, 1e-9].map(
      (tol) => new Dopri5Solver({ rtol: tol, atol: tol }).solve(linearField(c.A), Float64Array.from(c.y0), [0, 1], float64Ops).accepted,
    );
    expect(steps[0]).toBeLessThan(steps[1]);
    expect(steps[1]).toBeLessThan(steps[2]);
    const forced = new Dopri5Solver({ rtol: 1e-10, atol: 1e-10, firstStep: 1 }).solve(
      linearField(c.A),
      Float64Array.from(c.y0),
      [0, 1],
      float64Ops,
    );
    expect(forced.rejected).toBeGreaterThan(0);
    expect(forced.nfe).toBe(1 + 6 * (forced.accepted + forced.rejected));
    const exact = c.exact_trajectory[c.n_steps];
    exact.forEach((e, i) => {
      expect(Math.abs(forced.x[i] - e)).toBeLessThan(1e-9);
    });
  });

  it('integrates backwards in time', () => {
    const c = fixture.linear;
    const solver = new Dopri5Solver({ rtol: 1e-10, atol: 1e-10 });
    const { x } = solver.solve(linearField(c.A), Float64Array.from(c.exact_trajectory[10]), [1, 0.5, 0], float64Ops);
    c.y0.forEach((e, i) => {
      expect(Math.abs(x[i] - e)).toBeLessThan(1e-8);
    });
  });

  it('stops with a clear error at maxSteps', () => {
    const solver = new Dopri5Solver({ rtol: 1e-12, atol: 1e-12, maxSteps: 5 });
    expect(() => solver.solve(nonlinearField, Float64Array.of(1.5), [0, 1], float64Ops)).toThrow(StepLimitError);
    expect(() => solver.solve(nonlinearField, Float64Array.of(1.5), [0, 1], float64Ops)).toThrow(
      /dopri5: maxSteps = 5 reached at t = .* \(5 accepted, 0 rejected/,
    );
  });

  it('names the step at which the state becomes NaN', () => {
    const solver = new Dopri5Solver({ rtol: 1e-6, atol: 1e-6 });
    const field = (y: Float64Array, t: number) => Float64Array.of(t > 0.5 ? Number.NaN : -y[0]);
    expect(() => solver.solve(field, Float64Array.of(1), [0, 1], float64Ops)).toThrow(NonFiniteError);
    expect(() => solver.solve(field, Float64Array.of(1), [0, 1], float64Ops)).toThrow(
      /dopri5: state after step \d+ \(t = 0\.\d+ -> 0\.\d+\): contains 1 NaN/,
    );
  });

  it('rejects invalid tolerances', () => {
    expect(() => new Dopri5Solver({ rtol: 0 })).toThrow(ValidationError);
    expect(() => new Dopri5Solver({ rtol: 0 })).toThrow(/rtol: got 0; expected a finite number > 0 and < 1/);
    expect(() => new Dopri5Solver({ atol: -1e-3 })).toThrow(/atol: got -0.001/);
    expect(() => new Dopri5Solver({ atol: Number.NaN })).toThrow(/atol: got NaN/);
    expect(() => new Dopri5Solver({ maxSteps: 1.5 })).toThrow(/maxSteps: got 1.5; expected an integer >= 1/);
    expect(() => createSolver('dopri5(rtol=-1e-4)')).toThrow(PluginArgumentError);
    expect(() => createSolver('dopri5(atol=0)')).toThrow(/argument "atol" got 0; expected a number > 0/);
  });
});
