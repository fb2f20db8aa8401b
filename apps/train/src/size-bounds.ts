/**
 * Sizes the user gives (model depth and width, batch size, text-encoder width, image size,
 * solver steps) are checked against the backend's memory before anything is allocated,
 * from an estimate of the parameters and the largest activations. The error says what fits.
 */
import { totalmem } from 'node:os';
import { RectiflowError, tf } from '@rectiflow/core';
import type { MMDiTConfig } from '@rectiflow/mmdit';

const GiB = 1024 ** 3;

/** The memory the tensors may use: the wasm heap (4 GiB) or half of this machine's memory. */
export function memoryBudget(): { bytes: number; where: string } {
  const backend = tf.getBackend();
  if (backend === 'wasm') return { bytes: 4 * GiB, where: 'the wasm heap (4 GiB)' };
  const bytes = totalmem() / 2;
  return { bytes, where: `half of this machine's memory (${(bytes / GiB).toFixed(1)} GiB)` };
}

/** Parameters of an MM-DiT (weights only; the position table is counted too). */
export function mmditParameters(
  c: Pick<
    MMDiTConfig,
    'depth' | 'hidden' | 'mlpHidden' | 'patchSize' | 'inChannels' | 'contextDim' | 'pooledDim' | 'posEmbedMaxSize' | 'frequencyDim'
  >,
): number {
  const h = c.hidden;
  const pp = c.patchSize * c.patchSize * c.inChannels;
  const embed = pp * h + c.posEmbedMaxSize ** 2 * h + c.frequencyDim * h + h * h + (c.pooledDim ?? 0) * h + h * h + (c.contextDim ?? 0) * h;
  const block = 2 * (6 * h * h + 4 * h * h + 2 * h * c.mlpHidden);
  return embed + c.depth * block + 2 * h * h + h * pp;
}

/** Bytes one training step needs, roughly: weights, gradients, AdamW moments, EMA and a snapshot, plus activations. */
export function trainingBytes(options: {
  parameters: number;
  batch: number;
  tokens: number;
  hidden: number;
  depth: number;
  heads: number;
}): number {
  const { parameters, batch, tokens, hidden, depth, heads } = options;
  const activations = depth * batch * (24 * tokens * hidden + 3 * heads * tokens * tokens);
  return 4 * (6 * parameters + activations);
}

/** Bytes one sampling batch needs (with guidance, the batch is doubled): weights plus one block's activations. */
export function samplingBytes(options: { parameters: number; batch: number; tokens: number; hidden: number; heads: number }): number {
  const { parameters, batch, tokens, hidden, heads } = options;
  return 4 * (parameters + 2 * batch * (16 * tokens * hidden + 2 * heads * tokens * tokens));
}

const gib = (bytes: number) =>
  bytes / GiB < 0.1
    ? `${(bytes / 1024 ** 2).toFixed(0)} MiB`
    : bytes / GiB < 1000
      ? `${(bytes / GiB).toFixed(1)} GiB`
      : `${Math.round(bytes / GiB).toLocaleString('en-US')} GiB`;

/**
 * The most items a dataset may have: the loader shuffles an index of every item each epoch
 * (4 bytes an item), which past this takes minutes and gigabytes before the first step.
 */
export const MAX_DATASET_ITEMS = 50_000_000;

/** The most solver steps and prompts of the sample grids drawn during training. */
export const MAX_SAMPLE_STEPS = 1000;
export const MAX_SAMPLE_PROMPTS = 256;

/** Refuse sample grids that would stall training (every `sampleEvery` steps, Ctrl-C waits for them). */
export function checkSampleGrid(config: { sampleSteps: number; samplePrompts: readonly string[] }): void {
  if (config.sampleSteps > MAX_SAMPLE_STEPS) {
    throw new RectiflowError(`sampleSteps: got ${config.sampleSteps}; expected at most ${MAX_SAMPLE_STEPS}`);
  }
  if (config.samplePrompts.length > MAX_SAMPLE_PROMPTS) {
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

/** Throw a one-line error naming `field` when `bytes` exceed the budget; `fits` says what would fit. */
export function checkFits(field: string, value: string, bytes: number, fits: string): void {
  const budget = memoryBudget();
  if (Number.isFinite(bytes) && bytes <= budget.bytes) return;
  throw new RectiflowError(`${field}: ${value} needs about ${gib(bytes)}, more than ${budget.where}; ${fits}`);
}

/** The largest n in [1, max] with fits(n), or 0. */
export function largestFitting(max: number, fits: (n: number) => boolean): number {
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
