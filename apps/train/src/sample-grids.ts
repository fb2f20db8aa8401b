/**
 * The sample grids of a run: a grid of the sample prompts every `sampleEvery` steps and the
 * final grid of held-out prompts, drawn with the EMA weights and the sampling settings of
 * the configuration, written as PNG with the colour adherence where the dataset measures it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '@rectiflow/data';
import type { Ema } from '@rectiflow/optim';
import { gridPng, imageArrays, textToImage } from '@rectiflow/pipeline';
import type { Components } from './components';
import type { TrainConfig } from './config';
import type { SampleRecord } from './report';

/**
 * Prompts the final grid uses: captions the dataset holds out (shapes: its test split), else
 * the configuration's sample prompts.
 */
export function heldOutPrompts(dataset: Dataset, config: TrainConfig, count = 16): string[] {
  return dataset.heldOutPrompts?.(count, config.seed) ?? config.samplePrompts;
}

/** The grids of a run and their records (for the report; kept in checkpoints). */
export class SampleGrids {
  records: SampleRecord[] = [];

  constructor(
    private readonly parts: Components,
    private readonly config: TrainConfig,
    private readonly runDir: string,
    private readonly ema: Ema,
  ) {}

  /** Draw `prompts` into `file` (EMA weights unless `useEma` is false), without a record. */
  draw(prompts: readonly string[], file: string, useEma = true): { path: string; adherence?: number; nfe: number } {
    return writeSampleGrid(this.parts, this.config, this.runDir, prompts, file, useEma ? this.ema : undefined);
  }

  /** The periodic grid of the sample prompts at `step`. */
  atStep(step: number): void {
    const file = `samples/step-${String(step).padStart(7, '0')}.png`;
    const prompts = this.config.samplePrompts;
    this.records.push({ step, file, prompts: [...prompts], colorAdherence: this.draw(prompts, file).adherence });
  }

  /** The final grid of held-out prompts at `step`. */
  final(step: number): { path: string; adherence?: number } {
    const prompts = heldOutPrompts(this.parts.dataset, this.config);
    const file = 'samples/final.png';
    const { path, adherence } = this.draw(prompts, file);
    this.records.push({ step, file, prompts, colorAdherence: adherence });
    return { path, adherence };
  }
}

/**
 * Generate a grid for `prompts` (with the EMA weights when `ema` is given) and write it to
 * `file` under `runDir`; returns its path, colour adherence and number of model evaluations.
 */
export function writeSampleGrid(
  parts: Components,
  config: TrainConfig,
  runDir: string,
  prompts: readonly string[],
  file: string,
  ema?: Ema,
): { path: string; adherence?: number; nfe: number } {
  const { autoencoder, textEncoder, model, latentShape, dataset, formulation } = parts;
  const run = () =>
    textToImage({
      model: model.predict,
      formulation,
      textEncoder,
      autoencoder,
      prompts,
      latentShape,
      seed: config.sampleSeed,
      steps: config.sampleSteps,
      solver: config.sampleSolver,
      guidance: config.guidance,
      shift: parts.shift,
    });
  const { images, nfe } = ema ? ema.withWeights(run) : run();
  try {
    const adherence = dataset.promptAdherence ? dataset.promptAdherence(imageArrays(images), prompts) : undefined;
    const png = gridPng(images, Math.ceil(Math.sqrt(prompts.length)), prompts);
    const path = join(runDir, file);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, png);
    return { path, adherence, nfe };
  } finally {
    images.dispose();
  }
}
