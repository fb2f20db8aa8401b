import { checkNumber, invalid, type Rng } from '@rectiflow/core';
import { shiftTime, shiftTimeDerivative, unshiftTime } from '@rectiflow/schedules';
import { BaseTimestepSampler } from './base-sampler';
import { LogitNormalSampler } from './logit-normal';
import { ModeSampler } from './mode';
import { UniformSampler } from './uniform';

/** The `weighting_scheme` values of diffusers' `compute_density_for_timestep_sampling`. */
export type DiffusersScheme = 'logit_normal' | 'mode' | 'uniform';

/** Options of {@link DiffusersSampler}; names follow diffusers' training-script flags. */
export interface DiffusersSamplerOptions {
  /** `logit_normal`, `mode`, or `uniform` (diffusers' `none`, `sigma_sqrt` and `cosmap` all sample uniformly). */
  scheme?: DiffusersScheme;
  logitMean?: number;
  logitStd?: number;
  modeScale?: number;
  /** The scheduler's shift (3.0 for SD3). */
  shift?: number;
  numTrainTimesteps?: number;
}

/**
 * diffusers' SD3 training-script timestep sampling, for reproducing diffusers runs. It is
 * NOT the paper's: u is drawn by `compute_density_for_timestep_sampling`, then
 * `index = floor(u * N)` picks from `FlowMatchEulerDiscreteScheduler`'s training sigma table,
 * which is descending and already shifted: sigma_i = shift((N - i)/N) in float32. So
 * t = sigma ~ shift(1 - u): a positive `logitMean` moves training toward data (the paper's m > 0
 * moves it toward noise), and with shift 3 and logit-normal(0, 1) the mean t is about 0.714.
 * diffusers' `cosmap` is a loss weight on uniform t, not the CosMap sampler.
 *
 * Draws lie on the N-entry table; {@link DiffusersSampler.density} and `cdf` are those of the
 * continuous limit t = shift(1 - u).
 */
export class DiffusersSampler extends BaseTimestepSampler {
  readonly name: string;
  readonly scheme: DiffusersScheme;
  readonly scale: number;
  readonly numTrainTimesteps: number;
  /** The training sigma table, float32 values, descending: sigmas[i] = shift((N - i)/N). */
  readonly sigmas: Float64Array;
  private readonly u: BaseTimestepSampler;

  constructor(options: DiffusersSamplerOptions = {}) {
    super(1);
    const scheme = options.scheme ?? 'logit_normal';
    if (!['logit_normal', 'mode', 'uniform'].includes(scheme)) invalid('scheme', scheme, "'logit_normal', 'mode' or 'uniform'");
    this.scheme = scheme;
    const logitMean = checkNumber('logitMean', options.logitMean ?? 0);
    const logitStd = checkNumber('logitStd', options.logitStd ?? 1, { greaterThan: 0 });
    const modeScale = options.modeScale ?? 1.29;
    this.scale = checkNumber('shift', options.shift ?? 3, { greaterThan: 0 });
    const N = checkNumber('numTrainTimesteps', options.numTrainTimesteps ?? 1000, { integer: true, min: 1 });
    this.numTrainTimesteps = N;
    this.u =
      scheme === 'logit_normal'
        ? new LogitNormalSampler(logitMean, logitStd)
        : scheme === 'mode'
          ? new ModeSampler(modeScale)
          : new UniformSampler();
    const f = Math.fround;
    const shift = f(this.scale);
    this.sigmas = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      const s = f((N - i) / N);
      this.sigmas[i] = f(f(shift * s) / f(1 + f((shift - 1) * s)));
    }
    const args = [`scheme=${scheme}`];
    if (scheme === 'logit_normal') args.push(`logitMean=${logitMean}`, `logitStd=${logitStd}`);
    if (scheme === 'mode') args.push(`modeScale=${modeScale}`);
    args.push(`shift=${this.scale}`);
    if (N !== 1000) args.push(`numTrainTimesteps=${N}`);
    this.name = `diffusers(${args.join(', ')})`;
  }

  protected drawBase(n: number, rng: Rng): Float64Array {
    const u = this.u.sampleNumbers(n, rng);
    const N = this.numTrainTimesteps;
    for (let i = 0; i < n; i++) {
      const index = Math.min(Math.floor(Math.fround(Math.fround(u[i]) * N)), N - 1);
      u[i] = this.sigmas[index];
    }
    return u;
  }

  protected baseDensity(t: number): number {
    // t = shift(1 - u): pi(t) = pi_u(1 - s^{-1}(t)) / s'(s^{-1}(t)).
    const x = unshiftTime(t, this.scale);
    return this.u.density(1 - x) / shiftTimeDerivative(x, this.scale);
  }

  protected baseCdf(t: number): number {
    return 1 - this.u.cdf(1 - unshiftTime(t, this.scale));
  }

  /** The continuous-limit map from u to t: shift(1 - u). */
  map(u: number): number {
    return shiftTime(1 - u, this.scale);
  }
}
