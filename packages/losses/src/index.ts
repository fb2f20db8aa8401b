/**
 * @rectiflow/losses: the paper's weighted objective and its loss weightings, the conditional
 * flow-matching loss, paper-style formulation specs (`rf/lognorm(0.00, 1.00)`) and the
 * loss-by-noise-level diagnostic.
 * @packageDocumentation
 */

export { DIFFUSERS_WEIGHTING_SCHEMES, type DiffusersWeightingScheme, diffusersWeighting } from './diffusers-weighting';
export { type FlowMatchingLossOptions, type FlowMatchingLossResult, flowMatchingLoss, type LossModel } from './flow-matching-loss';
export type { Formulation } from './formulation';
export { createFormulation, FormulationSpecError, registerFormulations, validFormulations } from './formulation-plugins';
export { formulationVelocity, processTimeOf } from './formulation-velocity';
export { END_OFFSET, lossMultiplier } from './loss-multiplier';
export { createLossWeighting, registerLossWeightings } from './loss-weighting-plugins';
export { lossByNoiseLevel, type NoiseLevelBin, NoiseLevelTracker } from './noise-level-loss';
export { ScalarWeighting } from './scalar-weighting';
export { weightedObjective } from './weighted-objective';
export {
  densityWeighting,
  edmWeighting,
  epsCosineWeighting,
  epsLinearWeighting,
  rfWeighting,
  vCosineWeighting,
  vLinearWeighting,
} from './weightings';
