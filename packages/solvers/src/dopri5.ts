/**
 * The adaptive Dormand–Prince 5(4) method (Dormand & Prince 1980; Hairer, Nørsett &
 * Wanner, Solving ODEs I, II.4–5): a fifth-order step with an embedded fourth-order error
 * estimate, first-same-as-last (six new evaluations per attempted step), step-size control
 * on the weighted RMS error norm, and the automatic initial step of Hairer et al.
 *
 * The grid is a list of output times: the integration lands exactly on each of them.
 */
import {
  checkNumber,
  invalid,
  NonFiniteError,
  type OdeSolver,
  RectiflowError,
  type SolveOptions,
  type SolveResult,
  type VectorField,
  type VectorOps,
} from '@rectiflow/core';
import { checkGrid } from './grid-checks';

/** Options of {@link Dopri5Solver}. */
export interface Dopri5Options {
  /** Relative tolerance, in (0, 1). Default 1e-4. */
  rtol?: number;
  /** Absolute tolerance, > 0. Default 1e-4. */
  atol?: number;
  /** Most attempted steps (accepted + rejected) before giving up. Default 10000. */
  maxSteps?: number;
  /** First step size; 0 picks it automatically (one extra evaluation). Default 0. */
  firstStep?: number;
  /** Safety factor of the step-size update, in (0, 1). Default 0.9. */
  safety?: number;
}

/** Thrown when dopri5 cannot reach the end of the grid within its step budget. */
export class StepLimitError extends RectiflowError {
  override name = 'StepLimitError';
}

// Nodes, stage weights, fifth-order weights (the solution) and error weights (b5 - b4).
const C = [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1];
const A: number[][] = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
  [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
];
const E = [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40];
const FAC_MIN = 0.2;
const FAC_MAX = 10;

/** Adaptive Dormand–Prince 5(4). Reports NFE and accepted and rejected steps. */
export class Dopri5Solver implements OdeSolver {
  readonly name: string;
  readonly rtol: number;
  readonly atol: number;
  readonly maxSteps: number;
  readonly firstStep: number;
  readonly safety: number;

  constructor(options: Dopri5Options = {}) {
    this.rtol = checkNumber('rtol', options.rtol ?? 1e-4, { greaterThan: 0, lessThan: 1 });
    this.atol = checkNumber('atol', options.atol ?? 1e-4, { greaterThan: 0 });
    this.maxSteps = checkNumber('maxSteps', options.maxSteps ?? 10000, { integer: true, min: 1 });
    this.firstStep = checkNumber('firstStep', options.firstStep ?? 0, { min: 0 });
    this.safety = checkNumber('safety', options.safety ?? 0.9, { greaterThan: 0, lessThan: 1 });
    this.name = `dopri5(rtol=${this.rtol}, atol=${this.atol}, maxSteps=${this.maxSteps})`;
  }

