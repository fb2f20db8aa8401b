/**
 * Vector operations the solvers are written against, so the same solver code runs on tfjs
 * tensors (models) and on Float64Array (exact tests).
 */
export interface VectorOps<V> {
  /** sum_i c_i v_i for a non-empty list of terms. */
  combine(terms: ReadonlyArray<readonly [number, V]>): V;
  /**
   * The weighted RMS norm of `err` for step-size control:
   * sqrt(mean((err / (atol + rtol * max(|y0|, |y1|)))^2)).
   */
  errorNorm(err: V, y0: V, y1: V, rtol: number, atol: number): number;
  /** Whether every entry is finite. */
  isFinite(v: V): boolean;
  /** Release `v` (a no-op for arrays). */
  dispose(v: V): void;
}

/** dx/dt = f(x, t). */
export type VectorField<V> = (x: V, t: number) => V;

/** What a solver reports after each accepted step. */
export interface SolverStep<V> {
  /** Index of the step (0-based). */
  step: number;
  /** Time at the start and end of the step. */
  t: number;
  tNext: number;
  /** The state after the step. */
  x: V;
}

/** Options of {@link OdeSolver.solve}. */
export interface SolveOptions<V> {
  /** Called after each accepted step; `x` is owned by the solver. */
  callback?: (step: SolverStep<V>) => void;
}

/** The result of a solve. */
export interface SolveResult<V> {
  /** The state at the last grid time. */
  x: V;
  /** Number of evaluations of the vector field. */
  nfe: number;
  /** Accepted and rejected steps (adaptive solvers). */
  accepted: number;
  rejected: number;
}

/**
 * An ODE solver: integrates `field` from `grid[0]` to the last grid time, through every
 * grid time (k-diffusion's contract: model, x, sigma grid, callback). Fixed-step solvers
 * step on the grid; adaptive ones treat it as output times.
 */
export interface OdeSolver {
  /** The spec that created it, e.g. `dopri5(rtol=1e-4)`. */
  readonly name: string;
  solve<V>(field: VectorField<V>, x0: V, grid: readonly number[], ops: VectorOps<V>, options?: SolveOptions<V>): SolveResult<V>;
}
