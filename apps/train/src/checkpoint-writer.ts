/**
 * What a training checkpoint holds and how the trainer writes one: the model and its EMA,
 * the text encoder and its EMA, the optimizer state (with the EMA shadows) as safetensors,
 * and `state.json` ({@link TrainState}). Model and text encoder are saved through their
 * `Serialisable` capability. The format is the one `load-run.ts` reads for sampling, and
 * there it is MM-DiT specific: it rebuilds the model with `loadMMDiT(ema.safetensors)` and
 * the encoder as a `SmallTextEncoder` from `vocabulary` and `textEncoder.config` (the two
 * halves of that encoder's `spec()`). Training and resuming need neither.
 */
import { join } from 'node:path';
import { describeIoError, RectiflowError, type RngState, type Serialisable, tf } from '@rectiflow/core';
import type { LoaderState } from '@rectiflow/data';
import type { AdamW, Ema } from '@rectiflow/optim';
import { type CheckpointRequirements, cleanStaleCheckpoints, type SavePhase, saveCheckpoint, stepDir } from '@rectiflow/pipeline/node';
import type { TrainConfig } from './config';
import type { SampleRecord } from './report';

/** What `state.json` of a checkpoint holds. */
export interface TrainState {
  step: number;
  rng: RngState;
  loader: LoaderState;
  emaUpdates: number;
  optimizerStep: number;
  elapsedSeconds: number;
  skippedNonFinite: number;
  samples: SampleRecord[];
  config: TrainConfig;
  /** The text encoder's vocabulary (the `vocabulary` of its `spec()`; null when it has none). */
  vocabulary: unknown;
  /** The rest of the text encoder's `spec()` (a small-text encoder: `{ config }`). */
  textEncoder: { config?: unknown; [key: string]: unknown };
  latentShape: [number, number, number];
  /** Image channels of the dataset (what the autoencoder takes). */
  imageChannels: number;
  /** The formulation's time shift, which sampling uses. */
  shift: number;
}

/** What a training checkpoint must hold to resume from it. */
export const TRAIN_CHECKPOINT: CheckpointRequirements = {
  files: ['model', 'ema', 'text-encoder', 'text-encoder-ema', 'optimizer'].map((f) => `${f}.safetensors`),
  stateKeys: ['config', 'rng', 'loader', 'vocabulary', 'textEncoder', 'latentShape', 'optimizerStep', 'emaUpdates'],
};

/** The `vocabulary` and `textEncoder` fields of {@link TrainState} for a text encoder. */
export function textEncoderState(textEncoder: Serialisable): Pick<TrainState, 'vocabulary' | 'textEncoder'> {
  const { vocabulary = null, ...rest } = textEncoder.spec();
  return { vocabulary, textEncoder: rest };
}

/** What is saved beside `state.json`. */
export interface TrainingWeights {
  model: Serialisable;
  textEncoder: Serialisable;
  optimizer: AdamW;
  ema: Ema;
}

/** Writes the checkpoints of a run and remembers the newest good one. */
export class CheckpointWriter {
  /** The step of the newest checkpoint written or resumed from (-1: none). */
  lastSavedStep = -1;

  constructor(
    private readonly runDir: string,
    private readonly keep: number,
    private readonly onSavePhase?: (phase: SavePhase, step: number) => void,
  ) {}

  /** The path of the newest good checkpoint ('' when none). */
  get path(): string {
    return this.lastSavedStep >= 0 ? join(this.runDir, 'checkpoints', stepDir(this.lastSavedStep)) : '';
  }

  /** The newest good checkpoint as a phrase for messages. */
  describe(): string {
    return this.lastSavedStep >= 0
      ? `the last good checkpoint is ${this.path} (step ${this.lastSavedStep})`
      : 'no checkpoint has been written yet';
  }

  /**
   * Write the checkpoint of `run.step` (`state.json`: `run` with the optimizer and EMA counts and
   * the text encoder's spec); returns its folder. I/O errors say which checkpoint is good.
   */
  async write(
    weights: TrainingWeights,
    run: Omit<TrainState, 'optimizerStep' | 'emaUpdates' | 'vocabulary' | 'textEncoder'>,
  ): Promise<string> {
    const { model, textEncoder, optimizer, ema } = weights;
    const step = run.step;
    const modelState = model.stateDict();
    const emaState = ema.withWeights(() => model.stateDict());
    const text = textEncoder.stateDict();
    const textEma = ema.withWeights(() => textEncoder.stateDict());
    const opt = optimizer.state();
    const state: TrainState = {
      ...{ step, rng: run.rng, loader: run.loader, emaUpdates: ema.updates, optimizerStep: opt.step },
      ...{ elapsedSeconds: run.elapsedSeconds, skippedNonFinite: run.skippedNonFinite, samples: run.samples, config: run.config },
      ...textEncoderState(textEncoder),
      ...{ latentShape: run.latentShape, imageChannels: run.imageChannels, shift: run.shift },
    };
    const optimizerFile = new Map<string, tf.Tensor>([...opt.tensors, ...[...ema.shadow].map(([k, v]) => [`ema.${k}`, v] as const)]);
    try {
      const dir = await saveCheckpoint(
        this.runDir,
        {
          step,
          files: { model: modelState, ema: emaState, 'text-encoder': text, 'text-encoder-ema': textEma, optimizer: optimizerFile },
          state,
        },
        this.keep,
        this.onSavePhase && ((phase) => this.onSavePhase?.(phase, step)),
      );
      this.lastSavedStep = step;
      return dir;
    } catch (e) {
      if (!describeIoError(e)) throw e;
      cleanStaleCheckpoints(this.runDir);
      throw new RectiflowError(`checkpoint of step ${step} could not be written (${describeIoError(e)}); ${this.describe()}`);
    } finally {
      tf.dispose([...modelState.values(), ...emaState.values(), ...text.values(), ...textEma.values()]);
    }
  }
}
