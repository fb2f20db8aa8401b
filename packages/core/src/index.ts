/**
 * @rectiflow/core: the runtime every Rectiflow package shares: the tfjs instance and
 * backend choice, the seeded RNG, the plugin registry, errors, and the interfaces that
 * schedules, samplers, losses, models, solvers and adapters implement.
 * @packageDocumentation
 */

export {
  BACKEND_CHOICES,
  type BackendAttempt,
  type BackendChoice,
  type BackendInfo,
  BackendUnavailableError,
  backendOrder,
  getBackendInfo,
  type InitBackendOptions,
  initBackend,
  isNodeRuntime,
} from './backend';
export { definePlugin, type ParamsOf, type ParamValue, type TypedPluginDefinition } from './define-plugin';
export { ENVIRONMENT_VARIABLES, type EnvironmentVariable, environmentHelp } from './environment';
export { formatValue, invalid, NonFiniteError, RectiflowError, ValidationError } from './errors';
export { fieldError, withField, withFieldAsync } from './field-error';
export { importPlugins } from './import-plugins';
export type { Autoencoder, LatentDistribution } from './interfaces/autoencoder';
export type { ForwardProcess, Parameterization, ProcessCoefficients } from './interfaces/forward-process';
export type { LossWeighting } from './interfaces/loss-weighting';
export type { OdeSolver, SolveOptions, SolveResult, SolverStep, VectorField, VectorOps } from './interfaces/ode-solver';
export { isSerialisable, missingSerialisable, type Serialisable } from './interfaces/serialisable';
export type { TextEncoder, TextEncoding, TrainableTextEncoder } from './interfaces/text-encoder';
export type { TimestepSampler } from './interfaces/timestep-sampler';
export { isTrainable, type Trainable } from './interfaces/trainable';
export type { Conditioning, ModelCallOptions, TrainableVelocityModel, VelocityFn, VelocityModel } from './interfaces/velocity-model';
export { describeIoError } from './io-error';
export { checkFits, formatBytes, largestFitting, type MemoryBudget, memoryBudget } from './memory-budget';
export type { PluginKinds } from './plugin-kinds';
export {
  create,
  createAsync,
  type ParamDef,
  type ParamType,
  PluginArgumentError,
  type PluginDefinition,
  type PluginKind,
  type PluginOf,
  type PluginParams,
  type RegisterOptions,
  Registry,
  register,
  registerBuiltin,
  registry,
  UnknownPluginError,
} from './registry';
export { createRng, type Rng, type RngState, rngFromState } from './rng';
export { formatSpec, formatSpecValue, parseSpec, type SpecNode, SpecSyntaxError, type SpecValue } from './spec';
export { withDefaults } from './spec-defaults';
export { tf } from './tf';
export {
  assertFinite,
  assertFiniteNumber,
  checkNumber,
  checkShape,
  describeNumber,
  type NumberConstraints,
} from './validate';
export { checkWeights, WeightMismatchError, type WeightProblem, weightProblems } from './weight-mismatch-error';
