/**
 * Targets and conversions between network outputs, as float64 coefficient pairs, for any
 * forward process (built-in or user-written): only a, b, da, db and, for EDM's 'F',
 * `precondition` are used.
 */
import { type ForwardProcess, invalid } from '@rectiflow/core';
import { checkProcessOutput, type ProcessOutput } from './process-output';

/** A linear combination: `c[0] * first + c[1] * second`. */
export type LinearPair = readonly [number, number];

/** Karras et al.'s preconditioning coefficients at one time: D = c_skip z + c_out F(c_in z; c_noise). */
export interface Preconditioning {
  cSkip: number;
  cOut: number;
  cIn: number;
  cNoise: number;
  /** The noise level sigma = b_t (a_t = 1). */
  sigma: number;
  /** The data standard deviation. */
  sigmaData: number;
}

/** A process that may have EDM-style preconditioning. */
export type MaybePreconditioned = ForwardProcess & { precondition?: (t: number) => Preconditioning | undefined };

function requirePreconditioning(process: MaybePreconditioned, t: number): Preconditioning {
  const p = process.precondition?.(t);
  if (!p) invalid('parameterization', 'F', `'velocity', 'eps' or 'x0' ('F' is EDM's preconditioned output; ${process.name} has none)`);
  return p;
}

/**
 * The target of a network with output `output` as (c_x0, c_eps): target = c_x0 x0 + c_eps eps.
 * velocity: (a'_t, b'_t); eps: (0, 1); x0: (1, 0); F = (x0 - c_skip z)/c_out, which for a_t = 1 is
 * (sigma / (s_d r), -s_d / r) with r = sqrt(sigma^2 + s_d^2): finite at sigma = 0 and sigma = infinity.
 */
export function targetCoefficients(process: MaybePreconditioned, output: ProcessOutput, t: number): LinearPair {
  switch (checkProcessOutput('parameterization', output)) {
    case 'eps':
      return [0, 1];
    case 'x0':
      return [1, 0];
    case 'velocity':
      return [process.da(t), process.db(t)];
    case 'F': {
      const { sigma, sigmaData: sd } = requirePreconditioning(process, t);
      if (sigma === Infinity) return [1 / sd, 0];
      const r = Math.sqrt(sigma * sigma + sd * sd);
      return [sigma / (sd * r), -sd / r];
    }
  }
}

/**
 * (c_out, c_z) with `to = c_out * output + c_z * z` for a network output in parameterisation
 * `from` at state z and time t; (1, 0) when `from === to`. Some conversions are singular at an
 * end of [0, 1] (x0 -> eps where b_t = 0, eps -> x0 where a_t = 0) and give non-finite
 * coefficients there.
 */
export function conversionCoefficients(process: MaybePreconditioned, from: ProcessOutput, to: ProcessOutput, t: number): LinearPair {
  checkProcessOutput('from', from);
  checkProcessOutput('to', to);
  if (from === to) return [1, 0];
  const a = process.a(t);
  const b = process.b(t);
  // x0 and eps as (c_out, c_z) pairs.
  let x0: LinearPair;
  let eps: LinearPair;
  switch (from) {
    case 'eps':
      eps = [1, 0];
      x0 = [-b / a, 1 / a];
      break;
    case 'x0':
      x0 = [1, 0];
      eps = [-a / b, 1 / b];
      break;
    case 'velocity': {
      // v = a' x0 + b' eps and z = a x0 + b eps, solved for x0 and eps.
      const da = process.da(t);
      const db = process.db(t);
      const det = da * b - db * a;
      x0 = [b / det, -db / det];
      eps = [-a / det, da / det];
      break;
    }
    case 'F': {
      const p = requirePreconditioning(process, t);
      x0 = [p.cOut, p.cSkip];
      eps = [-p.cOut / b, (1 - p.cSkip * a) / b];
      break;
    }
  }
  switch (to) {
    case 'eps':
      return eps;
    case 'x0':
      return x0;
    case 'velocity': {
      const da = process.da(t);
      const db = process.db(t);
      return [da * x0[0] + db * eps[0], da * x0[1] + db * eps[1]];
    }
    case 'F': {
      const p = requirePreconditioning(process, t);
      return [x0[0] / p.cOut, (x0[1] - p.cSkip) / p.cOut];
    }
  }
}
