/**
 * The training loop: data -> autoencoder -> text encoder + model -> flow-matching loss ->
 * AdamW with warm-up and clipping -> EMA; metrics, sample grids, evaluations, checkpoints and
 * the report on the way. A run resumed from a checkpoint continues bit-identically. Each job
 * has its own file: resume.ts, train-step.ts, non-finite-policy.ts, ema.ts, sample-grids.ts,
 * checkpoint-writer.ts, metrics-window.ts, scheduled-evaluation.ts; this file composes them.
 */
import { join, resolve } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { createRng, type Rng, registry, type tf, withField } from '@rectiflow/core';
import { DataLoader } from '@rectiflow/data';
import { AdamW, Ema } from '@rectiflow/optim';
import { cleanStaleCheckpoints, type LoadedCheckpoint } from '@rectiflow/pipeline/node';
import { CheckpointWriter, type TrainingWeights, type TrainState } from './checkpoint-writer';
import { buildComponents, type Components } from './components';
import type { TrainConfig } from './config';
import type { EvalRecord } from './evaluation';
import { appendMetrics, startMetrics } from './metrics-file';
import { decileLine, MetricsWindow } from './metrics-window';
import { NonFinitePolicy, NonFiniteStop } from './non-finite-policy';
import { budgetProgress, RunProgress } from './progress';
import { type MetricRecord, writeReport } from './report';
import { openResume, restoreRecords, restoreTraining } from './resume';
import { prepareRunFolder, writeRunConfig } from './run-folder';
import { SampleGrids } from './sample-grids';
import { ScheduledEvaluations } from './scheduled-evaluation';
import { type StepResult, TrainStep, trainingParameters } from './train-step';
import type { StopReason, TrainerHooks, TrainResult } from './trainer-api';

export { TRAIN_CHECKPOINT, type TrainState } from './checkpoint-writer';
export { MAX_CONSECUTIVE_SKIPS } from './non-finite-policy';
export { heldOutPrompts } from './sample-grids';
export type { StepResult } from './train-step';
export type { StopReason, TrainerHooks, TrainResult } from './trainer-api';

export class Trainer {
  readonly runDir: string;
  private readonly log: (line: string) => void;
  private readonly params: Map<string, tf.Variable>;
  private readonly optimizer: AdamW;
  private readonly ema: Ema;
  private readonly loader: DataLoader;
  private readonly rng: Rng;
  private readonly stepper: TrainStep;
  private readonly nonFinite: NonFinitePolicy;
  private readonly checkpoints: CheckpointWriter;
  private readonly evaluations: ScheduledEvaluations;
  private readonly grids: SampleGrids;
  private step = 0;
  private elapsedBefore = 0;
  private metrics: MetricRecord[] = [];

  private constructor(
    readonly config: TrainConfig,
    readonly parts: Components,
    private readonly hooks: TrainerHooks,
  ) {
    this.runDir = resolve(config.out);
    this.log = hooks.log ?? ((line) => process.stdout.write(`${line}\n`));
    this.params = trainingParameters(parts.model, parts.textEncoder);
    this.optimizer = new AdamW(this.params, { weightDecay: config.weightDecay, clipNorm: config.clipNorm });
    this.ema = new Ema(this.params, config.emaDecay);
    this.loader = new DataLoader(parts.dataset, { batchSize: config.batchSize, seed: config.seed });
    this.rng = createRng(`train/${config.seed}`);
    this.stepper = new TrainStep(config, parts, this.params, this.optimizer, this.ema, this.loader, this.rng);
    this.nonFinite = new NonFinitePolicy(config.onNonFinite, this.params, this.optimizer, this.ema, this.log);
    this.checkpoints = new CheckpointWriter(this.runDir, config.keepCheckpoints, hooks.onSavePhase);
    this.grids = new SampleGrids(parts, config, this.runDir, this.ema);
    this.evaluations = new ScheduledEvaluations(config, parts, this.ema, (r) => this.appendMetrics(r), this.log);
  }

