/**
 * Builds the parts of a training run from the configuration's spec strings: dataset,
 * autoencoder, text encoder, model and formulation. Sizes the spec leaves out (latent
 * channels, context width, position grid, the caption vocabulary) are filled in from the
 * other parts, so `mmdit(depth=2, patch=4)` is enough.
 */
import {
  type Autoencoder,
  checkFits,
  create,
  largestFitting,
  memoryBudget,
  type ParamsOf,
  parseSpec,
  RectiflowError,
  registry,
  type SpecNode,
  type TextEncoder,
  type TrainableTextEncoder,
  type TrainableVelocityModel,
  withDefaults,
  withField,
} from '@rectiflow/core';
import type { Dataset } from '@rectiflow/data';
import '@rectiflow/data/node';
import type { Formulation } from '@rectiflow/losses';
import { type MMDIT_PLUGIN_PARAMS, mmditParameters, resolveMMDiTConfig, trainingBytes } from '@rectiflow/mmdit';
import { runAutoencoder, runFormulation, runSamplingShift } from '@rectiflow/pipeline';
// Registers the built-in text encoders (small-text, ...).
import '@rectiflow/text-encoders';
import { checkTrainable } from './capability-check';
import type { TrainConfig } from './config';
import { samplePrompts } from './sample-grids';
import { checkDatasetSize, checkSampleGrid } from './size-bounds';

const budgetBytes = () => memoryBudget().bytes;

/** Tokens per prompt assumed in the memory bound for a text encoder that does not say (CLIP's 77). */
const DEFAULT_TEXT_LENGTH = 77;

/** Up to `limit` captions of a dataset (the text encoder's vocabulary is built from them). */
export function datasetCaptions(dataset: Dataset, limit = 2000): string[] {
  const n = Math.min(limit, dataset.size);
  return Array.from({ length: n }, (_, i) => dataset.get(Math.floor((i * dataset.size) / n)).caption);
}

/** Everything a run trains or uses. */
export interface Components {
  dataset: Dataset;
  autoencoder: Autoencoder;
  /** Trained with the model: Trainable and Serialisable. */
  textEncoder: TrainableTextEncoder;
  /** Trainable and Serialisable (see capability-check.ts). */
  model: TrainableVelocityModel;
  formulation: Formulation;
  /** The latent shape [C, h, w] the model sees. */
  latentShape: [number, number, number];
  /** The time shift of the formulation, which sampling uses too. */
  shift: number;
  /** Prompts of the periodic sample grids (the configuration's, else the dataset's). */
  samplePrompts: string[];
}

/** Build the components of a run. */
export async function buildComponents(config: TrainConfig, vocabularyCaptions?: string[]): Promise<Components> {
  checkSampleGrid(config);
  const shift = runSamplingShift(config);
  const dataset = withField('dataset', () => create('dataset', config.dataset) as Dataset);
  checkDatasetSize(config.dataset, dataset.size);
  const gridPrompts = samplePrompts(dataset, config);
  const autoencoder = await runAutoencoder(config, dataset.channels);
  if (autoencoder.imageChannels !== dataset.channels) {
    autoencoder.dispose();
    throw new RectiflowError(
      `autoencoder: ${autoencoder.name} takes ${autoencoder.imageChannels}-channel images; the dataset has ${dataset.channels}`,
    );
  }
  const f = autoencoder.downsampleFactor;
  const latentShape: [number, number, number] = [autoencoder.latentChannels, dataset.height / f, dataset.width / f];
  const captions = vocabularyCaptions ?? [...datasetCaptions(dataset), ...gridPrompts];
  let textEncoder: TextEncoder;
  try {
    textEncoder = withField('textEncoder', () => {
      const textSpec = withDefaults('text-encoder', config.textEncoder, { captions, seed: config.seed });
      checkTextEncoderFits(config, textSpec);
      return create('text-encoder', textSpec);
    });
  } catch (e) {
    autoencoder.dispose();
    throw e;
  }
  try {
    checkTrainable('textEncoder', config.textEncoder, textEncoder);
  } catch (e) {
    textEncoder.dispose();
    autoencoder.dispose();
    throw e;
  }
  const trainableText = textEncoder;
  let modelSpecChecked: SpecNode;
  try {
    modelSpecChecked = withField('model', () =>
      checkModelFits(config, latentShape, {
        contextDim: trainableText.contextDim,
        pooledDim: trainableText.pooledDim,
        length: trainableText.length ?? DEFAULT_TEXT_LENGTH,
      }),
    );
  } catch (e) {
    textEncoder.dispose();
    autoencoder.dispose();
    throw e;
  }
  const model = withField('model', () => create('model', modelSpecChecked));
  try {
    checkTrainable('model', config.model, model);
  } catch (e) {
    model.dispose();
    trainableText.dispose();
    autoencoder.dispose();
    throw e;
  }
  const formulation = runFormulation(config);
  return { dataset, autoencoder, textEncoder: trainableText, model, formulation, latentShape, shift, samplePrompts: gridPrompts };
}

