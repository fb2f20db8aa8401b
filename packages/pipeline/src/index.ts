/**
 * @rectiflow/pipeline: text to image with any Rectiflow parts, in numbered stages (check inputs,
 * encode prompts, prepare latents or an img2img start, time grid, denoise with `onStep`,
 * decode), and sample sheets. Runtime-neutral.
 * @packageDocumentation
 */
export { gridPng, imageArrays } from './image-grid';
export { type StepInfo, TEXT_TO_IMAGE_LIMITS, type TextToImageOptions, type TextToImageResult, textToImage } from './text-to-image';
