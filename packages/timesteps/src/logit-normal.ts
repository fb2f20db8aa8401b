import { checkNumber, type Rng } from '@rectiflow/core';
import { normalCdf } from '@rectiflow/schedules';
import { BaseTimestepSampler, specName } from './base-sampler';

/**
 * Logit-normal sampling (paper section 3.1, `rf/lognorm(m, s)`): u ~ N(m, s^2), t = sigmoid(u);
 * pi(t) = 1/(s sqrt(2 pi)) 1/(t (1 - t)) exp(-(logit t - m)^2 / (2 s^2)).
 * t is the noise level, so m > 0 biases training toward noise and m < 0 toward data.
 * The paper's best: m = 0, s = 1.
 */
export class LogitNormalSampler extends BaseTimestepSampler {
  readonly name: string;
  /** Location m of logit(t). */
  readonly m: number;
  /** Scale s > 0 of logit(t). */
  readonly s: number;

  constructor(m = 0, s = 1, shift = 1) {
    super(shift);
    this.m = checkNumber('m', m);
    this.s = checkNumber('s', s, { greaterThan: 0 });
    this.name = specName('lognorm', [String(m), String(s), this.shiftSuffix()]);
  }

  protected drawBase(n: number, rng: Rng): Float64Array {
    const u = rng.normalArray(n, this.m, this.s);
    for (let i = 0; i < n; i++) u[i] = 1 / (1 + Math.exp(-u[i]));
    return u;
  }

  protected baseDensity(t: number): number {
    if (t <= 0 || t >= 1) return 0;
    const z = (Math.log(t / (1 - t)) - this.m) / this.s;
    return Math.exp(-0.5 * z * z) / (this.s * Math.sqrt(2 * Math.PI) * t * (1 - t));
  }

  protected baseCdf(t: number): number {
    if (t <= 0) return 0;
    if (t >= 1) return 1;
    return normalCdf((Math.log(t / (1 - t)) - this.m) / this.s);
  }
}
