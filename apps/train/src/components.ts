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
  parseSpec,
  RectiflowError,
  registry,
  type SpecNode,
  type SpecValue,
  type TextEncoder,
} from '@rectiflow/core';
import type { Dataset } from '@rectiflow/data';
import '@rectiflow/data/node';
import type { Formulation } from '@rectiflow/losses';
import '@rectiflow/losses';
import { type MMDiT, MMDiTVelocityModel } from '@rectiflow/mmdit';
import { SmallTextEncoder } from '@rectiflow/text-encoders';
import type { TrainConfig } from './config';

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
  textEncoder: SmallTextEncoder;
  model: MMDiTVelocityModel;
  formulation: Formulation;
  /** The latent shape [C, h, w] the model sees. */
  latentShape: [number, number, number];
  /** The time shift of the formulation, which sampling uses too. */
  shift: number;
}

/** The autoencoder a configuration names: an SD3 VAE from `config.vae`, or the spec. */
export async function autoencoderFor(config: Pick<TrainConfig, 'autoencoder' | 'vae'>, imageChannels: number): Promise<Autoencoder> {
  if (config.vae) return loadSD3VAE(config.vae);
  return create('autoencoder', withDefaults('autoencoder', config.autoencoder, { channels: imageChannels }));
}

/**
 * The time shift sampling should use: the formulation's own `shift` argument when it has
 * one, which `config.shift` sets unless the spec gives it. A shift other than 1 on a
 * formulation without a shift parameter is refused, so training and sampling never disagree.
 */
export function samplingShift(config: TrainConfig): number {
  const { params } = registry.resolve(
    'formulation',
    config.shift === 1 ? config.formulation : withDefaults('formulation', config.formulation, { shift: config.shift }),
  );
  if (typeof params.shift === 'number') return params.shift;
  if (config.shift !== 1) {
    throw new RectiflowError(`shift: got ${config.shift}; the formulation ${config.formulation} has no shift parameter (use 1)`);
  }
  return 1;
}

/** Build the components of a run. */
export async function buildComponents(config: TrainConfig, vocabularyCaptions?: string[]): Promise<Components> {
  const shift = samplingShift(config);
  const dataset = create('dataset', config.dataset) as Dataset;
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
  const textEncoder = create('text-encoder', withDefaults('text-encoder', config.textEncoder, { captions, seed: config.seed }));
  if (!(textEncoder instanceof SmallTextEncoder)) {
    textEncoder.dispose();
    throw new RectiflowError(`textEncoder: ${config.textEncoder} is not trainable here; use small-text(...)`);
  }
  const modelSpec = parseSpec(config.model);
  const patch = Number(modelSpec.kwargs.patch ?? 2);
  const model = create(
    'model',
    withDefaults('model', config.model, {
      channels: latentShape[0],
      contextDim: textEncoder.contextDim,
      pooledDim: textEncoder.pooledDim,
      posGrid: Math.ceil(Math.max(latentShape[1], latentShape[2]) / patch),
      seed: config.seed,
    }),
  );
  if (!(model instanceof MMDiTVelocityModel)) {
    model.dispose();
    textEncoder.dispose();
    throw new RectiflowError(`model: ${config.model} is not an MM-DiT; checkpoints need mmdit(...)`);
  }
  const formulation = create(
    'formulation',
    config.shift === 1 ? config.formulation : withDefaults('formulation', config.formulation, { shift: config.shift }),
  );
  return { dataset, autoencoder, textEncoder, model, formulation, latentShape, shift };
}

/** The MM-DiT inside a velocity model. */
export function mmditOf(model: MMDiTVelocityModel): MMDiT {
  return model.model;
}

/** Text encoder type re-export for the apps. */
export type { TextEncoder };
