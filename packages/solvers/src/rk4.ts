/**
 * The classical fourth-order Runge–Kutta method: four evaluations per step,
 * x += h/6 (k1 + 2 k2 + 2 k3 + k4).
 */
import type { OdeSolver, SolveOptions, SolveResult, VectorField, VectorOps } from '@rectiflow/core';
import { type StepperFactory, solveFixedStep } from './fixed-step';

const rk4Stepper: StepperFactory = (field, grid, ops) => ({
  step: (x, k1, i) => {
    const t = grid[i];
    const h = grid[i + 1] - t;
    const stage = (k: typeof k1, c: number, tStage: number) => {
      const xs = ops.combine([
        [1, x],
        [c, k],
      ]);
      const out = field(xs, tStage);
      ops.dispose(xs);
      return out;
    };
    const k2 = stage(k1, h / 2, t + h / 2);
    const k3 = stage(k2, h / 2, t + h / 2);
    const k4 = stage(k3, h, grid[i + 1]);
    const out = ops.combine([
      [1, x],
      [h / 6, k1],
      [h / 3, k2],
      [h / 3, k3],
      [h / 6, k4],
    ]);
    ops.dispose(k2);
    ops.dispose(k3);
    ops.dispose(k4);
    return out;
  },
  dispose: () => {},
});

/** Classical RK4 on the grid. */
export class Rk4Solver implements OdeSolver {
  readonly name = 'rk4';
  solve<V>(field: VectorField<V>, x0: V, grid: readonly number[], ops: VectorOps<V>, options?: SolveOptions<V>): SolveResult<V> {
    return solveFixedStep(this.name, rk4Stepper, field, x0, grid, ops, options);
  }
}
