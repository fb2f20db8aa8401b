/**
 * Builds the parts of a training run from the configuration's spec strings: dataset,
 * autoencoder, text encoder, model and formulation. Sizes the spec leaves out (latent
 * channels, context width, position grid, the caption vocabulary) are filled in from the
 * other parts, so `mmdit(depth=2, patch=4)` is enough.
 */
import '@rectiflow/autoencoders';
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
}

/** Build the components of a new run. */
export function buildComponents(config: TrainConfig, autoencoder: Autoencoder, vocabularyCaptions?: string[]): Components {
  const dataset = create('dataset', config.dataset) as Dataset;
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
  return { dataset, autoencoder, textEncoder, model, formulation, latentShape };
}

/** The MM-DiT inside a velocity model. */
export function mmditOf(model: MMDiTVelocityModel): MMDiT {
  return model.model;
}

/** Text encoder type re-export for the apps. */
export type { TextEncoder };
