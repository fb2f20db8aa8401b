/**
 * A small text-to-image model trained in the page (in the engine worker), from the same
 * packages the train app composes: the `shapes` dataset and loader (@rectiflow/data), the
 * frozen small text encoder (@rectiflow/text-encoders), the MM-DiT (@rectiflow/mmdit) and the
 * default formulation's flow-matching loss (@rectiflow/losses), and the train app's AdamW, EMA
 * and learning-rate schedule (@rectiflow/optim). The loop itself is this file's (no metrics
 * files or report in a tab); the checkpoint it writes is the train app's format, so
 * `rectiflow-sample --checkpoint` reads it.
 */
import { create, createRng, RectiflowError, type Rng, tf } from '@rectiflow/core';
import { createShapesDataset, DataLoader } from '@rectiflow/data';
import { type Formulation, flowMatchingLoss } from '@rectiflow/losses';
import { MMDiT, MMDiTVelocityModel } from '@rectiflow/mmdit';
import { AdamW, Ema, learningRate } from '@rectiflow/optim';
import { serializeSafetensors } from '@rectiflow/safetensors';
import { SmallTextEncoder } from '@rectiflow/text-encoders';
import type { TrainRequest } from './protocol';

/** The recipe of the page's model (the train app's default, at a size a tab trains in minutes). */
export const BROWSER_RECIPE = {
  dataset: 'shapes(count=50000)',
  model: 'mmdit(depth=2, patch=4, qkNorm=true)',
  textEncoder: 'small-text(dim=64, depth=2, heads=4, length=16, trainable=false)',
  autoencoder: 'pixel',
  formulation: 'rf/lognorm(0.50, 0.80)',
  shift: 1,
  textDropout: 0.1,
  // The train app's defaults, except a shorter warm-up and EMA for runs of hundreds of steps.
  warmupSteps: 20,
  weightDecay: 0.01,
  emaDecay: 0.99,
  clipNorm: 1,
  sampleSteps: 24,
  guidance: 3,
  sampleSolver: 'euler',
} as const;

/** Bounds of what the page accepts, checked before anything is allocated. */
export const TRAIN_LIMITS = { steps: 100_000, batchSize: 64, learningRate: 0.1 } as const;

function checkRequest(r: TrainRequest): void {
  const int = (field: string, v: number, max: number) => {
    if (!Number.isInteger(v) || v < 1 || v > max) throw new RectiflowError(`${field}: got ${v}; expected an integer from 1 to ${max}`);
  };
  int('steps', r.steps, TRAIN_LIMITS.steps);
  int('batchSize', r.batchSize, TRAIN_LIMITS.batchSize);
  int('sampleEvery', r.sampleEvery, TRAIN_LIMITS.steps);
  if (!(r.learningRate > 0 && r.learningRate <= TRAIN_LIMITS.learningRate)) {
    throw new RectiflowError(`learningRate: got ${r.learningRate}; expected a number in (0, ${TRAIN_LIMITS.learningRate}]`);
  }
  if (!Number.isInteger(r.seed)) throw new RectiflowError(`seed: got ${r.seed}; expected an integer`);
}

/** One training step's numbers. */
export interface BrowserStep {
  step: number;
  loss: number;
  /** Mean loss per t-decile of this batch (null where the batch had no sample). */
  lossByDecile: Array<number | null>;
}

export class BrowserTrainer {
  readonly request: TrainRequest;
  readonly model: MMDiTVelocityModel;
  readonly textEncoder: SmallTextEncoder;
  readonly formulation: Formulation;
  private readonly loader: DataLoader;
  private readonly optimizer: AdamW;
  private readonly ema: Ema;
  private readonly rng: Rng;
  private readonly params: ReadonlyMap<string, tf.Variable>;
  private readonly byVariableName: Map<string, string>;
  step = 0;

