import type { Rng } from '@rectiflow/core';
import { BaseTimestepSampler, specName } from './base-sampler';

/** t ~ U(0, 1): pi(t) = 1 (the paper's plain `rf`). */
export class UniformSampler extends BaseTimestepSampler {
  readonly name: string;
  constructor(shift = 1) {
    super(shift);
    this.name = specName('uniform', [this.shiftSuffix()]);
  }
  protected drawBase(n: number, rng: Rng): Float64Array {
    return rng.uniformArray(n);
  }
  protected baseDensity(_t: number): number {
    return 1;
  }
  protected baseCdf(t: number): number {
    return t;
  }
}
