/**
 * Evaluation of a trained model with @rectiflow/eval: prompt adherence on the `shapes`
 * evaluation prompts (generated with the run's sampler settings) and the validation loss
 * per t-decile on the dataset's held-out split. Used by the trainer's scheduled
 * evaluations, `rectiflow-eval` and the bench.
 */
import { type Autoencoder, create, createRng, registry, type TextEncoder, tf, type VelocityFn, withDefaults } from '@rectiflow/core';
import { createMnistDataset, createShapesDataset, type Dataset } from '@rectiflow/data';
import {
  type AdherenceSummary,
  digitAccuracy,
  evaluatePromptAdherence,
  type FeatureNet,
  type FeatureStatistics,
  featureStatisticsOf,
  frechetDistance,
  type ShapesImageScore,
  shapesEvalPrompts,
  type ValidationBatch,
  validationLoss,
} from '@rectiflow/eval';
import { loadShippedFeatureNet, type ShippedFeatureNetName } from '@rectiflow/eval/node';
import type { Formulation } from '@rectiflow/losses';
import { imageArrays, textToImage } from '@rectiflow/pipeline';

/** How images are sampled for an evaluation. */
export interface EvalSampling {
  steps: number;
  solver: string;
  guidance: number;
  shift: number;
}

/** The parts of a model an evaluation uses. */
export interface EvalModel {
  model: VelocityFn;
  textEncoder: TextEncoder;
  autoencoder: Autoencoder;
  latentShape: readonly [number, number, number];
  /** The training objective (for the validation loss). */
  formulation?: Formulation;
}

/** One evaluation, as a line of `metrics.jsonl` (`type: 'eval'`). */
export interface EvalRecord {
  type: 'eval';
  step: number;
  /** Noise seeds per prompt. */
  seeds: number;
  /** Sampler settings used. */
  sampling: EvalSampling;
  /** Prompt adherence (shapes datasets). */
  adherence?: AdherenceSummary;
  /** Validation loss per t-decile on the held-out split and its mean. */
  validation?: { byDecile: number[]; mean: number };
  /**
   * Frechet distance between the generated images and real held-out images, on the
   * features of the dataset's shipped feature net (@rectiflow/eval), and how many of each.
   */
  fd?: { value: number; generated: number; real: number };
  /** mnist: the fraction of samples of "the digit N" that the shipped classifier reads as N. */
  digitAccuracy?: number;
  /** Seconds the evaluation took. */
  seconds: number;
}

/** Real held-out images the Frechet distance compares against. */
export const FD_REFERENCE_IMAGES = 500;

const references = new Map<string, FeatureStatistics>();

/**
 * The shipped feature net (the caller disposes it) and the statistics of its real reference
 * images (computed once per process).
 */
async function reference(name: ShippedFeatureNetName): Promise<{ net: FeatureNet; real: FeatureStatistics }> {
  const net = await loadShippedFeatureNet(name);
  let real = references.get(name);
  if (!real) {
    const images: Float32Array[] = [];
    if (name === 'shapes') {
      const held = createShapesDataset({ count: FD_REFERENCE_IMAGES, seed: 7, split: 'test' });
      for (let i = 0; i < held.size; i++) images.push(held.get(i).image);
    } else {
      const mnist = createMnistDataset({ split: 'test' });
      for (let i = 0; i < Math.min(mnist.size, FD_REFERENCE_IMAGES); i++) images.push(mnist.get(i).image);
    }
    real = featureStatisticsOf(net, images);
    references.set(name, real);
  }
  return { net, real };
}

/** The Frechet distance of generated images to the dataset's real held-out images. */
async function distanceToReal(name: ShippedFeatureNetName, generated: Float32Array[]): Promise<{ fd: EvalRecord['fd']; net: FeatureNet }> {
  const { net, real } = await reference(name);
  return { net, fd: { value: frechetDistance(featureStatisticsOf(net, generated), real), generated: generated.length, real: real.count } };
}

/** Whether a dataset spec is `mnist(...)`. */
export function isMnistDataset(spec: string): boolean {
  return /^\s*mnist\b/.test(spec);
}

/** Whether a dataset spec is `shapes(...)`. */
export function isShapesDataset(spec: string): boolean {
  return /^\s*shapes\b/.test(spec);
}

