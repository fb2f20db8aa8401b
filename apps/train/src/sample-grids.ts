/**
 * The sample grids of a run: a grid of the sample prompts every `sampleEvery` steps and the
 * final grid of held-out prompts, drawn with the EMA weights and the sampling settings of
 * the configuration, written as PNG with the colour adherence where the dataset measures it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { create } from '@rectiflow/core';
import type { Dataset } from '@rectiflow/data';
import '@rectiflow/data/node';
import type { Ema } from '@rectiflow/optim';
import { gridPng, imageArrays, textToImage } from '@rectiflow/pipeline';
import type { Components } from './components';
import type { TrainConfig } from './config';
import type { SampleRecord } from './report';

/** How many prompts the periodic grids take from the dataset's captions when nothing names them. */
const CAPTION_PROMPTS = 8;

/**
 * Prompts of the periodic sample grids: the configuration's `samplePrompts`, else the
 * dataset's own (shapes: eight shape prompts; mnist: one per digit), else its first distinct
 * captions.
 */
export function samplePrompts(dataset: Dataset, config: Pick<TrainConfig, 'samplePrompts'>): string[] {
  if (config.samplePrompts?.length) return [...config.samplePrompts];
  const own = dataset.samplePrompts?.();
  if (own?.length) return own;
  const captions: string[] = [];
  for (let i = 0; i < Math.min(dataset.size, 64 * CAPTION_PROMPTS) && captions.length < CAPTION_PROMPTS; i++) {
    const caption = dataset.get(i).caption;
    if (!captions.includes(caption)) captions.push(caption);
  }
  return captions;
}

/** The sample prompts of a run's configuration, creating its dataset when the configuration names none. */
export function configSamplePrompts(config: Pick<TrainConfig, 'samplePrompts' | 'dataset'>): string[] {
  if (config.samplePrompts?.length) return [...config.samplePrompts];
  return samplePrompts(create('dataset', config.dataset) as Dataset, config);
}

/**
 * Prompts the final grid uses: captions the dataset holds out (shapes: its test split), else
 * the sample prompts of the run.
 */
export function heldOutPrompts(dataset: Dataset, config: Pick<TrainConfig, 'seed' | 'samplePrompts'>, count = 16): string[] {
  return dataset.heldOutPrompts?.(count, config.seed) ?? samplePrompts(dataset, config);
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
    const prompts = this.parts.samplePrompts;
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
