/**
 * A trained run's checkpoint opened for sampling, from any place its files can be read: a
 * folder on disk (`@rectiflow/pipeline/node`), files fetched over HTTP, or bytes a page holds
 * (a file input, IndexedDB). The checkpoint is the folder the train app writes: `state.json`
 * (configuration, vocabulary, text-encoder config, latent shape), `ema.safetensors` /
 * `model.safetensors` (MM-DiT) and `text-encoder-ema.safetensors` / `text-encoder.safetensors`.
 */
import { type Autoencoder, RectiflowError } from '@rectiflow/core';
import type { Formulation } from '@rectiflow/losses';
import { loadMMDiT, MMDiTVelocityModel } from '@rectiflow/mmdit';
import { readTensors } from '@rectiflow/safetensors';
import { SmallTextEncoder, type SmallTextEncoderConfig, WordVocabulary } from '@rectiflow/text-encoders';
import { type RunPartsConfig, runAutoencoder, runFormulation } from './run-parts';
import type { TextToImageOptions } from './text-to-image';

/** Reads the files of one checkpoint folder by name (`state.json`, `ema.safetensors`, ...). */
export interface CheckpointFiles {
  /** Where the files are, for messages (a folder, a URL, a file name). */
  where: string;
  /** The bytes of one file; rejects with a clear error when it is missing. */
  read(name: string): Promise<Uint8Array>;
}

/** The configuration fields a sampler reads from a run (the train app's config has all of them). */
export interface RunConfig extends RunPartsConfig {
  model: string;
  textEncoder: string;
  /** Sampling defaults: solver steps, guidance scale and solver spec. */
  sampleSteps: number;
  guidance: number;
  sampleSolver: string;
}

/** What `state.json` of a checkpoint holds that sampling needs. */
export interface RunCheckpointState<C extends RunConfig = RunConfig> {
  step: number;
  config: C;
  vocabulary: unknown;
  textEncoder: { config: unknown };
  latentShape: [number, number, number];
  /** Image channels of the dataset (absent in early checkpoints: 3). */
  imageChannels?: number;
  /** The time shift the run trained with (absent in early checkpoints: `config.shift`). */
  shift?: number;
}

/** The keys of `state.json` a checkpoint must have to be sampled. */
export const RUN_STATE_KEYS = ['config', 'vocabulary', 'textEncoder', 'latentShape'] as const;

/** The safetensors files (without extension) a checkpoint needs for its EMA or its raw weights. */
export function runWeightFiles(ema: boolean): { model: string; textEncoder: string } {
  return ema ? { model: 'ema', textEncoder: 'text-encoder-ema' } : { model: 'model', textEncoder: 'text-encoder' };
}

/** A run's parts, ready to sample. */
export interface LoadedRun<C extends RunConfig = RunConfig> {
  step: number;
  config: C;
  /** The formulation the run trained with (sampling converts the network's output with it). */
  formulation: Formulation;
  model: MMDiTVelocityModel;
  textEncoder: SmallTextEncoder;
  autoencoder: Autoencoder;
  latentShape: [number, number, number];
  /** The time shift the run trained with (sampling uses it). */
  shift: number;
  dispose(): void;
}

/** What a loaded run gives {@link textToImage}: its network, formulation, encoders, latent shape and shift. */
export function runSamplingParts(
  run: LoadedRun,
): Pick<TextToImageOptions, 'model' | 'formulation' | 'textEncoder' | 'autoencoder' | 'latentShape' | 'shift'> {
  return {
    model: run.model.predict,
    formulation: run.formulation,
    textEncoder: run.textEncoder,
    autoencoder: run.autoencoder,
    latentShape: run.latentShape,
    shift: run.shift,
  };
}

/** Options of {@link loadRunFromFiles}. */
export interface LoadRunOptions {
  /** Use the EMA weights (default true). */
  ema?: boolean;
}

/** Parse and check a checkpoint's `state.json`. */
export function parseRunState<C extends RunConfig = RunConfig>(text: string, where: string): RunCheckpointState<C> {
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch (e) {
    throw new RectiflowError(`checkpoint: ${where}/state.json is not valid JSON (${(e as Error).message})`);
  }
  const s = state as Partial<RunCheckpointState<C>>;
  if (typeof state !== 'object' || state === null || typeof s.step !== 'number' || !Number.isInteger(s.step) || s.step < 0) {
    throw new RectiflowError(`checkpoint: ${where}/state.json has no step`);
  }
  for (const key of RUN_STATE_KEYS) if (!(key in s)) throw new RectiflowError(`checkpoint: ${where}/state.json has no ${key}`);
  return s as RunCheckpointState<C>;
}

/**
 * Build a run's MM-DiT, text encoder, autoencoder and formulation from its checkpoint files.
 * Everything built is disposed again when a later part fails.
 */
export async function loadRunFromFiles<C extends RunConfig = RunConfig>(
  files: CheckpointFiles,
  options: LoadRunOptions = {},
): Promise<LoadedRun<C>> {
  const ema = options.ema ?? true;
  const names = runWeightFiles(ema);
  const state = parseRunState<C>(new TextDecoder().decode(await files.read('state.json')), files.where);
  const modelBytes = await files.read(`${names.model}.safetensors`);
  const textBytes = await files.read(`${names.textEncoder}.safetensors`);
  const built: Array<{ dispose(): void }> = [];
  try {
    const model = new MMDiTVelocityModel(await loadMMDiT(modelBytes), state.config.model);
    built.push(model);
    const vocabulary = WordVocabulary.fromJSON(state.vocabulary as Parameters<typeof WordVocabulary.fromJSON>[0]);
    const textEncoder = new SmallTextEncoder(vocabulary, { ...(state.textEncoder.config as SmallTextEncoderConfig), trainable: false });
    built.push(textEncoder);
    const tensors = await readTensors(textBytes);
    try {
      textEncoder.loadWeights(tensors);
    } finally {
      for (const t of tensors.values()) t.dispose();
    }
    const autoencoder = await runAutoencoder(state.config, state.imageChannels ?? 3);
    built.push(autoencoder);
    const formulation = runFormulation(state.config);
    return {
      step: state.step,
      config: state.config,
      formulation,
      model,
      textEncoder,
      autoencoder,
      latentShape: state.latentShape,
      shift: state.shift ?? state.config.shift,
      dispose() {
        model.dispose();
        textEncoder.dispose();
        autoencoder.dispose();
      },
    };
  } catch (e) {
    for (const part of built) part.dispose();
    throw e;
  }
}

/** Checkpoint files held in memory (a page's file input, IndexedDB, a zip), by file name. */
export function checkpointFilesFromMap(files: ReadonlyMap<string, Uint8Array>, where = 'checkpoint'): CheckpointFiles {
  return {
    where,
    async read(name) {
      const bytes = files.get(name);
      if (!bytes) throw new RectiflowError(`checkpoint: ${where} has no ${name}`);
      return bytes;
    },
  };
}

/** Checkpoint files under a URL (fetched on demand; `base` ends with or without a slash). */
export function checkpointFilesFromUrl(base: string, fetchFn: typeof fetch = fetch): CheckpointFiles {
  const root = base.endsWith('/') ? base : `${base}/`;
  return {
    where: root.slice(0, -1),
    async read(name) {
      const response = await fetchFn(`${root}${name}`);
      if (!response.ok) throw new RectiflowError(`checkpoint: ${root}${name}: HTTP ${response.status} ${response.statusText}`.trimEnd());
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}