/** Bound the small text encoder's sizes before it is built. */
function checkTextEncoderFits(config: TrainConfig, spec: SpecNode): void {
  if (spec.name !== 'small-text') return;
  const { params } = registry.resolve('text-encoder', spec);
  const dim = params.dim as number;
  const depth = params.depth as number;
  const length = params.length as number;
  const bytes = (d: number) =>
    trainingBytes({
      parameters: 12 * d * d * depth + 4096 * d,
      batch: config.batchSize,
      tokens: length,
      hidden: d,
      depth,
      heads: params.heads as number,
    });
  const budget = budgetBytes();
  if (bytes(dim) <= budget) return;
  const fitDim = largestFitting(Math.min(dim, 1 << 20), (d) => bytes(d) <= budget);
  const fitBatch = largestFitting(
    config.batchSize,
    (b) =>
      trainingBytes({
        parameters: 12 * dim * dim * depth + 4096 * dim,
        batch: b,
        tokens: length,
        hidden: dim,
        depth,
        heads: params.heads as number,
      }) <= budget,
  );
  checkFits(
    'textEncoder',
    `${config.textEncoder} at batch size ${config.batchSize}`,
    bytes(dim),
    fitBatch ? `at most about batch size ${fitBatch} fits` : fitDim ? `at most about dim=${fitDim} fits` : 'lower depth or length',
  );
}

/**
 * The model spec with the sizes taken from the other parts, checked before anything is
 * allocated: the architecture is valid, the patch size divides the latent size, and
 * training fits in memory. Errors name `model` and say what is allowed.
 */
export function checkModelFits(
  config: TrainConfig,
  latentShape: [number, number, number],
  text: { contextDim: number; pooledDim: number; length: number },
): SpecNode {
  const modelSpec = parseSpec(config.model);
  const raw = Number(modelSpec.kwargs.patch ?? 2);
  const patch = Number.isInteger(raw) && raw >= 1 ? raw : 2;
  const spec = withDefaults('model', config.model, {
    channels: latentShape[0],
    contextDim: text.contextDim,
    pooledDim: text.pooledDim,
    posGrid: Math.ceil(Math.max(latentShape[1], latentShape[2]) / patch),
    seed: config.seed,
  });
  if (spec.name !== 'mmdit') return spec;
  let p: ParamsOf<typeof MMDIT_PLUGIN_PARAMS>;
  try {
    // Validated by the registry against MMDIT_PLUGIN_PARAMS, so typed by that list.
    p = registry.resolve('model', spec).params as ParamsOf<typeof MMDIT_PLUGIN_PARAMS>;
  } catch (e) {
    throw new RectiflowError(`model: ${config.model}: ${(e as Error).message}`);
  }
  const [, h, w] = latentShape;
  if (h % patch || w % patch) {
    const ok = [1, 2, 3, 4, 5, 6, 7, 8, 16].filter((d) => h % d === 0 && w % d === 0);
    throw new RectiflowError(
      `model: ${config.model} has patch=${patch}, which does not divide the ${h}x${w} latent; use patch=${ok.join(', ')}`,
    );
  }
  const resolved = (depth: number) =>
    resolveMMDiTConfig({
      depth,
      hidden: p.hidden || undefined,
      heads: p.heads || undefined,
      mlpRatio: p.mlpRatio,
      patchSize: patch,
      inChannels: p.channels,
      contextDim: p.contextDim,
      pooledDim: p.pooledDim,
      posEmbedMaxSize: p.posGrid,
    });
  let c: ReturnType<typeof resolveMMDiTConfig>;
  try {
    c = resolved(p.depth);
  } catch (e) {
    throw new RectiflowError(`model: ${config.model}: ${(e as Error).message}`);
  }
  const tokens = (h / patch) * (w / patch) + text.length;
  const bytes = (d: number) => {
    const r = d === c.depth ? c : resolved(d);
    return trainingBytes({
      parameters: mmditParameters(r),
      batch: config.batchSize,
      tokens,
      hidden: r.hidden,
      depth: r.depth,
      heads: r.heads,
    });
  };
  const budget = budgetBytes();
  if (bytes(c.depth) > budget) {
    const fitDepth = p.hidden ? 0 : largestFitting(Math.min(c.depth, 4096), (d) => bytes(d) <= budget);
    const fitBatch = largestFitting(
      config.batchSize,
      (b) =>
        trainingBytes({ parameters: mmditParameters(c), batch: b, tokens, hidden: c.hidden, depth: c.depth, heads: c.heads }) <= budget,
    );
    const fits = fitDepth
      ? `at most about depth=${fitDepth} fits at batch size ${config.batchSize}`
      : fitBatch
        ? `at most about batch size ${fitBatch} fits`
        : 'choose a smaller depth or hidden size';
    checkFits('model', `${config.model} at batch size ${config.batchSize}`, bytes(c.depth), fits);
  }
  return spec;
}

/** Text encoder type re-export for the apps. */
export type { TextEncoder };
