/**
 * The training loop: data -> autoencoder -> text encoder + MM-DiT -> flow-matching loss ->
 * AdamW with warm-up and clipping -> EMA; metrics, sample grids, checkpoints and the
 * report on the way. A run resumed from a checkpoint continues bit-identically.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { createRng, NonFiniteError, RectiflowError, type Rng, type RngState, registry, tf } from '@rectiflow/core';
import { colorAdherence, createShapesDataset, DataLoader, type LoaderState } from '@rectiflow/data';
import { flowMatchingLoss } from '@rectiflow/losses';
import { loadMMDiT } from '@rectiflow/mmdit';
import { AdamW } from './adamw';
import { cleanStaleCheckpoints, openCheckpoint, saveCheckpoint, writeTextAtomic } from './checkpoint';
import { buildComponents, type Components } from './components';
import { resumeConfig, type TrainConfig } from './config';
import { Ema } from './ema';
import { type EvalRecord, evaluateModel } from './evaluation';
import { generate, gridPng, imageArrays } from './generate';
import { learningRate } from './lr-schedule';
import { formatProgress, ProgressBar } from './progress';
import { type MetricRecord, type SampleRecord, writeReport } from './report';

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
  checkpoint: string;
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
}

/** Prompts the final grid uses: held-out captions for shapes (the test split), else the sample prompts. */
export function heldOutPrompts(config: TrainConfig, count = 16): string[] {
  if (/^shapes\b/.test(config.dataset)) {
    const held = createShapesDataset({ count, seed: config.seed, split: 'test' });
    return Array.from({ length: count }, (_, i) => held.get(i).caption);
  }
  return config.samplePrompts;
}

/** A run stops after this many non-finite steps in a row, even with `onNonFinite: skip`. */
export const MAX_CONSECUTIVE_SKIPS = 20;

