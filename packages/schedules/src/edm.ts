import { checkNumber, formatSpec } from '@rectiflow/core';
import { BaseForwardProcess } from './base-process';
import { normalPdf, normalQuantile } from './normal';
import type { Preconditioning } from './output-conversion';

/** Parameters of {@link EdmProcess}. */
export interface EdmOptions {
  /** Mean of log sigma (P_mean in Karras et al. 2022). Default -1.2. */
  pMean?: number;
  /** Standard deviation of log sigma (P_std), > 0. Default 1.2. */
  pStd?: number;
  /** The data standard deviation sigma_data of the preconditioning. Default 0.5. */
  sigmaData?: number;
}

/**
 * EDM (Karras et al. 2022) as a process on t in [0, 1] (paper section 3.1): variance
 * exploding, a_t = 1, b_t = sigma_t = exp(F^{-1}(t)) with F the CDF of N(P_m, P_s^2), so a
 * uniform t gives log sigma ~ N(P_m, P_s^2) and lambda_t = -2 log sigma_t ~ N(-2 P_m, (2 P_s)^2).
 *
 * The network output is Karras's preconditioned F: D(z) = c_skip z + c_out F(c_in z; c_noise),
 * with c_skip = s_d^2/(sigma^2 + s_d^2), c_out = sigma s_d / sqrt(sigma^2 + s_d^2),
 * c_in = 1/sqrt(sigma^2 + s_d^2), c_noise = log(sigma)/4. Use `target('F', ...)` and
 * `convert(out, 'F', ...)`; {@link EdmProcess.precondition} gives the four coefficients.
 */
export class EdmProcess extends BaseForwardProcess {
  readonly name: string;
  readonly pMean: number;
  readonly pStd: number;
  readonly sigmaData: number;

  constructor(options: EdmOptions = {}) {
    super();
    this.pMean = checkNumber('pMean', options.pMean ?? -1.2);
    this.pStd = checkNumber('pStd', options.pStd ?? 1.2, { greaterThan: 0 });
    this.sigmaData = checkNumber('sigmaData', options.sigmaData ?? 0.5, { greaterThan: 0 });
    const kwargs: Record<string, number> = this.sigmaData === 0.5 ? {} : { sigmaData: this.sigmaData };
    this.name = formatSpec({ name: 'edm', args: [this.pMean, this.pStd], kwargs });
  }

  /** F^{-1}(t) = P_m + P_s Phi^{-1}(t) = log sigma_t. */
  logSigma(t: number): number {
    return this.pMean + this.pStd * normalQuantile(t);
  }

  /** The density of log sigma ~ N(P_m, P_s^2) at F^{-1}(t): dt / d log sigma. */
  private logSigmaDensity(t: number): number {
    return normalPdf(normalQuantile(t)) / this.pStd;
  }

  protected coefA(_t: number): number {
    return 1;
  }
  protected coefB(t: number): number {
    return Math.exp(this.logSigma(t));
  }
  protected coefDa(_t: number): number {
    return 0;
  }
  protected coefDb(t: number): number {
    return this.coefB(t) / this.logSigmaDensity(t);
  }
  protected override coefLambda(t: number): number {
    return -2 * this.logSigma(t);
  }
  protected override coefDlambda(t: number): number {
    return -2 / this.logSigmaDensity(t);
  }

  protected override preconditioning(t: number): Preconditioning {
    const sigma = this.coefB(t);
    const sd = this.sigmaData;
    const total = sigma * sigma + sd * sd;
    const cOut = Number.isFinite(sigma) ? (sigma * sd) / Math.sqrt(total) : sd;
    return { cSkip: (sd * sd) / total, cOut, cIn: 1 / Math.sqrt(total), cNoise: Math.log(sigma) / 4, sigma, sigmaData: sd };
  }
}
