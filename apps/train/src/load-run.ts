/**
 * Open a trained run for sampling: its MM-DiT (EMA weights by default), text encoder and
 * autoencoder, rebuilt from the checkpoint's `state.json` and safetensors files.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Autoencoder, RectiflowError } from '@rectiflow/core';
import type { Formulation } from '@rectiflow/losses';
import { loadMMDiT, MMDiTVelocityModel } from '@rectiflow/mmdit';
import { SmallTextEncoder, type SmallTextEncoderConfig, WordVocabulary } from '@rectiflow/text-encoders';
import { openCheckpoint } from './checkpoint';
import { autoencoderFor, formulationFor } from './components';
import type { TrainConfig } from './config';
import type { TrainState } from './trainer';

/** A run's parts, ready to sample. */
export interface LoadedRun {
  step: number;
  config: TrainConfig;
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

/**
 * Load a run folder (its latest checkpoint) or a checkpoint folder.
 * @param ema use the EMA weights (default true).
 */
export async function loadRun(
  path: string,
  ema = true,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<LoadedRun> {
  const weights = ema ? 'ema' : 'model';
  const text = ema ? 'text-encoder-ema' : 'text-encoder';
  let ckpt: ReturnType<typeof openCheckpoint<TrainState>>;
  try {
    ckpt = openCheckpoint<TrainState>(
      path,
      { files: [`${weights}.safetensors`, `${text}.safetensors`], stateKeys: ['config', 'vocabulary', 'textEncoder', 'latentShape'] },
      log,
    );
  } catch (e) {
    if (
      !ema &&
      e instanceof RectiflowError &&
      /model\.safetensors is missing/.test(e.message) &&
      existsSync(join(path, 'ema.safetensors'))
    ) {
      throw new RectiflowError(
        `checkpoint: ${join(path, 'model.safetensors')} is missing (this checkpoint keeps only the EMA weights: drop --no-ema)`,
      );
    }
    throw e;
  }
  const s = ckpt.state;
  const weightsFile = join(ckpt.dir, `${weights}.safetensors`);
  const mmdit = await loadMMDiT(weightsFile);
  const model = new MMDiTVelocityModel(mmdit, s.config.model);
  const textEncoder = new SmallTextEncoder(WordVocabulary.fromJSON(s.vocabulary as Parameters<typeof WordVocabulary.fromJSON>[0]), {
    ...(s.textEncoder.config as SmallTextEncoderConfig),
    trainable: false,
  });
  const textFile = await ckpt.open(text);
  const tensors = await textFile.tensors();
  await textFile.close();
  textEncoder.loadWeights(tensors);
  for (const t of tensors.values()) t.dispose();
  const autoencoder = await autoencoderFor(s.config, s.imageChannels ?? 3);
  return {
    step: s.step,
    config: s.config,
    formulation: formulationFor(s.config),
    model,
    textEncoder,
    autoencoder,
    latentShape: s.latentShape,
    shift: s.shift ?? s.config.shift,
    dispose() {
      model.dispose();
      textEncoder.dispose();
      autoencoder.dispose();
    },
  };
}
