import { ValidationError } from '@rectiflow/core';
import { describe, expect, it } from 'vitest';
import { DpmSolverPP2M, flowHalfLogSnr } from './dpmpp-2m';
import { Sd3DpmPP2M, veHalfLogSnr } from './dpmpp-2m-sd3';
import { EulerSolver } from './euler';
import { float64Ops } from './float64-ops';
import { uniformGrid } from './time-grid';

// Gaussian data N(μ, s²): exact velocity, and the exact flow x_t = (1 - t) μ + std_t z.
const S = 0.5;
const MU = 0.55;
const Z = 0.8;
const field = (x: Float64Array, t: number) => {
  const variance = (1 - t) ** 2 * S * S + t * t;
  return Float64Array.of(((t - (1 - t) * S * S) / variance) * (x[0] - (1 - t) * MU) - MU);
};
const exactAt = (t: number) => (1 - t) * MU + Math.sqrt((1 - t) ** 2 * S * S + t * t) * Z;

describe('DPM-Solver++(2M)', () => {
  it('measures steps in λ = log((1 - t)/t) (flow) or -log σ (SD3 parity variant)', () => {
    expect(flowHalfLogSnr(0.5)).toBe(0);
    expect(flowHalfLogSnr(0.2)).toBeCloseTo(Math.log(4), 15);
    expect(flowHalfLogSnr(1)).toBe(Number.NEGATIVE_INFINITY);
    expect(flowHalfLogSnr(0)).toBe(Number.POSITIVE_INFINITY);
    expect(veHalfLogSnr(0.2)).toBeCloseTo(Math.log(5), 15);
  });

  it.each([
    ['dpmpp-2m', new DpmSolverPP2M()],
    ['dpmpp-2m-sd3', new Sd3DpmPP2M()],
  ] as const)('%s: first-order steps equal Euler; the step to t = 0 lands on D = x - t v; one NFE per step', (_name, solver) => {
    // Two steps: the first is first order; the second goes to t = 0, also first order.
    const grid = [0.9, 0.4, 0];
    const a = solver.solve(field, Float64Array.of(0.3), grid, float64Ops);
    const b = new EulerSolver().solve(field, Float64Array.of(0.3), grid, float64Ops);
    expect(Math.abs(a.x[0] - b.x[0])).toBeLessThan(1e-15);
    expect(a.nfe).toBe(2);
  });

  it.each([
    ['dpmpp-2m', new DpmSolverPP2M()],
    ['dpmpp-2m-sd3', new Sd3DpmPP2M()],
  ] as const)('%s is second order away from t = 0 (within 10%%)', (_name, solver) => {
    const error = (n: number) =>
      Math.abs(solver.solve(field, Float64Array.of(Z), uniformGrid(n, 1, 0.05), float64Ops).x[0] - exactAt(0.05));
    const order = Math.log2(error(40) / error(80));
    expect(Math.abs(order - 2) / 2).toBeLessThan(0.1);
  });

  it('the flow-correct variant is the more accurate of the two on flow data', () => {
    const error = (solver: DpmSolverPP2M | Sd3DpmPP2M) =>
      Math.abs(solver.solve(field, Float64Array.of(Z), uniformGrid(40, 1, 0.05), float64Ops).x[0] - exactAt(0.05));
    expect(error(new DpmSolverPP2M())).toBeLessThan(error(new Sd3DpmPP2M()));
  });

  it('needs a decreasing grid in [0, 1] that starts above 0', () => {
    const solver = new DpmSolverPP2M();
    expect(() => solver.solve(field, Float64Array.of(Z), [0, 0.5, 1], float64Ops)).toThrow(ValidationError);
    expect(() => solver.solve(field, Float64Array.of(Z), [0.5, 0.2, 0.3], float64Ops)).toThrow(/grid\[2\]/);
    expect(() => solver.solve(field, Float64Array.of(Z), [1.2, 0.5], float64Ops)).toThrow(
      /grid\[0\]: got 1.2; expected a time in \[0, 1\]/,
    );
  });
});