  constructor(request: TrainRequest) {
    checkRequest(request);
    this.request = request;
    const dataset = createShapesDataset({ count: 50_000, seed: 0 });
    this.loader = new DataLoader(dataset, { batchSize: request.batchSize, seed: request.seed });
    const captions = Array.from({ length: 2000 }, (_, i) => dataset.get(Math.floor((i * dataset.size) / 2000)).caption);
    this.textEncoder = SmallTextEncoder.fromCaptions(captions, {
      dim: 64,
      depth: 2,
      heads: 4,
      length: 16,
      seed: request.seed,
      trainable: false,
    });
    const mmdit = new MMDiT(
      { depth: 2, patchSize: 4, qkNorm: true, inChannels: 3, contextDim: 64, pooledDim: 64, posEmbedMaxSize: 8 },
      { seed: request.seed },
    );
    this.model = new MMDiTVelocityModel(mmdit, BROWSER_RECIPE.model);
    this.formulation = create('formulation', BROWSER_RECIPE.formulation);
    this.rng = createRng(`browser-train/${request.seed}`);
    this.params = this.model.trainableWeights();
    this.byVariableName = new Map([...this.params].map(([name, v]) => [v.name, name]));
    this.optimizer = new AdamW(this.params, { weightDecay: BROWSER_RECIPE.weightDecay, clipNorm: BROWSER_RECIPE.clipNorm });
    this.ema = new Ema(this.params, BROWSER_RECIPE.emaDecay);
  }

  /** One optimizer step on the next batch. NaN or Inf stops training with an error. */
  trainStep(): BrowserStep {
    const batch = this.loader.next();
    const captions = batch.captions.map((c) => (this.rng.uniformNumber() < BROWSER_RECIPE.textDropout ? '' : c));
    let bins: Array<{ count: number; meanLoss: number }> = [];
    let lossValue: number;
    try {
      const { value, grads } = tf.variableGrads(() => {
        const enc = this.textEncoder.encode(captions);
        const r = flowMatchingLoss({
          model: this.model.predict,
          process: this.formulation.process,
          sampler: this.formulation.sampler,
          weighting: this.formulation.weighting,
          output: this.formulation.output,
          x0: batch.images,
          conditioning: { context: enc.context, pooled: enc.pooled },
          rng: this.rng,
        });
        bins = r.byNoiseLevel;
        return r.loss;
      }, [...this.params.values()]);
      lossValue = value.dataSync()[0];
      value.dispose();
      if (!Number.isFinite(lossValue)) {
        tf.dispose(grads);
        throw new RectiflowError(`loss: got ${lossValue} at step ${this.step + 1}; training stopped (lower the learning rate)`);
      }
      const named = Object.fromEntries(Object.entries(grads).map(([v, g]) => [this.byVariableName.get(v) as string, g]));
      const lr = learningRate(this.step + 1, { lr: this.request.learningRate, warmupSteps: BROWSER_RECIPE.warmupSteps });
      try {
        this.optimizer.apply(named, lr);
      } finally {
        tf.dispose(grads);
      }
    } finally {
      batch.images.dispose();
    }
    this.ema.update();
    this.step++;
    return { step: this.step, loss: lossValue, lossByDecile: bins.map((b) => (b.count ? b.meanLoss : null)) };
  }

  /** Run `fn` with the EMA weights in the model, then put the raw weights back. */
  withEma<T>(fn: () => T): T {
    return this.ema.withWeights(fn);
  }

  /** The checkpoint folder's files, as the train app writes them (raw and EMA weights, `state.json`). */
  async checkpointFiles(): Promise<Map<string, Uint8Array>> {
    const mmdit = this.model.model;
    const raw = mmdit.stateDict();
    const ema = this.withEma(() => mmdit.stateDict());
    try {
      const text = await serializeSafetensors(this.textEncoder.weights());
      const state = {
        step: this.step,
        config: { ...BROWSER_RECIPE, batchSize: this.request.batchSize, lr: this.request.learningRate, seed: this.request.seed },
        vocabulary: this.textEncoder.vocabulary,
        textEncoder: { config: this.textEncoder.config },
        latentShape: [3, 32, 32],
        imageChannels: 3,
        shift: 1,
        trainedIn: 'browser',
      };
      return new Map([
        ['state.json', new TextEncoder().encode(`${JSON.stringify(state, null, 2)}\n`)],
        ['model.safetensors', await serializeSafetensors(raw)],
        ['ema.safetensors', await serializeSafetensors(ema)],
        ['text-encoder.safetensors', text],
        ['text-encoder-ema.safetensors', text],
      ]);
    } finally {
      tf.dispose([...raw.values(), ...ema.values()]);
    }
  }

  dispose(): void {
    this.model.dispose();
    this.textEncoder.dispose();
    this.optimizer.dispose();
    this.ema.dispose();
  }
}