  solve<V>(field: VectorField<V>, x0: V, grid: readonly number[], ops: VectorOps<V>, options: SolveOptions<V> = {}): SolveResult<V> {
    const direction = checkGrid('grid', grid);
    const { rtol, atol } = this;
    const finite = (v: V, where: string) => {
      const { nan, inf } = ops.countNonFinite(v);
      if (nan || inf) throw new NonFiniteError(`dopri5: ${where}`, nan, inf);
    };
    finite(x0, `initial state at t = ${grid[0]}`);
    let nfe = 0;
    const f: VectorField<V> = (x, t) => {
      nfe++;
      return field(x, t);
    };
    let accepted = 0;
    let rejected = 0;
    let t = grid[0];
    let x = x0;
    let k1 = f(x, t);
    const owned = new Set<V>([k1]);
    const release = (v: V) => {
      owned.delete(v);
      ops.dispose(v);
    };
    try {
      const span = Math.abs(grid[grid.length - 1] - grid[0]);
      let hAbs = this.firstStep > 0 ? Math.min(this.firstStep, span) : this.initialStep(f, x, k1, t, direction, span, ops, owned);
      let facMax = FAC_MAX;
      for (let j = 1; j < grid.length; j++) {
        const target = grid[j];
        while (t !== target) {
          if (accepted + rejected >= this.maxSteps) {
            throw new StepLimitError(
              `dopri5: maxSteps = ${this.maxSteps} reached at t = ${t} before t = ${target} (${accepted} accepted, ${rejected} rejected; last step ${hAbs}). Loosen rtol/atol or raise maxSteps.`,
            );
          }
          const remaining = Math.abs(target - t);
          const last = hAbs >= remaining * (1 - 1e-12);
          const h = direction * (last ? remaining : hAbs);
          if (Math.abs(h) <= 16 * Number.EPSILON * Math.max(1, Math.abs(t))) {
            throw new RectiflowError(
              `dopri5: step size ${Math.abs(h)} underflows at t = ${t}; the problem is too stiff for rtol=${rtol}, atol=${atol}`,
            );
          }
          const k: V[] = [k1];
          for (let s = 1; s < 7; s++) {
            const terms: [number, V][] = [[1, x]];
            for (let m = 0; m < s; m++) if (A[s][m] !== 0) terms.push([h * A[s][m], k[m]]);
            const xs = ops.combine(terms);
            owned.add(xs);
            if (s === 6) {
              finite(xs, `state after step ${accepted} (t = ${t} -> ${t + h})`);
              const kNew = f(xs, last ? target : t + C[s] * h);
              owned.add(kNew);
              k.push(kNew);
              k.push(xs);
            } else {
              const kNew = f(xs, t + C[s] * h);
              owned.add(kNew);
              release(xs);
              k.push(kNew);
            }
          }
          const xNew = k[7];
          const errTerms: [number, V][] = [];
          for (let s = 0; s < 7; s++) if (E[s] !== 0) errTerms.push([h * E[s], k[s]]);
          const errVec = ops.combine(errTerms);
          const err = ops.errorNorm(errVec, x, xNew, rtol, atol);
          ops.dispose(errVec);
          for (let s = 1; s < 6; s++) release(k[s]);
          const factor = err === 0 ? facMax : Math.min(facMax, Math.max(FAC_MIN, this.safety * err ** -0.2));
          if (err <= 1) {
            const tNext = last ? target : t + h;
            options.callback?.({ step: accepted, t, tNext, xStart: x, fStart: k1, x: xNew });
            release(k1);
            if (x !== x0) release(x);
            x = xNew;
            k1 = k[6];
            t = tNext;
            accepted++;
            hAbs = Math.abs(h) * factor;
            facMax = FAC_MAX;
          } else {
            release(k[6]);
            release(xNew);
            rejected++;
            hAbs = Math.abs(h) * Math.min(1, factor);
            facMax = 1;
          }
        }
      }
      owned.delete(x);
      return { x, nfe, accepted, rejected };
    } finally {
      for (const v of owned) ops.dispose(v);
    }
  }

  /** Hairer, Nørsett & Wanner's starting step (II.4): one extra evaluation. */
  private initialStep<V>(
    f: VectorField<V>,
    x: V,
    k1: V,
    t: number,
    direction: number,
    span: number,
    ops: VectorOps<V>,
    owned: Set<V>,
  ): number {
    const { rtol, atol } = this;
    const d0 = ops.errorNorm(x, x, x, rtol, atol);
    const d1 = ops.errorNorm(k1, x, x, rtol, atol);
    let h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : (0.01 * d0) / d1;
    h0 = Math.min(h0, span);
    const x1 = ops.combine([
      [1, x],
      [direction * h0, k1],
    ]);
    owned.add(x1);
    const f1 = f(x1, t + direction * h0);
    owned.add(f1);
    const diff = ops.combine([
      [1, f1],
      [-1, k1],
    ]);
    const d2 = ops.errorNorm(diff, x, x, rtol, atol) / h0;
    ops.dispose(diff);
    for (const v of [x1, f1]) {
      owned.delete(v);
      ops.dispose(v);
    }
    const dMax = Math.max(d1, d2);
    const h1 = dMax <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : (0.01 / dMax) ** 0.2;
    if (!Number.isFinite(h1)) invalid('dopri5 initial step', h1, 'a finite step: the field is not finite at the start');
    return Math.min(100 * h0, h1, span);
  }
}
