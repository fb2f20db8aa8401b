/**
 * @rectiflow/solvers: ODE solvers (Euler, Heun, midpoint, RK4, DPM-Solver++(2M), SD3's
 * dpmpp_2m, adaptive dopri5) on tfjs tensors or Float64Array, SD3 sigma grids, guided
 * sampling with classifier-free and skip-layer guidance, img2img, and flow log-likelihoods.
 * Importing the package registers the solvers as `solver` plugins.
 * @packageDocumentation
 */
export { type Dopri5Options, Dopri5Solver, StepLimitError } from './dopri5';
export { DpmSolverPP2M, flowHalfLogSnr } from './dpmpp-2m';
export { Sd3DpmPP2M, veHalfLogSnr } from './dpmpp-2m-sd3';
export { EulerSolver } from './euler';
export { checkFiniteState, type Stepper, type StepperFactory, solveFixedStep } from './fixed-step';
export { float64Ops } from './float64-ops';
export { checkGrid, type GridConstraints } from './grid-checks';
export type { Guidance, SkipLayerGuidance } from './guided-velocity';
export { HeunSolver } from './heun';
export { noiseLatent, truncateGrid } from './img2img';
export { type LogLikelihoodOptions, type LogLikelihoodResult, logLikelihood } from './log-likelihood';
export { MidpointSolver } from './midpoint';
export { Rk4Solver } from './rk4';
export { type SampleCallback, type SampleOptions, type SampleResult, sample, sampleWithStats } from './sample';
export { correctedSd3Sigmas, diffusersSigmas, sd3Sigmas } from './sd3-sigmas';
export { createSolver, SOLVER_NAMES } from './solver-plugins';
export { tensorOps } from './tensor-ops';
export { customGrid, shiftedGrid, uniformGrid } from './time-grid';
export { velocityFn } from './velocity-fn';
