/**
 * What every built-in timestep sampler shares: validation, float32 tensors, and the
 * composition with the resolution shift t' = alpha t / (1 + (alpha - 1) t).
 */
import { checkNumber, invalid, type Rng, type TimestepSampler, tf } from '@rectiflow/core';
import { shiftTime, shiftTimeDerivative, unshiftTime } from '@rectiflow/schedules';

function checkDensityTime(t: number): number {
  if (typeof t !== 'number' || !(t >= 0 && t <= 1)) invalid('t', t, 'a number in [0, 1] (t = 0 is data, t = 1 is noise)');
  return t;
}

/**
 * Base class of the built-in samplers. A subclass defines the unshifted distribution
 * (`drawBase`, `baseDensity`, `baseCdf`); with `shift` alpha != 1, every draw is mapped through
 * the shift and the density and CDF are transformed accordingly:
 * pi(t') = pi_0(t) / s'(t) and F(t') = F_0(t) with t = s^{-1}(t').
 */
export abstract class BaseTimestepSampler implements TimestepSampler {
  /** The spec, e.g. `lognorm(0, 1)` or `mode(1.29, shift=3)`. */
  abstract readonly name: string;
  /** The shift alpha applied after drawing (1 = none). */
  readonly shift: number;

  constructor(shift = 1) {
    this.shift = checkNumber('shift', shift, { greaterThan: 0 });
  }

  /** Draw `n` times from the unshifted distribution. */
  protected abstract drawBase(n: number, rng: Rng): Float64Array;
  /** The unshifted density. */
  protected abstract baseDensity(t: number): number;
  /** The unshifted CDF. */
  protected abstract baseCdf(t: number): number;

  /** Draw `n` times in [0, 1] as float64 numbers. */
  sampleNumbers(n: number, rng: Rng): Float64Array {
    checkNumber('n', n, { integer: true, min: 0 });
    const out = this.drawBase(n, rng);
    if (this.shift !== 1) for (let i = 0; i < n; i++) out[i] = shiftTime(out[i], this.shift);
    return out;
  }

  /** Draw `n` times as a float32 tensor [n]. */
  sample(n: number, rng: Rng): tf.Tensor1D {
    return tf.tensor1d(Float32Array.from(this.sampleNumbers(n, rng)), 'float32');
  }

  /** The probability density pi(t) on [0, 1]. @throws ValidationError unless t is in [0, 1]. */
  density(t: number): number {
    checkDensityTime(t);
    if (this.shift === 1) return this.baseDensity(t);
    const u = unshiftTime(t, this.shift);
    return this.baseDensity(u) / shiftTimeDerivative(u, this.shift);
  }

  /** The CDF P(T <= t). */
  cdf(t: number): number {
    checkDensityTime(t);
    return this.baseCdf(this.shift === 1 ? t : unshiftTime(t, this.shift));
  }

  /** The spec suffix `, shift=alpha` (empty without a shift). */
  protected shiftSuffix(): string {
    return this.shift === 1 ? '' : `shift=${this.shift}`;
  }
}

/** Join spec arguments, skipping empty ones. */
export function specName(name: string, args: readonly string[]): string {
  const parts = args.filter((a) => a !== '');
  return parts.length ? `${name}(${parts.join(', ')})` : name;
}
