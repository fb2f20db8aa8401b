/**
 * The training loop: data -> autoencoder -> text encoder + MM-DiT -> flow-matching loss ->
 * AdamW with warm-up and clipping -> EMA; metrics, sample grids, checkpoints and the
 * report on the way. A run resumed from a checkpoint continues bit-identically.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  checkWeights,
  createRng,
  describeIoError,
  NonFiniteError,
  RectiflowError,
  type Rng,
  type RngState,
  registry,
  tf,
} from '@rectiflow/core';
import { DataLoader, type Dataset, type LoaderState } from '@rectiflow/data';
import { flowMatchingLoss } from '@rectiflow/losses';
import { loadMMDiT } from '@rectiflow/mmdit';
import { gridPng, imageArrays, textToImage } from '@rectiflow/pipeline';
import {
  type CheckpointRequirements,
  cleanStaleCheckpoints,
  type LoadedCheckpoint,
  openCheckpoint,
  type SavePhase,
  saveCheckpoint,
  stepDir,
  writeTextAtomic,
} from '@rectiflow/pipeline/node';
import { AdamW } from './adamw';
import { buildComponents, type Components, named } from './components';
import { resumeConfig, type TrainConfig } from './config';
import { Ema } from './ema';
import { type EvalRecord, evaluateModel } from './evaluation';
import { learningRate } from './lr-schedule';
import { restoreMetrics } from './metrics-file';
import { LastFiniteState, trainingStateFinite } from './non-finite-policy';
import { budgetProgress, formatProgress, ProgressBar } from './progress';
import { type MetricRecord, type SampleRecord, writeReport } from './report';
import { prepareRunFolder } from './run-folder';

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
  vocabulary: unknown;
  textEncoder: { config: unknown };
  latentShape: [number, number, number];
  /** Image channels of the dataset (what the autoencoder takes). */
  imageChannels: number;
  /** The formulation's time shift, which sampling uses. */
  shift: number;
}

/** Why a run stopped. */
export type StopReason = 'time' | 'steps' | 'signal' | 'non-finite';

export interface TrainResult {
  runDir: string;
  steps: number;
  stoppedBy: StopReason;
  /** The newest good checkpoint ('' when none was written). */
  checkpoint: string;
  /** Why a non-finite run stopped and which checkpoint is good. */
  stopMessage?: string;
  finalGrid?: string;
  report: string;
  /** Colour adherence of the final held-out grid (shapes datasets). */
  colorAdherence?: number;
  /** The final evaluation (when `evalSeeds` > 0). */
  evaluation?: EvalRecord;
  metrics: MetricRecord[];
}

export interface TrainerHooks {
  /** One line of human output (default: stdout). */
  log?: (line: string) => void;
  /** Progress display stream (default: process.stdout). */
  stream?: { isTTY?: boolean; write(s: string): unknown };
  /** Returns true when the run should stop and save (e.g. after Ctrl-C). */
  shouldStop?: () => boolean;
  /** Called after each completed step (tests). */
  onStep?: (step: number, loss: number) => void;
  /** Called at each phase of a checkpoint save (the kill tests stop the process there). */
  onSavePhase?: (phase: SavePhase, step: number) => void;
}

/** What a training checkpoint must hold to resume from it. */
export const TRAIN_CHECKPOINT: CheckpointRequirements = {
  files: ['model', 'ema', 'text-encoder', 'text-encoder-ema', 'optimizer'].map((f) => `${f}.safetensors`),
  stateKeys: ['config', 'rng', 'loader', 'vocabulary', 'textEncoder', 'latentShape', 'optimizerStep', 'emaUpdates'],
};

/** A run stopped on a non-finite loss or gradient (the message says where). */
class NonFiniteStop extends RectiflowError {
  override name = 'NonFiniteStop';
}

/**
 * Prompts the final grid uses: captions the dataset holds out (shapes: its test split), else
 * the configuration's sample prompts.
 */
export function heldOutPrompts(dataset: Dataset, config: TrainConfig, count = 16): string[] {
  return dataset.heldOutPrompts?.(count, config.seed) ?? config.samplePrompts;
}

/** A run stops after this many non-finite steps in a row, even with `onNonFinite: skip`. */
export const MAX_CONSECUTIVE_SKIPS = 20;