/** Whether every trainable parameter is finite (one reduction per tensor, one read). */
function allFinite(params: ReadonlyMap<string, tf.Variable>): boolean {
  const bad = tf.tidy(() => tf.addN([...params.values()].map((p) => tf.sum(tf.cast(tf.logicalNot(tf.isFinite(p)), 'float32')))));
  const count = bad.dataSync()[0];
  bad.dispose();
  return count === 0;
}

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
  static async create(config: TrainConfig, hooks: TrainerHooks = {}, given?: Record<string, unknown>): Promise<Trainer> {
    const runDir = resolve(config.out);
    mkdirSync(runDir, { recursive: true });
    const hasCheckpoint = existsSync(join(runDir, 'checkpoints', 'latest.json'));
    if (!config.resume && hasCheckpoint) {
      throw new RectiflowError(`out: ${runDir} already holds a run; pass --resume to continue it or choose another --out`);
    }
    if (config.resume && !hasCheckpoint) throw new RectiflowError(`resume: no checkpoint in ${runDir}/checkpoints`);
    let effective = config;
    if (config.resume) {
      // The run's own configuration, with only the options the user gave now applied over it.
      const saved = openCheckpoint<TrainState>(runDir).state.config;
      effective = resumeConfig(saved, given ?? { ...config, out: saved.out });
      effective = { ...effective, out: config.out };
    }
    registry.resolve('solver', effective.sampleSolver);
    cleanStaleCheckpoints(runDir);
    const parts = await buildComponents(effective);
    const trainer = new Trainer(effective, parts, hooks);
    try {
      if (effective.resume) await trainer.restore();
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

  private async restore(): Promise<void> {
    const ckpt = openCheckpoint<TrainState>(this.runDir);
    const s = ckpt.state;
    if (JSON.stringify(s.vocabulary) !== JSON.stringify(this.parts.textEncoder.vocabulary.toJSON())) {
      throw new RectiflowError('resume: the caption vocabulary differs from the checkpoint (was the dataset changed?)');
    }
    const model = await loadMMDiT(join(ckpt.dir, 'model.safetensors'));
    const fresh = this.parts.model.model.parameters();
    const loaded = new Map(model.parameters().map((e) => [e.key, e.variable]));
    for (const e of fresh) {
      const src = loaded.get(e.key);
      if (!src || src.shape.join() !== e.variable.shape.join())
        throw new RectiflowError(`resume: model tensor ${e.key} missing or misshaped`);
      e.variable.assign(src);
    }
    model.dispose();
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
    const metricsPath = join(this.runDir, 'metrics.jsonl');
    if (existsSync(metricsPath)) {
      const lines = readFileSync(metricsPath, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as MetricRecord | EvalRecord)
        .filter((m) => m.step <= s.step);
      this.metrics = lines.filter((m): m is MetricRecord => !('type' in m));
      this.evals = lines.filter((m): m is EvalRecord => 'type' in m && m.type === 'eval');
      writeTextAtomic(metricsPath, lines.map((m) => `${JSON.stringify(m)}\n`).join(''));
    }
    this.log(`resumed ${this.runDir} at step ${this.step}`);
  }

  /** The current step. */
  get currentStep(): number {
    return this.step;
  }

  /** Named trainable parameters (for tests and tools). */
  parameters(): ReadonlyMap<string, tf.Variable> {
    return this.params;
  }

  /** One optimisation step; returns the loss, or NaN when a non-finite step was skipped. */
  trainStep(): { loss: number; gradNorm: number; lr: number; byNoiseLevel: Array<{ count: number; meanLoss: number }> } {
    const { autoencoder, textEncoder, model, formulation } = this.parts;
    const batch = this.loader.next();
    const x0 = tf.tidy(() => {
      const dist = autoencoder.encode(batch.images, this.rng);
      return dist.sample;
    });
    batch.images.dispose();
    const captions = batch.captions.map((c) => (this.rng.uniformNumber() < this.config.textDropout ? '' : c));
    const step = this.step + 1;
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
        return r.loss;
      }, [...this.params.values()]);
    } catch (e) {
      x0.dispose();
      if (e instanceof NonFiniteError) return this.nonFinite(step, e.message);
      throw e;
    }
    x0.dispose();
    const loss = result.value.dataSync()[0];
    const grads: Record<string, tf.Tensor> = {};
    for (const [varName, g] of Object.entries(result.grads)) grads[this.byVariableName.get(varName) as string] = g;
    try {
      const gradNorm = AdamW.globalNorm(grads);
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) return this.nonFinite(step, `loss ${loss}, gradient norm ${gradNorm}`);
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
      tf.dispose([result.value, ...Object.values(result.grads)]);
    }
  }

  private nonFinite(step: number, detail: string): { loss: number; gradNorm: number; lr: number; byNoiseLevel: [] } {
    if (this.config.onNonFinite === 'stop') {
      throw new NonFiniteError(`training step ${step} (${detail}); the last good checkpoint is kept`, 1, 0);
    }
    this.skippedNonFinite++;
    this.consecutiveSkips++;
    if (this.consecutiveSkips >= MAX_CONSECUTIVE_SKIPS) {
      throw new NonFiniteError(
        `training step ${step} (${detail}); ${MAX_CONSECUTIVE_SKIPS} steps in a row were non-finite, so the weights are likely broken; the last good checkpoint is kept`,
        1,
        0,
      );
    }
    this.step = step;
    this.log(`step ${step}: non-finite loss or gradient (${detail}); step skipped (${this.skippedNonFinite} so far)`);
    return { loss: Number.NaN, gradNorm: Number.NaN, lr: 0, byNoiseLevel: [] };
  }

  /** Run `fn` with the EMA weights swapped in. */
  withEmaWeights<T>(fn: () => T): T {
    const backups = new Map([...this.params].map(([name, p]) => [name, p.clone()]));
    try {
      for (const [name, p] of this.params) p.assign(this.ema.shadow.get(name) as tf.Variable);
      return fn();
    } finally {
      for (const [name, p] of this.params) p.assign(backups.get(name) as tf.Tensor);
      tf.dispose([...backups.values()]);
    }
  }

  /** Run an asynchronous `fn` with the EMA weights swapped in. */
  async withEmaWeightsAsync<T>(fn: () => Promise<T>): Promise<T> {
    const backups = new Map([...this.params].map(([name, p]) => [name, p.clone()]));
    try {
      for (const [name, p] of this.params) p.assign(this.ema.shadow.get(name) as tf.Variable);
      return await fn();
    } finally {
      for (const [name, p] of this.params) p.assign(backups.get(name) as tf.Tensor);
      tf.dispose([...backups.values()]);
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
    appendFileSync(join(this.runDir, 'metrics.jsonl'), `${JSON.stringify(record)}\n`);
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
    const { autoencoder, textEncoder, model, latentShape, dataset } = this.parts;
    const run = () =>
      generate({
        model: model.predict,
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
      const adherence = /^shapes\b/.test(this.config.dataset)
        ? colorAdherence(imageArrays(images), prompts, dataset.height, dataset.width)
        : undefined;
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
    if (!allFinite(this.params)) {
      this.log(`step ${this.step}: the weights hold NaN or infinity; checkpoint not written (the last good one is kept)`);
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
      const dir = await saveCheckpoint(this.runDir, {
        step: this.step,
        files: {
          model: modelState,
          ema: emaState,
          'text-encoder': this.parts.textEncoder.weights(),
          'text-encoder-ema': textEma,
          optimizer: optimizerFile,
        },
        state,
      });
      this.lastSavedStep = this.step;
      return dir;
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
    const metricsPath = join(this.runDir, 'metrics.jsonl');
    let window = { losses: 0, count: 0, gradNorm: 0, started: Date.now(), steps: 0 };
    const decileSums = new Float64Array(10);
    const decileCounts = new Float64Array(10);
    let stoppedBy: StopReason = 'time';
    let lastLoss = Number.NaN;
    let lastCheckpoint = '';
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
        if (e instanceof NonFiniteError) {
          bar.done();
          this.log(`stopped: ${e.message}${lastCheckpoint ? ` (${lastCheckpoint})` : ''}`);
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
      const stepsLeftByTime = (budget - elapsed()) * itPerSec;
      const total = c.maxSteps !== undefined ? Math.min(c.maxSteps, this.step + stepsLeftByTime) : this.step + stepsLeftByTime;
      bar.update({
        step: this.step,
        loss: lastLoss,
        itPerSec,
        fraction: this.step / Math.max(1, total),
        etaSeconds: Math.max(0, (total - this.step) / Math.max(1e-6, itPerSec)),
      });
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
        appendFileSync(metricsPath, `${JSON.stringify(record)}\n`);
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
      if (this.step % c.checkpointEvery === 0) lastCheckpoint = (await this.checkpoint(elapsed())) ?? lastCheckpoint;
    }
    bar.done();
    // Nothing new to save when the last checkpoint is of this step (or the run stopped on NaN).
    const latest = () => openCheckpoint(this.runDir).dir;
    const checkpoint =
      stoppedBy === 'non-finite' || this.step === this.lastSavedStep
        ? lastCheckpoint || (this.lastSavedStep >= 0 ? latest() : '')
        : ((await this.checkpoint(elapsed())) ?? (lastCheckpoint || latest()));
    let finalGrid: string | undefined;
    let adherence: number | undefined;
    if (stoppedBy !== 'non-finite') {
      const prompts = heldOutPrompts(c);
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
          loss: lastLoss,
          itPerSec: this.metrics[this.metrics.length - 1].itPerSec,
          fraction: 1,
          etaSeconds: 0,
        }),
      );
    return {
      runDir: this.runDir,
      steps: this.step,
      stoppedBy,
      checkpoint,
      finalGrid,
      report,
      colorAdherence: adherence,
      evaluation,
      metrics: this.metrics,
    };
  }

  dispose(): void {
    this.optimizer.dispose();
    this.ema.dispose();
    this.parts.model.dispose();
    this.parts.textEncoder.dispose();
    this.parts.autoencoder.dispose();
  }
}
