/**
 * Builds the parts of a training run from the configuration's spec strings: dataset,
 * autoencoder, text encoder, model and formulation. Sizes the spec leaves out (latent
 * channels, context width, position grid, the caption vocabulary) are filled in from the
 * other parts, so `mmdit(depth=2, patch=4)` is enough.
 */
import { loadSD3VAE } from '@rectiflow/autoencoders';
import {
  type Autoencoder,
  create,
  type ParamsOf,
  parseSpec,
  RectiflowError,
  registry,
  type SpecNode,
  type SpecValue,
  type TextEncoder,
  type TrainableTextEncoder,
  type TrainableVelocityModel,
} from '@rectiflow/core';
import type { Dataset } from '@rectiflow/data';
import '@rectiflow/data/node';
import type { Formulation } from '@rectiflow/losses';
import '@rectiflow/losses';
import { type MMDIT_PLUGIN_PARAMS, resolveMMDiTConfig } from '@rectiflow/mmdit';
// Registers the built-in text encoders (small-text, ...).
import '@rectiflow/text-encoders';
import { checkTrainable } from './capability-check';
import type { TrainConfig } from './config';
import { describeIoError } from './io-error';
import { checkDatasetSize, checkFits, checkSampleGrid, largestFitting, memoryBudget, mmditParameters, trainingBytes } from './size-bounds';

const budgetBytes = () => memoryBudget().bytes;

/** Tokens per prompt assumed in the memory bound for a text encoder that does not say (CLIP's 77). */
const DEFAULT_TEXT_LENGTH = 77;

/**
 * Run `fn`, prefixing a failure with the configuration field it came from (`model: ...`),
 * so every spec, size or file error names the option to fix. File-system errors become one line.
 */
export function named<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw namedError(field, e);
  }
}

/** The async form of {@link named}. */
export async function namedAsync<T>(field: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw namedError(field, e);
  }
}

function namedError(field: string, e: unknown): unknown {
  const io = describeIoError(e);
  if (io) return new RectiflowError(`${field}: ${io}`);
  if (e instanceof RectiflowError && !e.message.startsWith(`${field}:`)) {
    const wrapped = new RectiflowError(`${field}: ${e.message}`);
    return wrapped;
  }
  return e;
}

/** Add keyword arguments the spec does not set, for parameters the plugin declares. */
export function withDefaults(kind: string, spec: string, defaults: Record<string, SpecValue>): SpecNode {
  const node = parseSpec(spec);
  const declared = registry.definition(kind, node.name).params ?? [];
  const positional = new Set(declared.slice(0, node.args.length).map((p) => p.name));
  const kwargs: Record<string, SpecValue> = { ...node.kwargs };
  for (const [key, value] of Object.entries(defaults)) {
    if (declared.some((p) => p.name === key) && !(key in kwargs) && !positional.has(key)) kwargs[key] = value;
  }
  return { ...node, kwargs };
}

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
}

/** The autoencoder a configuration names: an SD3 VAE from `config.vae`, or the spec. */
export async function autoencoderFor(config: Pick<TrainConfig, 'autoencoder' | 'vae'>, imageChannels: number): Promise<Autoencoder> {
  const vae = config.vae;
  if (vae) return namedAsync('vae', () => loadSD3VAE(vae));
  return named('autoencoder', () => create('autoencoder', withDefaults('autoencoder', config.autoencoder, { channels: imageChannels })));
}

/** The formulation spec of a configuration: its `formulation`, with `shift` applied when it is not 1. */
export function formulationSpec(config: Pick<TrainConfig, 'formulation' | 'shift'>): string | SpecNode {
  return config.shift === 1 ? config.formulation : withDefaults('formulation', config.formulation, { shift: config.shift });
}

/** The training objective of a configuration (errors name `formulation`). */
export function formulationFor(config: Pick<TrainConfig, 'formulation' | 'shift'>): Formulation {
  return named('formulation', () => create('formulation', formulationSpec(config)));
}

/**
 * The time shift sampling should use: the formulation's own `shift` argument when it has
 * one, which `config.shift` sets unless the spec gives it. A shift other than 1 on a
 * formulation without a shift parameter is refused, so training and sampling never disagree.
 */
export function samplingShift(config: TrainConfig): number {
  const { params } = named('formulation', () => registry.resolve('formulation', formulationSpec(config)));
  if (typeof params.shift === 'number') return params.shift;
  if (config.shift !== 1) {
    throw new RectiflowError(`shift: got ${config.shift}; the formulation ${config.formulation} has no shift parameter (use 1)`);
  }
  return 1;
}

/** Build the components of a run. */
export async function buildComponents(config: TrainConfig, vocabularyCaptions?: string[]): Promise<Components> {
  checkSampleGrid(config);
  const shift = samplingShift(config);
  const dataset = named('dataset', () => create('dataset', config.dataset) as Dataset);
  checkDatasetSize(config.dataset, dataset.size);
  const autoencoder = await autoencoderFor(config, dataset.channels);
  if (autoencoder.imageChannels !== dataset.channels) {
    autoencoder.dispose();
    throw new RectiflowError(
      `autoencoder: ${autoencoder.name} takes ${autoencoder.imageChannels}-channel images; the dataset has ${dataset.channels}`,
    );
  }
  const f = autoencoder.downsampleFactor;
  const latentShape: [number, number, number] = [autoencoder.latentChannels, dataset.height / f, dataset.width / f];
  const captions = vocabularyCaptions ?? [...datasetCaptions(dataset), ...config.samplePrompts];
  let textEncoder: TextEncoder;
  try {
    textEncoder = named('textEncoder', () => {
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
    modelSpecChecked = named('model', () =>
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
  const model = named('model', () => create('model', modelSpecChecked));
  try {
    checkTrainable('model', config.model, model);
  } catch (e) {
    model.dispose();
    trainableText.dispose();
    autoencoder.dispose();
    throw e;
  }
  const formulation = formulationFor(config);
  return { dataset, autoencoder, textEncoder: trainableText, model, formulation, latentShape, shift };
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
