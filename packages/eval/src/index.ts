/**
 * @rectiflow/eval: how well a text-to-image model does what its prompts say.
 * @packageDocumentation
 */

// --- Distribution metric and shipped feature networks (branch eval-features) ---
export { digitAccuracy, isMnistHeldOut, MNIST_FEATURE_NET_CONFIG } from './digit-accuracy';
export { extractFeatures, type FeatureOptions, featureStatisticsOf, frechetFeatureDistance } from './distribution-metric';
export {
  FEATURE_NET_FORMAT,
  type FeatureHead,
  FeatureNet,
  type FeatureNetConfig,
  featureNetWeightShapes,
  loadFeatureNet,
  serializeFeatureNet,
} from './feature-net';
export { type FeatureStatistics, featureStatistics, frechetDistance } from './frechet-distance';
export { headAccuracies, predictHeads } from './head-accuracy';
export { forEachImageBatch, type ImageSet, imageCount } from './image-batches';
export { SHAPES_FEATURE_HEADS, SHAPES_FEATURE_NET_CONFIG, shapesFeatureTargets } from './shapes-feature-targets';
export { type SymmetricEigen, symmetricEigen, symmetricFunction } from './symmetric-eigen';
export { type FeatureNetStep, type TrainFeatureNetOptions, type TrainFeatureNetResult, trainFeatureNet } from './train-feature-net';
// --- end eval-features ---
