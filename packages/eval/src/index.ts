/**
 * @rectiflow/eval: how well a text-to-image model does what its prompts say.
 * @packageDocumentation
 */

export { type AdherenceSummary, type AttributeRates, adherenceTable, summarizeAdherence } from './adherence-summary';
export { BLOB_IOU, classifyShape, fitKind, type ShapeClassification, type ShapeFit, templateIoU } from './fit-shape';
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
export { type ValidationBatch, type ValidationLossOptions, type ValidationLossResult, validationLoss } from './validation-loss';
