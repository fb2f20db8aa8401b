/**
 * Heun's method (explicit trapezoid): k1 = f(x, t), k2 = f(x + h k1, t + h),
 * x += h/2 (k1 + k2). Order 2, two evaluations per step.
 */
import type { OdeSolver, SolveOptions, SolveResult, VectorField, VectorOps } from '@rectiflow/core';
import { type StepperFactory, solveFixedStep } from './fixed-step';

const heunStepper: StepperFactory = (field, grid, ops) => ({
  step: (x, k1, i) => {
    const h = grid[i + 1] - grid[i];
    const x2 = ops.combine([
      [1, x],
      [h, k1],
    ]);
    const k2 = field(x2, grid[i + 1]);
    ops.dispose(x2);
    const out = ops.combine([
      [1, x],
      [h / 2, k1],
      [h / 2, k2],
    ]);
    ops.dispose(k2);
    return out;
  },
  dispose: () => {},
});

/** Heun's second-order method on the grid. */
export class HeunSolver implements OdeSolver {
  readonly name = 'heun';
  solve<V>(field: VectorField<V>, x0: V, grid: readonly number[], ops: VectorOps<V>, options?: SolveOptions<V>): SolveResult<V> {
    return solveFixedStep(this.name, heunStepper, field, x0, grid, ops, options);
  }
}
