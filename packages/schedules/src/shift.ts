/**
 * The resolution-dependent timestep shift (paper section 5.3.2):
 * t' = alpha t / (1 + (alpha - 1) t), with alpha = sqrt(m / n) for m tokens at the target
 * resolution and n at the base one. alpha > 1 moves every t toward noise.
 */
import { checkNumber } from '@rectiflow/core';

function checkAlpha(alpha: number): void {
  checkNumber('alpha', alpha, { greaterThan: 0 });
}

/** t' = alpha t / (1 + (alpha - 1) t). */
export function shiftTime(t: number, alpha: number): number {
  checkAlpha(alpha);
  return (alpha * t) / (1 + (alpha - 1) * t);
}

/** dt'/dt = alpha / (1 + (alpha - 1) t)^2. */
export function shiftTimeDerivative(t: number, alpha: number): number {
  checkAlpha(alpha);
  const d = 1 + (alpha - 1) * t;
  return alpha / (d * d);
}

/** The inverse of {@link shiftTime}: t = t' / (alpha - (alpha - 1) t'). */
export function unshiftTime(tShifted: number, alpha: number): number {
  checkAlpha(alpha);
  return tShifted / (alpha - (alpha - 1) * tShifted);
}

/**
 * alpha = sqrt(m / n) for `targetTokens` (m) and `baseTokens` (n); e.g. 1024x1024 against
 * 256x256 latents with 2x2 patches gives sqrt(4096 / 256) = 4.
 */
export function shiftAlpha(targetTokens: number, baseTokens: number): number {
  checkNumber('targetTokens', targetTokens, { greaterThan: 0 });
  checkNumber('baseTokens', baseTokens, { greaterThan: 0 });
  return Math.sqrt(targetTokens / baseTokens);
}
