import { NonFiniteError, ValidationError } from '@rectiflow/core';
import { expectClose, readFixtureJson } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { EulerSolver } from './euler';
import { float64Ops } from './float64-ops';
import { HeunSolver } from './heun';
import { MidpointSolver } from './midpoint';
import { Rk4Solver } from './rk4';
import { linearField, linspace, nonlinearField, type OdeFixture } from './test-helpers';

const fixture = readFixtureJson<OdeFixture>('ode.json');
const solvers = { euler: new EulerSolver(), heun: new HeunSolver(), midpoint: new MidpointSolver(), rk4: new Rk4Solver() };
const stages = { euler: 1, heun: 2, midpoint: 2, rk4: 4 };
const orders = { euler: 1, heun: 2, midpoint: 2, rk4: 4 };

describe.each(Object.keys(solvers) as (keyof typeof solvers)[])('%s', (name) => {
  const solver = solvers[name];

  it.each(['linear', 'nonlinear'] as const)('reproduces the ode.json %s trajectory at float64 precision', (which) => {
    const c = fixture[which];
    const field = which === 'linear' ? linearField(fixture.linear.A) : nonlinearField;
    const grid = linspace(c.t0, c.t1, c.n_steps);
    const trajectory: number[][] = [c.y0];
    const result = solver.solve(field, Float64Array.from(c.y0), grid, float64Ops, {
      callback: ({ x }) => trajectory.push([...x]),
    });
    const expected = c.solvers[name];
    expectClose(trajectory.flat(), expected.trajectory.flat(), { atol: 1e-14, rtol: 1e-12, label: `${name} ${which}` });
    expectClose(result.x, expected.y_final, { atol: 1e-14, rtol: 1e-12 });
    expect(result.nfe).toBe(stages[name] * c.n_steps);
    expect(result.accepted).toBe(c.n_steps);
    expect(result.rejected).toBe(0);
  });

  it.each(['linear', 'nonlinear'] as const)('converges at its theoretical order on the %s ODE (within 10%%)', (which) => {
    const c = fixture[which];
    const field = which === 'linear' ? linearField(fixture.linear.A) : nonlinearField;
    const exact = which === 'linear' ? fixture.linear.exact_trajectory[c.n_steps] : fixture.nonlinear.reference_final;
    // RK4's error on the nonlinear ODE reaches its asymptotic regime later (ratio 3.25 at 20 -> 40 steps).
    const n = name === 'rk4' && which === 'nonlinear' ? 80 : 40;
    const error = (steps: number) => {
      const { x } = solver.solve(field, Float64Array.from(c.y0), linspace(c.t0, c.t1, steps), float64Ops);
      return Math.hypot(...exact.map((e, i) => x[i] - e));
    };
    const order = Math.log2(error(n) / error(2 * n));
    expect(Math.abs(order - orders[name]) / orders[name]).toBeLessThan(0.1);
  });
});

describe('fixed-step solver input checks', () => {
  const solver = new HeunSolver();
  const y0 = Float64Array.of(1);

  it('rejects a grid that is not strictly monotone, too short or not finite', () => {
    expect(() => solver.solve(nonlinearField, y0, [0, 0.5, 0.5, 1], float64Ops)).toThrow(ValidationError);
    expect(() => solver.solve(nonlinearField, y0, [0, 0.5, 0.4, 1], float64Ops)).toThrow(
      /grid\[2\]: got 0.4; expected a time > grid\[1\] = 0.5/,
    );
    expect(() => solver.solve(nonlinearField, y0, [1], float64Ops)).toThrow(/at least 2 times/);
    expect(() => solver.solve(nonlinearField, y0, [0, Number.NaN], float64Ops)).toThrow(/grid\[1\]: got NaN/);
  });

  it('names the step where the state stops being finite', () => {
    const blowUp = (y: Float64Array, t: number) => Float64Array.of(t > 0.25 ? Number.NaN : y[0]);
    expect(() => solver.solve(blowUp, y0, linspace(0, 1, 10), float64Ops)).toThrow(NonFiniteError);
    expect(() => new EulerSolver().solve(blowUp, y0, linspace(0, 1, 10), float64Ops)).toThrow(
      /euler: state after step 3 \(t = 0.30000000000000004 -> 0.4\): contains 1 NaN/,
    );
    expect(() => solver.solve(nonlinearField, Float64Array.of(Number.POSITIVE_INFINITY), [0, 1], float64Ops)).toThrow(
      /heun: initial state at t = 0: contains 0 NaN and 1 infinite/,
    );
  });
});
