import { checkNumber, formatSpec, invalid } from '@rectiflow/core';
import { BaseForwardProcess } from './base-process';

/** How the betas run from beta_0 to beta_{T-1}. */
export type BetaRule = 'scaled-linear' | 'linear';
/** How the discrete table is read at a continuous t. */
export type LdmConvention = 'continuous' | 'discrete';

/** Parameters of {@link LdmLinearProcess}. */
export interface LdmLinearOptions {
  /** beta_0. Default 0.00085 (Stable Diffusion / LDM). */
  beta0?: number;
  /** beta_{T-1}. Default 0.012. */
  betaEnd?: number;
  /** Number of discrete steps T. Default 1000. */
  T?: number;
  /** `scaled-linear` (LDM: linear in sqrt(beta)) or `linear` (DDPM). Default `scaled-linear`. */
  rule?: BetaRule;
  /** `continuous` (default) or `discrete`; see {@link LdmLinearProcess}. */
  convention?: LdmConvention;
}

/**
 * The discrete variance-preserving schedule of LDM / DDPM (paper section 3.1):
 * alphabar_k = prod_{s <= k} (1 - beta_s), a = sqrt(alphabar), b = sqrt(1 - alphabar), with
 * beta_k = (sqrt(beta_0) + k/(T-1) (sqrt(beta_{T-1}) - sqrt(beta_0)))^2 (`scaled-linear`) or
 * beta_0 + k/(T-1) (beta_{T-1} - beta_0) (`linear`).
 *
 * The paper defines it at integer steps only. Two readings at t in [0, 1]:
 * - `continuous`: tau = t (T - 1), log alphabar interpolated linearly between floor(tau) and
 *   floor(tau) + 1; derivatives use that segment's slope (at t = 1, the last segment's).
 * - `discrete`: the table at k = round(t (T - 1)) (halves round up). The values are piecewise constant, so the
 *   derivatives are defined as those of the interpolant at the integer k, with the central
 *   slope (log alphabar_{k+1} - log alphabar_{k-1}) / 2 (one-sided at the ends).
 *
 * Note a_0 = sqrt(1 - beta_0) < 1 and a_1 > 0: the schedule does not reach pure data or
 * pure noise.
 */
export class LdmLinearProcess extends BaseForwardProcess {
  readonly name: string;
  readonly beta0: number;
  readonly betaEnd: number;
  readonly T: number;
  readonly rule: BetaRule;
  readonly convention: LdmConvention;
  /** beta_k, k = 0..T-1. */
  readonly betas: Float64Array;
  /** alphabar_k = prod_{s <= k} (1 - beta_s). */
  readonly alphasCumprod: Float64Array;
  private readonly logAlphabar: Float64Array;

  constructor(options: LdmLinearOptions = {}) {
    super();
    this.beta0 = checkNumber('beta0', options.beta0 ?? 0.00085, { greaterThan: 0, lessThan: 1 });
    this.betaEnd = checkNumber('betaEnd', options.betaEnd ?? 0.012, { greaterThan: 0, lessThan: 1 });
    this.T = checkNumber('T', options.T ?? 1000, { integer: true, min: 2 });
    this.rule = options.rule ?? 'scaled-linear';
    if (this.rule !== 'scaled-linear' && this.rule !== 'linear') invalid('rule', this.rule, "'scaled-linear' or 'linear'");
    this.convention = options.convention ?? 'continuous';
    if (this.convention !== 'continuous' && this.convention !== 'discrete') {
      invalid('convention', this.convention, "'continuous' or 'discrete'");
    }
    const T = this.T;
    this.betas = new Float64Array(T);
    this.alphasCumprod = new Float64Array(T);
    this.logAlphabar = new Float64Array(T);
    const s0 = Math.sqrt(this.beta0);
    const s1 = Math.sqrt(this.betaEnd);
    let prod = 1;
    for (let k = 0; k < T; k++) {
      const f = k / (T - 1);
      const beta = this.rule === 'scaled-linear' ? (s0 + f * (s1 - s0)) ** 2 : this.beta0 + f * (this.betaEnd - this.beta0);
      this.betas[k] = beta;
      prod *= 1 - beta;
      this.alphasCumprod[k] = prod;
      this.logAlphabar[k] = Math.log(prod);
    }
    this.name = formatSpec({
      name: 'ldm-linear',
      args: [],
      kwargs: { beta0: this.beta0, betaEnd: this.betaEnd, T, rule: this.rule, convention: this.convention },
    });
  }

  /** log alphabar at t and its derivative d/dt under the chosen convention. */
  private logAlphabarAt(t: number): [number, number] {
    const T = this.T;
    const L = this.logAlphabar;
    if (this.convention === 'discrete') {
      const k = Math.round(t * (T - 1));
      const lo = Math.max(0, k - 1);
      const hi = Math.min(T - 1, k + 1);
      return [L[k], ((L[hi] - L[lo]) / (hi - lo)) * (T - 1)];
    }
    const tau = t * (T - 1);
    const k = Math.min(Math.floor(tau), T - 2);
    const frac = tau - k;
    const slope = L[k + 1] - L[k];
    return [L[k] + frac * slope, slope * (T - 1)];
  }

  protected coefA(t: number): number {
    return Math.exp(0.5 * this.logAlphabarAt(t)[0]);
  }
  protected coefB(t: number): number {
    return Math.sqrt(-Math.expm1(this.logAlphabarAt(t)[0]));
  }
  protected coefDa(t: number): number {
    const [l, dl] = this.logAlphabarAt(t);
    return 0.5 * Math.exp(0.5 * l) * dl;
  }
  protected coefDb(t: number): number {
    const [l, dl] = this.logAlphabarAt(t);
    return (-0.5 * Math.exp(l) * dl) / Math.sqrt(-Math.expm1(l));
  }
  protected override coefLambda(t: number): number {
    const l = this.logAlphabarAt(t)[0];
    return l - Math.log(-Math.expm1(l));
  }
  protected override coefDlambda(t: number): number {
    const [l, dl] = this.logAlphabarAt(t);
    return dl / -Math.expm1(l);
  }
}
