/**
 * @rectiflow/eval: how well a text-to-image model does what its prompts say.
 * @packageDocumentation
 */

export { type AdherenceSummary, type AttributeRates, adherenceTable, summarizeAdherence } from './adherence-summary';
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
export { BLOB_IOU, classifyShape, fitKind, type ShapeClassification, type ShapeFit, templateIoU } from './fit-shape';
export { type FeatureStatistics, featureStatistics, frechetDistance } from './frechet-distance';
export { headAccuracies, predictHeads } from './head-accuracy';
export { forEachImageBatch, type ImageSet, imageCount } from './image-batches';
export { evaluatePromptAdherence, type ImageGenerator, type PromptAdherenceOptions, type PromptAdherenceResult } from './prompt-adherence';
export {
  type DetectedShape,
  positionCell,
  SHAPES_ATTRIBUTES,
  type ShapesAttribute,
  type ShapesImageScore,
  SIZE_THRESHOLD,
  scoreShapesImage,
} from './score-shapes-image';
export { type SegmentedObject, type SegmentOptions, segmentObjects, unmixColors } from './segment-objects';
export { type ShapesEvalPrompt, shapesEvalPrompts } from './shapes-eval-prompts';
export { SHAPES_FEATURE_HEADS, SHAPES_FEATURE_NET_CONFIG, shapesFeatureTargets } from './shapes-feature-targets';
export { type SymmetricEigen, symmetricEigen, symmetricFunction } from './symmetric-eigen';
export { type FeatureNetStep, type TrainFeatureNetOptions, type TrainFeatureNetResult, trainFeatureNet } from './train-feature-net';
export { type ValidationBatch, type ValidationLossOptions, type ValidationLossResult, validationLoss } from './validation-loss';
