/**
 * Vector operations the solvers are written against, so the same solver code runs on tfjs
 * tensors (models) and on Float64Array (exact tests).
 */
export interface VectorOps<V> {
  /** sum_i c_i v_i for a non-empty list of terms; a new vector the caller owns. */
  combine(terms: ReadonlyArray<readonly [number, V]>): V;
  /**
   * The weighted RMS norm of `err` for step-size control:
   * sqrt(mean((err / (atol + rtol * max(|y0|, |y1|)))^2)).
   */
  errorNorm(err: V, y0: V, y1: V, rtol: number, atol: number): number;
  /** Counts of NaN and ±Infinity entries (both 0 for a finite vector). */
  countNonFinite(v: V): { nan: number; inf: number };
  /** Release `v` (a no-op for arrays). */
  dispose(v: V): void;
}

/**
 * dx/dt = f(x, t). Returns a new vector, which the solver owns and releases. `step` is the index
 * of the grid interval the solver is stepping through when it knows it (fixed-step solvers pass
 * it for every stage of a step); fields that need it fall back to the interval containing t.
 */
export type VectorField<V> = (x: V, t: number, step?: number) => V;

/**
 * What a solver reports after each accepted step. The vectors are owned by the solver and
 * valid only during the callback: copy what you keep.
 */
export interface SolverStep<V> {
  /** Index of the step (0-based). */
  step: number;
  /** Time at the start and end of the step. */
  t: number;
  tNext: number;
  /** The state at `t`, before the step. */
  xStart: V;
  /** The field at (`xStart`, `t`); every built-in solver evaluates it first. */
  fStart: V;
  /** The state at `tNext`, after the step. */
  x: V;
}

/** Options of {@link OdeSolver.solve}. */
export interface SolveOptions<V> {
  /** Called after each accepted step. */
  callback?: (step: SolverStep<V>) => void;
}

/** The result of a solve. */
export interface SolveResult<V> {
  /** The state at the last grid time; a new vector the caller owns. */
  x: V;
  /** Number of evaluations of the vector field. */
  nfe: number;
  /** Accepted and rejected steps (fixed-step solvers: accepted = grid steps, rejected = 0). */
  accepted: number;
  rejected: number;
}

/**
 * An ODE solver: integrates `field` from `grid[0]` to the last grid time, through every
 * grid time (k-diffusion's contract: model, x, sigma grid, callback). Fixed-step solvers
 * step on the grid; adaptive ones treat it as output times. The solver never releases
 * `x0`. A non-finite state throws a `NonFiniteError` that names the step.
 */
export interface OdeSolver {
  /** The spec that created it, e.g. `dopri5(rtol=0.0001, atol=0.0001, maxSteps=10000)`. */
  readonly name: string;
  solve<V>(field: VectorField<V>, x0: V, grid: readonly number[], ops: VectorOps<V>, options?: SolveOptions<V>): SolveResult<V>;
}
