/**
 * The loop every fixed-step solver shares: one step per grid interval, the field
 * evaluated first at the start of each step, NFE counted, a finite-state check that
 * names the step, and the step callback.
 */
import { NonFiniteError, type SolveOptions, type SolveResult, type VectorField, type VectorOps } from '@rectiflow/core';
import { checkGrid, type GridConstraints } from './grid-checks';

/** One solve's stepping rule. It may hold vectors between steps and must free them in `dispose`. */
export interface Stepper<V> {
  /**
   * The state at `grid[i + 1]` from `x` at `grid[i]` and `f0 = field(x, grid[i])`. Further
   * field evaluations go through `field`. Must not release `x` or `f0`.
   */
  step(x: V, f0: V, i: number): V;
  /** Release what the stepper holds. */
  dispose(): void;
}

/** Builds a {@link Stepper} for one solve; `field` counts its evaluations. */
export type StepperFactory = <V>(field: VectorField<V>, grid: readonly number[], ops: VectorOps<V>) => Stepper<V>;

/** Throw a {@link NonFiniteError} naming `where` if `v` has a NaN or infinite entry. */
export function checkFiniteState<V>(ops: VectorOps<V>, v: V, where: string): void {
  const { nan, inf } = ops.countNonFinite(v);
  if (nan || inf) throw new NonFiniteError(where, nan, inf);
}

/** Run a fixed-step solve over `grid`. */
export function solveFixedStep<V>(
  name: string,
  factory: StepperFactory,
  field: VectorField<V>,
  x0: V,
  grid: readonly number[],
  ops: VectorOps<V>,
  options: SolveOptions<V> = {},
  constraints: GridConstraints = {},
): SolveResult<V> {
  checkGrid('grid', grid, constraints);
  checkFiniteState(ops, x0, `${name}: initial state at t = ${grid[0]}`);
  let nfe = 0;
  // Every stage of step i tells the field it belongs to step i.
  let current = 0;
  const counted: VectorField<V> = (x, t) => {
    nfe++;
    return field(x, t, current);
  };
  const stepper = factory(counted, grid, ops);
  let x = x0;
  try {
    for (let i = 0; i + 1 < grid.length; i++) {
      current = i;
      const f0 = counted(x, grid[i]);
      let next: V | undefined;
      try {
        next = stepper.step(x, f0, i);
        checkFiniteState(ops, next, `${name}: state after step ${i} (t = ${grid[i]} -> ${grid[i + 1]})`);
        options.callback?.({ step: i, t: grid[i], tNext: grid[i + 1], xStart: x, fStart: f0, x: next });
      } catch (e) {
        if (next !== undefined) ops.dispose(next);
        throw e;
      } finally {
        ops.dispose(f0);
      }
      if (x !== x0) ops.dispose(x);
      x = next;
    }
  } catch (e) {
    if (x !== x0) ops.dispose(x);
    throw e;
  } finally {
    stepper.dispose();
  }
  return { x, nfe, accepted: grid.length - 1, rejected: 0 };
}
