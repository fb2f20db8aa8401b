/**
 * The loss weightings w_t of the paper's section 2 table, for the general objective
 * L_w = -1/2 E_{t ~ U(0,1), eps}[w_t lambda'_t ||eps_hat - eps||^2].
 */
import { type ForwardProcess, invalid, type TimestepSampler } from '@rectiflow/core';
import { CosineProcess, EdmProcess, LdmLinearProcess, normalPdf } from '@rectiflow/schedules';
import { ScalarWeighting } from './scalar-weighting';

/** Rectified flow: w_t = t / (1 - t); with it, L_w is the plain velocity MSE. */
export function rfWeighting(): ScalarWeighting {
  return new ScalarWeighting('rf', (t) => t / (1 - t));
}

/**
 * EDM: w_t = N(lambda_t; -2 P_m, (2 P_s)^2) (e^{-lambda_t} + sigma_data^2), with lambda_t the
 * EDM process's (N is the normal density with standard deviation 2 P_s). Equals Karras et al.'s
 * loss up to the constant sigma_data^2 / 2.
 */
export function edmWeighting(pMean = -1.2, pStd = 1.2, sigmaData = 0.5): ScalarWeighting {
  const process = new EdmProcess({ pMean, pStd, sigmaData });
  const sd2 = sigmaData * sigmaData;
  return new ScalarWeighting(process.name, (t) => {
    const lambda = process.lambda(t);
    const density = normalPdf((lambda + 2 * pMean) / (2 * pStd)) / (2 * pStd);
    return density * (Math.exp(-lambda) + sd2);
  });
}

/** Cosine schedule with an eps loss: w_t = sech(lambda_t / 2) (= pi times the plain eps MSE). */
export function epsCosineWeighting(): ScalarWeighting {
  const cos = new CosineProcess();
  return new ScalarWeighting('eps/cos', (t) => 1 / Math.cosh(cos.lambda(t) / 2));
}

/** Cosine schedule with a v loss: w_t = e^{-lambda_t / 2} (= pi/2 times the plain v MSE). */
export function vCosineWeighting(): ScalarWeighting {
  const cos = new CosineProcess();
  return new ScalarWeighting('v/cos', (t) => Math.exp(-cos.lambda(t) / 2));
}

function checkVp(process: ForwardProcess): void {
  const t = 0.5;
  const s = process.a(t) ** 2 + process.b(t) ** 2;
  if (Math.abs(s - 1) > 1e-9) invalid('process', process.name, 'a variance-preserving process (a_t^2 + b_t^2 = 1), e.g. ldm-linear');
}

/**
 * A variance-preserving schedule (default `ldm-linear`) with the plain eps MSE:
 * w_t = -2 / lambda'_t, so -1/2 w_t lambda'_t = 1.
 */
export function epsLinearWeighting(process: ForwardProcess = new LdmLinearProcess()): ScalarWeighting {
  checkVp(process);
  const name = process.name === new LdmLinearProcess().name ? 'eps/linear' : `eps/linear(${JSON.stringify(process.name)})`;
  return new ScalarWeighting(name, (t) => -2 / process.dlambda(t));
}

/**
 * A variance-preserving schedule (default `ldm-linear`) with the plain v MSE of Salimans & Ho
 * (v = a eps - b x0): w_t = -2 (1 + e^{-lambda_t}) / lambda'_t, so -1/2 w_t lambda'_t = 1/a_t^2.
 * The same rule gives the cosine's e^{-lambda/2} up to the constant pi/2.
 */
export function vLinearWeighting(process: ForwardProcess = new LdmLinearProcess()): ScalarWeighting {
  checkVp(process);
  const name = process.name === new LdmLinearProcess().name ? 'v/linear' : `v/linear(${JSON.stringify(process.name)})`;
  return new ScalarWeighting(name, (t) => (-2 * (1 + Math.exp(-process.lambda(t)))) / process.dlambda(t));
}

/**
 * The timestep-density reweighting w^pi_t = t / (1 - t) pi(t): rectified flow with t ~ pi
 * equals, in expectation, the weighted objective with this weighting and t ~ U(0, 1).
 */
export function densityWeighting(sampler: TimestepSampler): ScalarWeighting {
  if (typeof sampler?.density !== 'function') invalid('sampler', sampler, 'a TimestepSampler with a density(t)');
  return new ScalarWeighting(`density(${sampler.name})`, (t) => (t / (1 - t)) * sampler.density(t));
}
