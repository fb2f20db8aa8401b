import type { Rng } from '@rectiflow/core';
import { BaseTimestepSampler, specName } from './base-sampler';

/**
 * CosMap (paper section 3.1, `rf/cosmap`): u ~ U(0, 1), t = f(u) = 1 - 1/(tan(pi u / 2) + 1),
 * chosen so the rectified-flow log-SNR matches the cosine schedule's;
 * pi(t) = 2 / (pi - 2 pi t + 2 pi t^2).
 */
export class CosMapSampler extends BaseTimestepSampler {
  readonly name: string;
  constructor(shift = 1) {
    super(shift);
    this.name = specName('cosmap', [this.shiftSuffix()]);
  }

  /** The map t = f(u) = 1 - 1/(tan(pi u / 2) + 1) (increasing; exactly 1 at u = 1). */
  map(u: number): number {
    if (u >= 1) return 1;
    return 1 - 1 / (Math.tan((Math.PI * u) / 2) + 1);
  }

  /** u = f^{-1}(t) = (2/pi) atan(t / (1 - t)). */
  inverseMap(t: number): number {
    return (2 / Math.PI) * Math.atan(t / (1 - t));
  }

  protected drawBase(n: number, rng: Rng): Float64Array {
    const u = rng.uniformArray(n);
    for (let i = 0; i < n; i++) u[i] = this.map(u[i]);
    return u;
  }
  protected baseDensity(t: number): number {
    return 2 / (Math.PI - 2 * Math.PI * t + 2 * Math.PI * t * t);
  }
  protected baseCdf(t: number): number {
    return this.inverseMap(t);
  }
}