/**
 * The held-out split of a dataset spec when its plugin has one (`split=test`), with `count`
 * examples; undefined otherwise.
 */
export function heldOutDataset(spec: string, count: number): Dataset | undefined {
  const node = withDefaults('dataset', spec, {});
  const params = registry.definition('dataset', node.name).params ?? [];
  if (!params.some((p) => p.name === 'split')) return undefined;
  const kwargs = { ...node.kwargs, split: 'test', ...(params.some((p) => p.name === 'count') ? { count } : {}) };
  return create('dataset', { ...node, kwargs }) as Dataset;
}

/** Validation loss of a model on `count` held-out examples (undefined without a held-out split). */
export function heldOutValidationLoss(parts: EvalModel, datasetSpec: string, count = 320, batchSize = 32): EvalRecord['validation'] {
  const held = parts.formulation && heldOutDataset(datasetSpec, count);
  if (!held || !parts.formulation) return undefined;
  const batches: ValidationBatch[] = [];
  const rng = createRng('validation/encode');
  try {
    for (let start = 0; start < count; start += batchSize) {
      const items = Array.from({ length: Math.min(batchSize, count - start) }, (_, i) => held.get(start + i));
      const x0 = tf.tidy(() => {
        const images = tf.tensor4d(
          items.flatMap((e) => Array.from(e.image)),
          [items.length, held.channels, held.height, held.width],
        );
        const dist = parts.autoencoder.encode(images, rng);
        return tf.keep(dist.mean);
      });
      const enc = parts.textEncoder.encode(items.map((e) => e.caption));
      if (enc.mask) enc.mask.dispose();
      batches.push({ x0, conditioning: { context: enc.context, pooled: enc.pooled } });
    }
    const r = validationLoss({ model: parts.model, formulation: parts.formulation, batches });
    return { byDecile: r.byDecile, mean: r.mean };
  } finally {
    for (const b of batches) tf.dispose([b.x0, b.conditioning?.context, b.conditioning?.pooled].filter((t) => t !== undefined));
  }
}

/** Evaluate a model trained on `dataset` at `step` with `seeds` noise seeds per prompt. */
export async function evaluateModel(
  parts: EvalModel,
  dataset: string,
  sampling: EvalSampling,
  step: number,
  seeds = 2,
): Promise<EvalRecord & { scores?: ShapesImageScore[] }> {
  const start = performance.now();
  const record: EvalRecord & { scores?: ShapesImageScore[] } = { type: 'eval', step, seeds, sampling, seconds: 0 };
  const generated: Float32Array[] = [];
  const run = (prompts: readonly string[], seed: number) => {
    const { images } = textToImage({ ...parts, ...sampling, prompts, seed });
    try {
      const arrays = imageArrays(images);
      generated.push(...arrays);
      return arrays;
    } finally {
      images.dispose();
    }
  };
  if (isShapesDataset(dataset)) {
    const [, h, w] = parts.latentShape;
    const f = parts.autoencoder.downsampleFactor;
    const { summary, scores } = await evaluatePromptAdherence(run, {
      height: h * f,
      width: w * f,
      seeds: Array.from({ length: seeds }, (_, i) => i),
      // Seen vs unseen combinations only mean something when the run held them out.
      prompts: shapesEvalPrompts().map((p) => ({ ...p, unseen: p.unseen && /holdout\s*=\s*["']?combos/.test(dataset) })),
    });
    record.adherence = summary;
    record.scores = scores;
    const { net, fd } = await distanceToReal('shapes', generated);
    net.dispose();
    record.fd = fd;
  } else if (isMnistDataset(dataset)) {
    // Ten samples of "the digit N" per digit and seed.
    const digits = Array.from({ length: 100 }, (_, i) => i % 10);
    for (let s = 0; s < seeds; s++) {
      for (let start = 0; start < digits.length; start += 50) {
        run(
          digits.slice(start, start + 50).map((d) => `the digit ${d}`),
          s * 100_003 + start,
        );
      }
    }
    const { net, fd } = await distanceToReal('mnist', generated);
    try {
      record.digitAccuracy = digitAccuracy(net, generated, Array.from({ length: seeds }, () => digits).flat());
    } finally {
      net.dispose();
    }
    record.fd = fd;
  }
  record.validation = heldOutValidationLoss(parts, dataset);
  record.seconds = (performance.now() - start) / 1000;
  return record;
}