export class Trainer {
  readonly runDir: string;
  private readonly log: (line: string) => void;
  private readonly params = new Map<string, tf.Variable>();
  private readonly byVariableName = new Map<string, string>();
  private readonly optimizer: AdamW;
  private readonly ema: Ema;
  private readonly loader: DataLoader;
  private readonly rng: Rng;
  private step = 0;
  private elapsedBefore = 0;
  private skippedNonFinite = 0;
  private consecutiveSkips = 0;
  private lastSavedStep = -1;
  private samples: SampleRecord[] = [];
  private metrics: MetricRecord[] = [];
  private evals: EvalRecord[] = [];
  /** Seconds spent in evaluations in this session (not counted in the time budget). */
  private evalSeconds = 0;
  private readonly lastFinite = new LastFiniteState();

  private constructor(
    readonly config: TrainConfig,
    readonly parts: Components,
    private readonly hooks: TrainerHooks,
  ) {
    this.runDir = resolve(config.out);
    this.log = hooks.log ?? ((line) => process.stdout.write(`${line}\n`));
    for (const e of parts.model.model.parameters()) if (e.variable.trainable) this.params.set(`mmdit.${e.key}`, e.variable);
    for (const [name, v] of parts.textEncoder.weights()) if (v.trainable) this.params.set(`text.${name}`, v);
    for (const [name, v] of this.params) this.byVariableName.set(v.name, name);
    this.optimizer = new AdamW(this.params, { weightDecay: config.weightDecay, clipNorm: config.clipNorm });
    this.ema = new Ema(this.params, config.emaDecay);
    this.loader = new DataLoader(parts.dataset, { batchSize: config.batchSize, seed: config.seed });
    this.rng = createRng(`train/${config.seed}`);
  }

  /** Build a new run, or resume the run folder's latest checkpoint when `config.resume`. */
  static async create(
    config: TrainConfig,
    hooks: TrainerHooks = {},
    given?: Record<string, unknown>,
    options: { overwrite?: boolean } = {},
  ): Promise<Trainer> {
    const runDir = prepareRunFolder(config.out, { resume: config.resume, overwrite: options.overwrite ?? false });
    let effective = config;
    // Opened (and verified) once: its configuration now, its tensors in restore().
    const resumeFrom = config.resume ? openCheckpoint<TrainState>(runDir, TRAIN_CHECKPOINT, hooks.log) : undefined;
    if (resumeFrom) {
      // The run's own configuration, with only the options the user gave now applied over it.
      const saved = resumeFrom.state.config;
      effective = resumeConfig(saved, given ?? { ...config, out: saved.out });
      effective = { ...effective, out: config.out };
    }
    named('sampleSolver', () => registry.resolve('solver', effective.sampleSolver));
    cleanStaleCheckpoints(runDir);
    const parts = await buildComponents(effective);
    const trainer = new Trainer(effective, parts, hooks);
    try {
      if (resumeFrom) await trainer.restore(resumeFrom);
      else {
        writeTextAtomic(join(runDir, 'config.json'), `${JSON.stringify(effective, null, 2)}\n`);
        writeFileSync(join(runDir, 'metrics.jsonl'), '');
      }
    } catch (e) {
      trainer.dispose();
      throw e;
    }
    return trainer;
  }

  private async restore(ckpt: LoadedCheckpoint<TrainState>): Promise<void> {
    const s = ckpt.state;
    if (JSON.stringify(s.vocabulary) !== JSON.stringify(this.parts.textEncoder.vocabulary.toJSON())) {
      throw new RectiflowError('resume: the caption vocabulary differs from the checkpoint (was the dataset changed?)');
    }
    const model = await loadMMDiT(join(ckpt.dir, 'model.safetensors'));
    const fresh = this.parts.model.model.parameters();
    const loaded = new Map(model.parameters().map((e) => [e.key, e.variable]));
    try {
      checkWeights(`resume: ${ckpt.dir}/model.safetensors`, loaded, new Map(fresh.map((e) => [e.key, e.variable.shape])));
      for (const e of fresh) e.variable.assign(loaded.get(e.key) as tf.Variable);
    } finally {
      model.dispose();
    }
    const text = await ckpt.open('text-encoder');
    const textWeights = await text.tensors();
    await text.close();
    this.parts.textEncoder.loadWeights(textWeights);
    tf.dispose([...textWeights.values()]);
    const opt = await ckpt.open('optimizer');
    const state = await opt.tensors();
    await opt.close();
    this.optimizer.load(s.optimizerStep, state);
    this.ema.load(s.emaUpdates, new Map([...state].filter(([k]) => k.startsWith('ema.')).map(([k, t]) => [k.slice(4), t])));
    tf.dispose([...state.values()]);
    this.rng.setState(s.rng);
    this.loader.setState(s.loader);
    this.step = s.step;
    this.lastSavedStep = s.step;
    this.elapsedBefore = s.elapsedSeconds;
    this.skippedNonFinite = s.skippedNonFinite;
    this.samples = s.samples;
    const records = restoreMetrics<MetricRecord | EvalRecord>(join(this.runDir, 'metrics.jsonl'), s.step, this.log);
    this.metrics = records.filter((m): m is MetricRecord => !('type' in m));
    this.evals = records.filter((m): m is EvalRecord => 'type' in m && m.type === 'eval');
    this.log(`resumed ${this.runDir} at step ${this.step} from ${ckpt.dir}`);
  }

