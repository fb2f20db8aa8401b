import { invalid, type Rng } from '@rectiflow/core';
import { BaseTimestepSampler, specName } from './base-sampler';

/** The largest s for which f_mode is monotone: 2 / (pi - 2), about 1.7519. */
export const MODE_SCALE_MAX = 2 / (Math.PI - 2);

/**
 * Mode sampling with heavy tails (paper section 3.1, `rf/mode(s)`): u ~ U(0, 1),
 * t = f_mode(u; s) = 1 - u - s (cos^2(pi u / 2) - 1 + u). Its density is positive on all of
 * [0, 1]; s = 0 is uniform, s > 0 favours the middle, s < 0 the ends. f_mode is a bijection of
 * [0, 1] only for -1 <= s <= 2/(pi - 2); other s are rejected. Common value: s = 1.29.
 */
export class ModeSampler extends BaseTimestepSampler {
  readonly name: string;
  /** The scale s. */
  readonly s: number;

  constructor(s = 1.29, shift = 1) {
    super(shift);
    if (typeof s !== 'number' || !(s >= -1 && s <= MODE_SCALE_MAX)) {
      invalid('s', s, `a number in [-1, 2/(pi-2) = ${MODE_SCALE_MAX.toFixed(6)}]: outside it f_mode is not monotone, so not a density`);
    }
    this.s = s;
    this.name = specName('mode', [String(s), this.shiftSuffix()]);
  }

  /** The map t = f_mode(u; s) from a uniform u to t (decreasing: u = 0 gives t = 1). */
  map(u: number): number {
    const c = Math.cos((Math.PI * u) / 2);
    return 1 - u - this.s * (c * c - 1 + u);
  }

  /** df_mode/du = -1 - s + s (pi/2) sin(pi u). */
  mapDerivative(u: number): number {
    return -1 - this.s + this.s * (Math.PI / 2) * Math.sin(Math.PI * u);
  }

  /** u = f_mode^{-1}(t), by Newton steps safeguarded with bisection (to about 1e-16). */
  inverseMap(t: number): number {
    if (t <= 0) return 1;
    if (t >= 1) return 0;
    let lo = 0; // f(lo) = 1 >= t
    let hi = 1; // f(hi) = 0 <= t
    let u = 1 - t;
    for (let i = 0; i < 200; i++) {
      const g = this.map(u) - t;
      if (g === 0) return u;
      if (g > 0) lo = u;
      else hi = u;
      const d = this.mapDerivative(u);
      let next = d !== 0 ? u - g / d : Number.NaN;
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
      if (Math.abs(next - u) <= 1e-17 || hi - lo <= 2e-16) return next;
      u = next;
    }
    return u;
  }

  protected drawBase(n: number, rng: Rng): Float64Array {
    const u = rng.uniformArray(n);
    for (let i = 0; i < n; i++) u[i] = this.map(u[i]);
    return u;
  }

  protected baseDensity(t: number): number {
    return 1 / Math.abs(this.mapDerivative(this.inverseMap(t)));
  }

  protected baseCdf(t: number): number {
    // f is decreasing: P(f(U) <= t) = P(U >= f^{-1}(t)).
    return 1 - this.inverseMap(t);
  }
}
