/**
 * Bounds of the training app's own sizes (sample grids, dataset items), checked before
 * anything is allocated. The memory budget and `checkFits` live in `@rectiflow/core`, the
 * MM-DiT estimates in `@rectiflow/mmdit`.
 */
import { RectiflowError } from '@rectiflow/core';

/**
 * The most items a dataset may have: the loader shuffles an index of every item each epoch
 * (4 bytes an item), which past this takes minutes and gigabytes before the first step.
 */
export const MAX_DATASET_ITEMS = 50_000_000;

/** The most solver steps and prompts of the sample grids drawn during training. */
export const MAX_SAMPLE_STEPS = 1000;
export const MAX_SAMPLE_PROMPTS = 256;

/** Refuse sample grids that would stall training (every `sampleEvery` steps, Ctrl-C waits for them). */
export function checkSampleGrid(config: { sampleSteps: number; samplePrompts?: readonly string[] }): void {
  if (config.sampleSteps > MAX_SAMPLE_STEPS) {
    throw new RectiflowError(`sampleSteps: got ${config.sampleSteps}; expected at most ${MAX_SAMPLE_STEPS}`);
  }
  if (config.samplePrompts && config.samplePrompts.length > MAX_SAMPLE_PROMPTS) {
    throw new RectiflowError(`samplePrompts: got ${config.samplePrompts.length} prompts; expected at most ${MAX_SAMPLE_PROMPTS}`);
  }
}

/** Refuse a dataset larger than {@link MAX_DATASET_ITEMS}. */
export function checkDatasetSize(spec: string, size: number): void {
  if (size <= MAX_DATASET_ITEMS) return;
  throw new RectiflowError(
    `dataset: ${spec} has ${size.toLocaleString('en-US')} items; at most ${MAX_DATASET_ITEMS.toLocaleString('en-US')} (the loader shuffles an index of every item)`,
  );
}
