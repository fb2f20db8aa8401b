/**
 * Prompt adherence of a text-to-image model on `shapes`: generate every evaluation prompt
 * with each seed, score every image, summarise. The model is any function from prompts
 * and a seed to images, so this works for any pipeline.
 */
import { checkNumber, invalid } from '@rectiflow/core';
import { type AdherenceSummary, summarizeAdherence } from './adherence-summary';
import { type ShapesImageScore, scoreShapesImage } from './score-shapes-image';
import { type ShapesEvalPrompt, shapesEvalPrompts } from './shapes-eval-prompts';

/** Generates CHW RGB images in [-1, 1], one per prompt, from a noise seed. */
export type ImageGenerator = (prompts: readonly string[], seed: number) => Float32Array[] | Promise<Float32Array[]>;

/** Options of {@link evaluatePromptAdherence}. */
export interface PromptAdherenceOptions {
  /** Image height and width. Default 32. */
  height?: number;
  width?: number;
  /** The prompts. Default {@link shapesEvalPrompts}(). */
  prompts?: readonly ShapesEvalPrompt[];
  /** Noise seeds; every prompt is generated once per seed. Default [0, 1]. */
  seeds?: readonly number[];
  /** Prompts per generator call. Default 32. */
  batchSize?: number;
}

/** Scores of every image and their summary. */
export interface PromptAdherenceResult {
  summary: AdherenceSummary;
  scores: ShapesImageScore[];
}

/** Generate and score the evaluation prompts. */
export async function evaluatePromptAdherence(
  generate: ImageGenerator,
  options: PromptAdherenceOptions = {},
): Promise<PromptAdherenceResult> {
  const height = checkNumber('height', options.height ?? 32, { integer: true, min: 8, max: 1024 });
  const width = checkNumber('width', options.width ?? 32, { integer: true, min: 8, max: 1024 });
  const prompts = options.prompts ?? shapesEvalPrompts();
  const seeds = options.seeds ?? [0, 1];
  const batchSize = checkNumber('batchSize', options.batchSize ?? 32, { integer: true, min: 1, max: 4096 });
  if (prompts.length === 0) invalid('prompts', prompts.length, 'at least one prompt');
  if (seeds.length === 0) invalid('seeds', seeds, 'at least one seed');
  const scores: ShapesImageScore[] = [];
  const unseen: boolean[] = [];
  for (const seed of seeds) {
    for (let start = 0; start < prompts.length; start += batchSize) {
      const batch = prompts.slice(start, start + batchSize);
      // Image i of the batch uses noise seed `seed * 100003 + start + i` (the generator adds i).
      const images = await generate(
        batch.map((p) => p.prompt),
        seed * 100_003 + start,
      );
      if (images.length !== batch.length) invalid('generated images', images.length, `one per prompt (${batch.length})`);
      images.forEach((image, i) => {
        scores.push(scoreShapesImage(image, height, width, batch[i].prompt));
        unseen.push(batch[i].unseen);
      });
    }
  }
  return { summary: summarizeAdherence(scores, unseen), scores };
}