  /** The current step. */
  get currentStep(): number {
    return this.step;
  }

  /** Named trainable parameters (for tests and tools). */
  parameters(): ReadonlyMap<string, tf.Variable> {
    return this.params;
  }

  /**
   * One optimisation step; returns the loss, or NaN when a non-finite step was skipped. With
   * `accumulationSteps` k > 1 the gradients of k micro-batches (each of the mean loss / k) are
   * summed before one optimizer step: the gradient of the mean loss over k * batchSize images.
   */
  trainStep(): { loss: number; gradNorm: number; lr: number; byNoiseLevel: Array<{ count: number; meanLoss: number }> } {
    const k = this.config.accumulationSteps;
    const step = this.step + 1;
    let grads: Record<string, tf.Tensor> = {};
    let loss = 0;
    let byNoiseLevel: Array<{ count: number; meanLoss: number }> = [];
    try {
      for (let i = 0; i < k; i++) {
        let micro: ReturnType<Trainer['microBatchGrads']>;
        try {
          micro = this.microBatchGrads(k);
        } catch (e) {
          if (e instanceof NonFiniteError) {
            return this.nonFinite(step, `loss or gradient (${e.nanCount} NaN and ${e.infCount} infinite value(s) in ${e.where})`);
          }
          throw e;
        }
        loss += micro.loss;
        if (i === 0) {
          grads = micro.grads;
          byNoiseLevel = micro.byNoiseLevel;
          continue;
        }
        for (const [name, g] of Object.entries(micro.grads)) {
          const sum = tf.add(grads[name], g);
          tf.dispose([grads[name], g]);
          grads[name] = sum;
        }
        byNoiseLevel = byNoiseLevel.map((bin, d) => {
          const other = micro.byNoiseLevel[d] ?? { count: 0, meanLoss: 0 };
          const count = bin.count + other.count;
          return { count, meanLoss: count ? (bin.meanLoss * bin.count + other.meanLoss * other.count) / count : 0 };
        });
      }
      const gradNorm = AdamW.globalNorm(grads);
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm))
        return this.nonFinite(step, `loss or gradient (loss ${loss}, gradient norm ${gradNorm})`);
      const lr = learningRate(step, {
        lr: this.config.lr,
        warmupSteps: this.config.warmupSteps,
        decay: this.config.lrDecay,
        totalSteps: this.config.maxSteps,
      });
      this.optimizer.apply(grads, lr);
      this.ema.update();
      this.step = step;
      this.consecutiveSkips = 0;
      return { loss, gradNorm, lr, byNoiseLevel };
    } finally {
      tf.dispose(Object.values(grads));
    }
  }

  /**
   * The loss (divided by `parts`) and its gradients by parameter name for the next batch.
   * Throws NonFiniteError from the loss; the caller owns the returned gradients.
   */
  private microBatchGrads(parts: number): {
    loss: number;
    grads: Record<string, tf.Tensor>;
    byNoiseLevel: Array<{ count: number; meanLoss: number }>;
  } {
    const { autoencoder, textEncoder, model, formulation } = this.parts;
    const batch = this.loader.next();
    const x0 = tf.tidy(() => {
      const dist = autoencoder.encode(batch.images, this.rng);
      return dist.sample;
    });
    batch.images.dispose();
    const captions = batch.captions.map((c) => (this.rng.uniformNumber() < this.config.textDropout ? '' : c));
    let byNoiseLevel: Array<{ count: number; meanLoss: number }> = [];
    let result: { value: tf.Scalar; grads: tf.NamedTensorMap };
    try {
      result = tf.variableGrads(() => {
        const enc = textEncoder.encode(captions);
        const r = flowMatchingLoss({
          model: model.predict,
          process: formulation.process,
          sampler: formulation.sampler,
          weighting: formulation.weighting,
          output: formulation.output,
          x0,
          conditioning: { context: enc.context, pooled: enc.pooled },
          rng: this.rng,
        });
        byNoiseLevel = r.byNoiseLevel;
        return parts === 1 ? r.loss : (tf.div(r.loss, parts) as tf.Scalar);
      }, [...this.params.values()]);
    } finally {
      x0.dispose();
    }
    const loss = result.value.dataSync()[0];
    result.value.dispose();
    const grads: Record<string, tf.Tensor> = {};
    for (const [varName, g] of Object.entries(result.grads)) grads[this.byVariableName.get(varName) as string] = g;
    return { loss, grads, byNoiseLevel };
  }

  private nonFinite(step: number, detail: string): { loss: number; gradNorm: number; lr: number; byNoiseLevel: [] } {
    if (this.config.onNonFinite === 'stop') {
      throw new NonFiniteStop(`step ${step}: non-finite ${detail}`);
    }
    this.skippedNonFinite++;
    this.consecutiveSkips++;
    if (this.consecutiveSkips >= MAX_CONSECUTIVE_SKIPS) {
      throw new NonFiniteStop(`step ${step}: non-finite ${detail}, ${MAX_CONSECUTIVE_SKIPS} steps in a row`);
    }
    // The weights that produced this are likely broken already: go back to the last finite state.
    const restored = this.lastFinite.restore(this.params, this.optimizer, this.ema);
    this.step = step;
    this.log(
      `step ${step}: non-finite ${detail}; step skipped (${this.skippedNonFinite} so far)` +
        (restored === undefined ? '' : `, weights, optimizer state and EMA restored from step ${restored}`),
    );
    return { loss: Number.NaN, gradNorm: Number.NaN, lr: 0, byNoiseLevel: [] };
  }

  /** The newest checkpoint this run wrote or resumed from, as a phrase for messages. */
  private goodCheckpointText(): string {
    return this.lastSavedStep >= 0
      ? `the last good checkpoint is ${join(this.runDir, 'checkpoints', stepDir(this.lastSavedStep))} (step ${this.lastSavedStep})`
      : 'no checkpoint has been written yet';
  }

  /** The path of the newest checkpoint this run wrote or resumed from ('' when none). */
  private goodCheckpoint(): string {
    return this.lastSavedStep >= 0 ? join(this.runDir, 'checkpoints', stepDir(this.lastSavedStep)) : '';
  }

  /** Swap the EMA weights in; the returned function swaps the training weights back. */
  private swapInEmaWeights(): () => void {
    const backups = new Map([...this.params].map(([name, p]) => [name, p.clone()]));
    for (const [name, p] of this.params) p.assign(this.ema.shadow.get(name) as tf.Variable);
    return () => {
      for (const [name, p] of this.params) p.assign(backups.get(name) as tf.Tensor);
      tf.dispose([...backups.values()]);
    };
  }

  /** Run `fn` with the EMA weights swapped in. */
  withEmaWeights<T>(fn: () => T): T {
    const restore = this.swapInEmaWeights();
    try {
      return fn();
    } finally {
      restore();
    }
  }

  /** Append one record (training metrics or an evaluation) to `metrics.jsonl`. */
  private appendMetricsLine(record: MetricRecord | EvalRecord): void {
    try {
      appendFileSync(join(this.runDir, 'metrics.jsonl'), `${JSON.stringify(record)}\n`);
    } catch (e) {
      const io = describeIoError(e);
      if (!io) throw e;
      throw new RectiflowError(`metrics.jsonl: cannot append the record of step ${this.step} (${io}); ${this.goodCheckpointText()}`);
    }
  }

  /** Run an asynchronous `fn` with the EMA weights swapped in. */
  async withEmaWeightsAsync<T>(fn: () => Promise<T>): Promise<T> {
    const restore = this.swapInEmaWeights();
    try {
      return await fn();
    } finally {
      restore();
    }
  }

  /**
   * Evaluate the EMA weights with @rectiflow/eval (prompt adherence with the sample-grid
   * settings, validation loss), append the record to `metrics.jsonl` and log a summary.
   */
  async evaluate(seeds: number): Promise<EvalRecord> {
    const c = this.config;
    const { autoencoder, textEncoder, model, latentShape, formulation } = this.parts;
    const started = performance.now();
    const { scores: _scores, ...record } = await this.withEmaWeightsAsync(() =>
      evaluateModel(
        { model: model.predict, textEncoder, autoencoder, latentShape, formulation },
        c.dataset,
        { steps: c.sampleSteps, solver: c.sampleSolver, guidance: c.guidance, shift: this.parts.shift },
        this.step,
        seeds,
      ),
    );
    this.evalSeconds += (performance.now() - started) / 1000;
    this.evals.push(record);
    this.appendMetricsLine(record);
    const a = record.adherence;
    const parts = [
      a && `whole prompt ${(100 * a.one.whole).toFixed(1)}% one-shape, ${(100 * a.two.whole).toFixed(1)}% two-shape`,
      record.validation && `validation loss ${record.validation.mean.toFixed(4)}`,
      record.fd && `FD ${record.fd.value.toFixed(0)}`,
      record.digitAccuracy !== undefined && `digit accuracy ${(100 * record.digitAccuracy).toFixed(1)}%`,
    ].filter(Boolean);
    if (parts.length)
      this.log(`eval at step ${this.step} (${seeds} seed${seeds === 1 ? '' : 's'}, ${record.seconds.toFixed(0)} s): ${parts.join('; ')}`);
    return record;
  }

  /** Generate a grid for `prompts` with the EMA weights; returns its path and colour adherence. */
  sampleGrid(prompts: readonly string[], file: string, useEma = true): { path: string; adherence?: number; nfe: number } {
    const { autoencoder, textEncoder, model, latentShape, dataset, formulation } = this.parts;
    const run = () =>
      textToImage({
        model: model.predict,
        formulation,
        textEncoder,
        autoencoder,
        prompts,
        latentShape,
        seed: this.config.sampleSeed,
        steps: this.config.sampleSteps,
        solver: this.config.sampleSolver,
        guidance: this.config.guidance,
        shift: this.parts.shift,
      });
    const { images, nfe } = useEma ? this.withEmaWeights(run) : run();
    try {
      const adherence = dataset.promptAdherence ? dataset.promptAdherence(imageArrays(images), prompts) : undefined;
      const png = gridPng(images, Math.ceil(Math.sqrt(prompts.length)), prompts);
      const path = join(this.runDir, file);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, png);
      return { path, adherence, nfe };
    } finally {
      images.dispose();
    }
  }

  /** Save a checkpoint of the current step. */
  async checkpoint(elapsedSeconds: number): Promise<string | undefined> {
    if (this.consecutiveSkips > 0) {
      // The weights are the restored ones of an earlier step: a checkpoint now would only push a good one out.
      this.log(`step ${this.step}: checkpoint not written after a skipped non-finite step (${this.goodCheckpointText()})`);
      return undefined;
    }
    if (!trainingStateFinite(this.params, this.optimizer, this.ema)) {
      this.log(
        `step ${this.step}: the weights or optimizer state hold NaN or infinity; checkpoint not written (${this.goodCheckpointText()})`,
      );
      return undefined;
    }
    const mmdit = this.parts.model.model;
    const modelState = mmdit.stateDict();
    const emaState = this.withEmaWeights(() => mmdit.stateDict());
    const textEma = this.withEmaWeights(() => new Map([...this.parts.textEncoder.weights()].map(([k, v]) => [k, v.clone()])));
    const opt = this.optimizer.state();
    const optimizerFile = new Map<string, tf.Tensor>([...opt.tensors, ...[...this.ema.shadow].map(([k, v]) => [`ema.${k}`, v] as const)]);
    const state: TrainState = {
      step: this.step,
      rng: this.rng.getState(),
      loader: this.loader.getState(),
      emaUpdates: this.ema.updates,
      optimizerStep: opt.step,
      elapsedSeconds,
      skippedNonFinite: this.skippedNonFinite,
      samples: this.samples,
      config: this.config,
      vocabulary: this.parts.textEncoder.vocabulary.toJSON(),
      textEncoder: { config: this.parts.textEncoder.config },
      latentShape: this.parts.latentShape,
      imageChannels: this.parts.dataset.channels,
      shift: this.parts.shift,
    };
    try {
      const dir = await saveCheckpoint(
        this.runDir,
        {
          step: this.step,
          files: {
            model: modelState,
            ema: emaState,
            'text-encoder': this.parts.textEncoder.weights(),
            'text-encoder-ema': textEma,
            optimizer: optimizerFile,
          },
          state,
        },
        this.config.keepCheckpoints,
        this.hooks.onSavePhase && ((phase) => this.hooks.onSavePhase?.(phase, this.step)),
      );
      this.lastSavedStep = this.step;
      if (this.config.onNonFinite === 'skip') this.lastFinite.capture(this.step, this.params, this.optimizer, this.ema);
      return dir;
    } catch (e) {
      if (!describeIoError(e)) throw e;
      cleanStaleCheckpoints(this.runDir);
      throw new RectiflowError(
        `checkpoint of step ${this.step} could not be written (${describeIoError(e)}); ${this.goodCheckpointText()}`,
      );
    } finally {
      tf.dispose([...modelState.values(), ...emaState.values(), ...textEma.values()]);
    }
  }

  /** Train until the time budget, `maxSteps` or a stop request; then checkpoint, sample, report. */
  async run(): Promise<TrainResult> {
    const c = this.config;
    const start = Date.now();
    const elapsed = () => this.elapsedBefore + (Date.now() - start) / 1000 - this.evalSeconds;
    const budget = c.minutes * 60;
    const bar = new ProgressBar(this.hooks.stream ?? process.stdout, c.logEvery);
    let window = { losses: 0, count: 0, gradNorm: 0, started: Date.now(), steps: 0 };
    const decileSums = new Float64Array(10);
    const decileCounts = new Float64Array(10);
    let stoppedBy: StopReason = 'time';
    let lastLoss = Number.NaN;
    let stopMessage = '';
    let shownFraction = 0;
    if (c.onNonFinite === 'skip') {
      if (trainingStateFinite(this.params, this.optimizer, this.ema))
        this.lastFinite.capture(this.step, this.params, this.optimizer, this.ema);
    }
    if (c.maxSteps !== undefined && this.step >= c.maxSteps) {
      this.log(`the run is already at step ${this.step} (maxSteps ${c.maxSteps}); nothing to train (raise --max-steps to continue)`);
    }
    this.log(
      `training ${this.parts.model.name} (${this.parts.model.model.parameterCount().toLocaleString('en-US')} parameters) on ${this.parts.dataset.name} with ${this.parts.formulation.name}; run folder ${this.runDir}`,
    );
    for (;;) {
      // Let signal handlers (Ctrl-C) and other events run between steps.
      await yieldToEventLoop();
      if (c.maxSteps !== undefined && this.step >= c.maxSteps) {
        stoppedBy = 'steps';
        break;
      }
      if (elapsed() >= budget) {
        stoppedBy = 'time';
        break;
      }
      if (this.hooks.shouldStop?.()) {
        stoppedBy = 'signal';
        break;
      }
      let r: ReturnType<Trainer['trainStep']>;
      try {
        r = this.trainStep();
      } catch (e) {
        if (e instanceof NonFiniteStop) {
          bar.done();
          // Reported once, by the caller (the CLI prints it as the error line).
          stopMessage = `stopped at ${e.message}; ${this.goodCheckpointText()}`;
          stoppedBy = 'non-finite';
          break;
        }
        throw e;
      }
      this.hooks.onStep?.(this.step, r.loss);
      if (Number.isFinite(r.loss)) {
        lastLoss = r.loss;
        window.losses += r.loss;
        window.gradNorm += r.gradNorm;
        window.count++;
        r.byNoiseLevel.forEach((bin, d) => {
          if (bin.count > 0) {
            decileSums[d] += bin.meanLoss * bin.count;
            decileCounts[d] += bin.count;
          }
        });
      }
      window.steps++;
      const itPerSec = window.steps / Math.max(1e-3, (Date.now() - window.started) / 1000);
      const progress = budgetProgress(this.step, elapsed(), budget, c.maxSteps, itPerSec);
      // Evaluation time is given back to the budget after each evaluation: never show less than before.
      shownFraction = Math.max(shownFraction, progress.fraction);
      bar.update({ step: this.step, loss: lastLoss, itPerSec, fraction: shownFraction, etaSeconds: progress.etaSeconds });
      if (this.step % c.logEvery === 0) {
        const record: MetricRecord = {
          step: this.step,
          loss: window.count ? window.losses / window.count : Number.NaN,
          lr: r.lr,
          gradNorm: window.count ? window.gradNorm / window.count : Number.NaN,
          itPerSec,
          elapsedSeconds: elapsed(),
          lossByDecile: Array.from(decileSums, (s, d) => (decileCounts[d] ? s / decileCounts[d] : Number.NaN)),
        };
        this.metrics.push(record);
        this.appendMetricsLine(record);
        if (!(this.hooks.stream ?? process.stdout).isTTY) {
          const deciles = record.lossByDecile?.map((v) => (Number.isFinite(v) ? v.toFixed(3) : '-')).join(' ');
          this.log(`  loss by t-decile (t=0 -> 1): ${deciles}`);
        }
        window = { losses: 0, count: 0, gradNorm: 0, started: Date.now(), steps: 0 };
        decileSums.fill(0);
        decileCounts.fill(0);
      }
      if (this.step % c.sampleEvery === 0) {
        const file = `samples/step-${String(this.step).padStart(7, '0')}.png`;
        const s = this.sampleGrid(c.samplePrompts, file);
        this.samples.push({ step: this.step, file, prompts: [...c.samplePrompts], colorAdherence: s.adherence });
        writeReport(this.runDir, `Rectiflow run ${this.runDir}`, c, this.metrics, this.samples, this.evals);
      }
      if (c.evalEvery > 0 && this.step % c.evalEvery === 0) {
        bar.done();
        await this.evaluate(1);
      }
      // After the grid, so that a checkpoint of this step lists it (the report of a resumed run shows it).
      if (this.step % c.checkpointEvery === 0) await this.checkpoint(elapsed());
    }
    bar.done();
    // Nothing new to save when the last checkpoint is of this step (or the run stopped on NaN).
    if (stoppedBy !== 'non-finite' && this.step !== this.lastSavedStep) await this.checkpoint(elapsed());
    const checkpoint = this.goodCheckpoint();
    let finalGrid: string | undefined;
    let adherence: number | undefined;
    if (stoppedBy !== 'non-finite') {
      const prompts = heldOutPrompts(this.parts.dataset, c);
      const s = this.sampleGrid(prompts, 'samples/final.png');
      finalGrid = s.path;
      adherence = s.adherence;
      this.samples.push({ step: this.step, file: 'samples/final.png', prompts, colorAdherence: adherence });
    }
    let evaluation: EvalRecord | undefined;
    if (stoppedBy !== 'non-finite' && c.evalSeeds > 0) {
      evaluation = this.evals.find((e) => e.step === this.step && e.seeds === c.evalSeeds) ?? (await this.evaluate(c.evalSeeds));
    }
    const report = writeReport(this.runDir, `Rectiflow run ${this.runDir}`, c, this.metrics, this.samples, this.evals);
    if (this.metrics.length)
      this.log(
        formatProgress({
          step: this.step,
          loss: Number.isFinite(lastLoss) ? lastLoss : this.metrics[this.metrics.length - 1].loss,
          itPerSec: this.metrics[this.metrics.length - 1].itPerSec,
          // What was used: 100% only when the budget ran out, not after a stop by signal or on NaN.
          fraction: stoppedBy === 'time' || stoppedBy === 'steps' ? 1 : shownFraction,
          etaSeconds: 0,
        }),
      );
    return {
      runDir: this.runDir,
      steps: this.step,
      stoppedBy,
      checkpoint,
      ...(stopMessage ? { stopMessage } : {}),
      finalGrid,
      report,
      colorAdherence: adherence,
      evaluation,
      metrics: this.metrics,
    };
  }

  dispose(): void {
    this.lastFinite.dispose();
    this.optimizer.dispose();
    this.ema.dispose();
    this.parts.model.dispose();
    this.parts.textEncoder.dispose();
    this.parts.autoencoder.dispose();
  }
}
