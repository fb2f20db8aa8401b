/**
 * The explicit midpoint method: k1 = f(x, t), k2 = f(x + h/2 k1, t + h/2), x += h k2.
 * Order 2, two evaluations per step.
 */
import type { OdeSolver, SolveOptions, SolveResult, VectorField, VectorOps } from '@rectiflow/core';
import { type StepperFactory, solveFixedStep } from './fixed-step';

const midpointStepper: StepperFactory = (field, grid, ops) => ({
  step: (x, k1, i) => {
    const h = grid[i + 1] - grid[i];
    const xm = ops.combine([
      [1, x],
      [h / 2, k1],
    ]);
    const k2 = field(xm, grid[i] + h / 2);
    ops.dispose(xm);
    const out = ops.combine([
      [1, x],
      [h, k2],
    ]);
    ops.dispose(k2);
    return out;
  },
  dispose: () => {},
});

/** The explicit midpoint method on the grid. */
export class MidpointSolver implements OdeSolver {
  readonly name = 'midpoint';
  solve<V>(field: VectorField<V>, x0: V, grid: readonly number[], ops: VectorOps<V>, options?: SolveOptions<V>): SolveResult<V> {
    return solveFixedStep(this.name, midpointStepper, field, x0, grid, ops, options);
  }
}
