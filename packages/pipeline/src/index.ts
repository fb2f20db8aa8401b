/**
 * @rectiflow/pipeline: text to image with any Rectiflow parts, in numbered stages (check inputs,
 * encode prompts, prepare latents or an img2img start, time grid, denoise with `onStep`,
 * decode), and sample sheets. Runtime-neutral.
 * @packageDocumentation
 */
export { gridPng, imageArrays } from './image-grid';
export {
  type CheckpointFiles,
  checkpointFilesFromMap,
  checkpointFilesFromUrl,
  type LoadedRun,
  type LoadRunOptions,
  loadRunFromFiles,
  parseRunState,
  RUN_STATE_KEYS,
  type RunCheckpointState,
  type RunConfig,
  runSamplingParts,
  runWeightFiles,
} from './run-checkpoint';
export { type RunPartsConfig, runAutoencoder, runFormulation, runFormulationSpec, runSamplingShift } from './run-parts';
export { type StepInfo, TEXT_TO_IMAGE_LIMITS, type TextToImageOptions, type TextToImageResult, textToImage } from './text-to-image';