  /** Build a new run, or resume the run folder's latest checkpoint when `config.resume`. */
  static async create(
    config: TrainConfig,
    hooks: TrainerHooks = {},
    given?: Record<string, unknown>,
    options: { overwrite?: boolean } = {},
  ): Promise<Trainer> {
    const runDir = prepareRunFolder(config.out, { resume: config.resume, overwrite: options.overwrite ?? false });
    // Opened (and verified) once: its configuration now, its tensors in restore().
    const { config: effective, checkpoint } = openResume(config, runDir, given, hooks.log);
    withField('sampleSolver', () => registry.resolve('solver', effective.sampleSolver));
    cleanStaleCheckpoints(runDir);
    const trainer = new Trainer(effective, await buildComponents(effective), hooks);
    try {
      if (checkpoint) await trainer.restore(checkpoint);
      else {
        writeRunConfig(runDir, effective);
        startMetrics(join(runDir, 'metrics.jsonl'));
      }
    } catch (e) {
      trainer.dispose();
      throw e;
    }
    return trainer;
  }

  private async restore(ckpt: LoadedCheckpoint<TrainState>): Promise<void> {
    await restoreTraining(ckpt, this.weights(), this.rng, this.loader);
    const s = ckpt.state;
    this.step = s.step;
    this.checkpoints.lastSavedStep = s.step;
    this.elapsedBefore = s.elapsedSeconds;
    this.nonFinite.skipped = s.skippedNonFinite;
    this.grids.records = s.samples;
    ({ metrics: this.metrics, evals: this.evaluations.records } = restoreRecords(this.runDir, s.step, this.log));
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

  /** One optimisation step (see train-step.ts); the loss is NaN when a non-finite step was skipped. */
  trainStep(): StepResult {
    const step = this.step + 1;
    const r = this.stepper.run(step);
    if ('nonFinite' in r) {
      this.nonFinite.skip(step, r.nonFinite);
      this.step = step;
      return { loss: Number.NaN, gradNorm: Number.NaN, lr: 0, byNoiseLevel: [] };
    }
    this.step = step;
    this.nonFinite.stepDone();
    return r;
  }

  /** Run `fn` with the EMA weights swapped in. */
  withEmaWeights<T>(fn: () => T): T {
    return this.ema.withWeights(fn);
  }

  /** Run an asynchronous `fn` with the EMA weights swapped in. */
  withEmaWeightsAsync<T>(fn: () => Promise<T>): Promise<T> {
    return this.ema.withWeightsAsync(fn);
  }

  /** Evaluate the EMA weights now (see scheduled-evaluation.ts). */
  evaluate(seeds: number): Promise<EvalRecord> {
    return this.evaluations.run(this.step, seeds);
  }

  /** Generate a grid for `prompts` with the EMA weights; returns its path and colour adherence. */
  sampleGrid(prompts: readonly string[], file: string, useEma = true): { path: string; adherence?: number; nfe: number } {
    return this.grids.draw(prompts, file, useEma);
  }

  /** Save a checkpoint of the current step, unless the non-finite policy refuses it. */
  async checkpoint(elapsedSeconds: number): Promise<string | undefined> {
    const refusal = this.nonFinite.checkpointRefusal(this.step, this.checkpoints.describe());
    if (refusal) {
      this.log(refusal);
      return undefined;
    }
    const { latentShape, dataset, shift } = this.parts;
    const counters = { step: this.step, rng: this.rng.getState(), loader: this.loader.getState(), elapsedSeconds };
    const dir = await this.checkpoints.write(this.weights(), {
      ...counters,
      skippedNonFinite: this.nonFinite.skipped,
      samples: this.grids.records,
      config: this.config,
      latentShape,
      imageChannels: dataset.channels,
      shift,
    });
    this.nonFinite.saved(this.step);
    return dir;
  }

  /** Train until the time budget, `maxSteps` or a stop request; then checkpoint, sample, report. */
  async run(): Promise<TrainResult> {
    const c = this.config;
    const start = Date.now();
    const elapsed = () => this.elapsedBefore + (Date.now() - start) / 1000 - this.evaluations.seconds;
    const budget = c.minutes * 60;
    const bar = new RunProgress(this.hooks.stream ?? process.stdout, c.logEvery);
    const window = new MetricsWindow();
    let stoppedBy: StopReason = 'time';
    let stopMessage = '';
    this.nonFinite.start(this.step);
    if (c.maxSteps !== undefined && this.step >= c.maxSteps) {
      this.log(`the run is already at step ${this.step} (maxSteps ${c.maxSteps}); nothing to train (raise --max-steps to continue)`);
    }
    const { model, dataset, formulation } = this.parts;
    const count = model.parameterCount?.() ?? [...model.trainableWeights().values()].reduce((n, v) => n + v.size, 0);
    this.log(
      `training ${model.name} (${count.toLocaleString('en-US')} parameters) on ${dataset.name} with ${formulation.name}; run folder ${this.runDir}`,
    );
    for (;;) {
      // Let signal handlers (Ctrl-C) and other events run between steps.
      await yieldToEventLoop();
      const stop = this.dueStop(elapsed() >= budget);
      if (stop) {
        stoppedBy = stop;
        break;
      }
      let r: StepResult;
      try {
        r = this.trainStep();
      } catch (e) {
        if (!(e instanceof NonFiniteStop)) throw e;
        bar.done();
        // Reported once, by the caller (the CLI prints it as the error line).
        stopMessage = `stopped at ${e.message}; ${this.checkpoints.describe()}`;
        stoppedBy = 'non-finite';
        break;
      }
      this.hooks.onStep?.(this.step, r.loss);
      window.add(r);
      const itPerSec = window.itPerSec();
      bar.update(this.step, r.loss, itPerSec, budgetProgress(this.step, elapsed(), budget, c.maxSteps, itPerSec));
      if (this.step % c.logEvery === 0) {
        const record = window.take(this.step, r.lr, itPerSec, elapsed());
        this.metrics.push(record);
        this.appendMetrics(record);
        if (!(this.hooks.stream ?? process.stdout).isTTY) this.log(decileLine(record));
      }
      if (this.step % c.sampleEvery === 0) {
        this.grids.atStep(this.step);
        this.writeReport();
      }
      if (this.evaluations.due(this.step)) {
        bar.done();
        await this.evaluations.run(this.step, 1);
      }
      // After the grid, so that a checkpoint of this step lists it (the report of a resumed run shows it).
      if (this.step % c.checkpointEvery === 0) await this.checkpoint(elapsed());
    }
    bar.done();
    // Nothing new to save when the last checkpoint is of this step (or the run stopped on NaN).
    if (stoppedBy !== 'non-finite' && this.step !== this.checkpoints.lastSavedStep) await this.checkpoint(elapsed());
    const checkpoint = this.checkpoints.path;
    let finalGrid: string | undefined;
    let adherence: number | undefined;
    let evaluation: EvalRecord | undefined;
    if (stoppedBy !== 'non-finite') {
      ({ path: finalGrid, adherence } = this.grids.final(this.step));
      if (c.evalSeeds > 0) evaluation = await this.evaluations.final(this.step);
    }
    const report = this.writeReport();
    const last = this.metrics[this.metrics.length - 1];
    if (last) this.log(bar.finalLine(this.step, last, stoppedBy === 'time' || stoppedBy === 'steps'));
    const result = { runDir: this.runDir, steps: this.step, stoppedBy, checkpoint, ...(stopMessage ? { stopMessage } : {}) };
    return { ...result, finalGrid, report, colorAdherence: adherence, evaluation, metrics: this.metrics };
  }

  /** Why the run stops before the next step, if it does. */
  private dueStop(outOfTime: boolean): StopReason | undefined {
    if (this.config.maxSteps !== undefined && this.step >= this.config.maxSteps) return 'steps';
    if (outOfTime) return 'time';
    return this.hooks.shouldStop?.() ? 'signal' : undefined;
  }

  private weights(): TrainingWeights {
    return { model: this.parts.model, textEncoder: this.parts.textEncoder, optimizer: this.optimizer, ema: this.ema };
  }

  private appendMetrics(record: MetricRecord | EvalRecord): void {
    appendMetrics(join(this.runDir, 'metrics.jsonl'), record, this.checkpoints.describe());
  }

  private writeReport(): string {
    return writeReport(
      this.runDir,
      `Rectiflow run ${this.runDir}`,
      this.config,
      this.metrics,
      this.grids.records,
      this.evaluations.records,
    );
  }

  dispose(): void {
    this.nonFinite.dispose();
    this.optimizer.dispose();
    this.ema.dispose();
    this.parts.model.dispose();
    this.parts.textEncoder.dispose();
    this.parts.autoencoder.dispose();
  }
}
