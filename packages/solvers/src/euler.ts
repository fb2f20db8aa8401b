/** The explicit Euler method: x += h f(x, t). Order 1, one evaluation per step. */
import type { OdeSolver, SolveOptions, SolveResult, VectorField, VectorOps } from '@rectiflow/core';
import { type StepperFactory, solveFixedStep } from './fixed-step';

const eulerStepper: StepperFactory = (_field, grid, ops) => ({
  step: (x, f0, i) =>
    ops.combine([
      [1, x],
      [grid[i + 1] - grid[i], f0],
    ]),
  dispose: () => {},
});

/**
 * Explicit Euler on the grid. On a flow sampling grid this is SD3's `sample_euler`:
 * x += (t_{i+1} - t_i) v(x, t_i).
 */
export class EulerSolver implements OdeSolver {
  readonly name = 'euler';
  solve<V>(field: VectorField<V>, x0: V, grid: readonly number[], ops: VectorOps<V>, options?: SolveOptions<V>): SolveResult<V> {
    return solveFixedStep(this.name, eulerStepper, field, x0, grid, ops, options);
  }
}
