/**
 * Evaluation of a trained run with @rectiflow/eval: prompt adherence on the `shapes`
 * evaluation prompts (generated with the run's sampler settings and EMA weights), used by
 * the trainer's scheduled evaluations, `rectiflow-eval` and the bench.
 */
import type { Autoencoder, TextEncoder, VelocityFn } from '@rectiflow/core';
import { type AdherenceSummary, evaluatePromptAdherence, type ShapesImageScore } from '@rectiflow/eval';
import { generate, imageArrays } from './generate';

/** How images are sampled for an evaluation. */
export interface EvalSampling {
  steps: number;
  solver: string;
  guidance: number;
  shift: number;
}

/** The parts of a model an evaluation samples from. */
export interface EvalModel {
  model: VelocityFn;
  textEncoder: TextEncoder;
  autoencoder: Autoencoder;
  latentShape: readonly [number, number, number];
}

/** One evaluation's results. */
export interface EvaluationResult {
  /** Prompt adherence (shapes datasets). */
  adherence?: AdherenceSummary;
  scores?: ShapesImageScore[];
  /** Seconds it took. */
  seconds: number;
}

/** Whether a dataset spec is `shapes(...)`. */
export function isShapesDataset(spec: string): boolean {
  return /^\s*shapes\b/.test(spec);
}

/** Evaluate a model of a run trained on `dataset`. `seeds`: noise seeds per prompt (default [0, 1]). */
export async function evaluateModel(
  parts: EvalModel,
  dataset: string,
  sampling: EvalSampling,
  seeds: readonly number[] = [0, 1],
): Promise<EvaluationResult> {
  const start = performance.now();
  const result: EvaluationResult = { seconds: 0 };
  if (isShapesDataset(dataset)) {
    const [, h, w] = parts.latentShape;
    const f = parts.autoencoder.downsampleFactor;
    const { summary, scores } = await evaluatePromptAdherence(
      (prompts, seed) => {
        const { images } = generate({ ...parts, ...sampling, prompts, seed });
        try {
          return imageArrays(images);
        } finally {
          images.dispose();
        }
      },
      { height: h * f, width: w * f, seeds },
    );
    result.adherence = summary;
    result.scores = scores;
  }
  result.seconds = (performance.now() - start) / 1000;
  return result;
}
