/**
 * One optimisation step: the next batch through the autoencoder, the text encoder (with
 * caption dropout) and the model, the flow-matching loss and its gradients (summed over
 * `accumulationSteps` micro-batches), the learning-rate schedule, AdamW and the EMA.
 */
import { NonFiniteError, type Rng, type Trainable, tf } from '@rectiflow/core';
import type { DataLoader } from '@rectiflow/data';
import { flowMatchingLoss } from '@rectiflow/losses';
import type { Ema } from '@rectiflow/optim';
import { AdamW, learningRate } from '@rectiflow/optim';
import type { Components } from './components';
import type { TrainConfig } from './config';

/** The mean loss of each noise-level bin (t-decile) of a step. */
export type NoiseLevelLosses = Array<{ count: number; meanLoss: number }>;

/** What a step reports; the loss is NaN when a non-finite step was skipped. */
export interface StepResult {
  loss: number;
  gradNorm: number;
  lr: number;
  byNoiseLevel: NoiseLevelLosses;
}

/**
 * The trainable variables of a run by checkpoint name: `mmdit.<name>` for the model (the
 * prefix of every run's optimizer state and EMA, whatever the model) and `text.<name>` for the
 * text encoder.
 */
export function trainingParameters(model: Trainable, textEncoder: Trainable): Map<string, tf.Variable> {
  const params = new Map<string, tf.Variable>();
  for (const [name, v] of model.trainableWeights()) params.set(`mmdit.${name}`, v);
  for (const [name, v] of textEncoder.trainableWeights()) params.set(`text.${name}`, v);
  return params;
}

/** The loss and gradients of one micro-batch. */
interface MicroBatch {
  loss: number;
  grads: Record<string, tf.Tensor>;
  byNoiseLevel: NoiseLevelLosses;
}

export class TrainStep {
  private readonly byVariableName = new Map<string, string>();

  constructor(
    private readonly config: TrainConfig,
    private readonly parts: Components,
    private readonly params: ReadonlyMap<string, tf.Variable>,
    private readonly optimizer: AdamW,
    private readonly ema: Ema,
    private readonly loader: DataLoader,
    private readonly rng: Rng,
  ) {
    for (const [name, v] of params) this.byVariableName.set(v.name, name);
  }

  /**
   * Step number `step`: the result, or `{ nonFinite }` saying what was not finite (nothing
   * was applied then). With `accumulationSteps` k > 1 the gradients of k micro-batches (each of
   * the mean loss / k) are summed before one optimizer step: the gradient of the mean loss over
   * k * batchSize images.
   */
  run(step: number): StepResult | { nonFinite: string } {
    const k = this.config.accumulationSteps;
    let grads: Record<string, tf.Tensor> = {};
    let loss = 0;
    let byNoiseLevel: NoiseLevelLosses = [];
    try {
      for (let i = 0; i < k; i++) {
        let micro: MicroBatch;
        try {
          micro = this.microBatchGrads(k);
        } catch (e) {
          if (e instanceof NonFiniteError) {
            return { nonFinite: `loss or gradient (${e.nanCount} NaN and ${e.infCount} infinite value(s) in ${e.where})` };
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
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
        return { nonFinite: `loss or gradient (loss ${loss}, gradient norm ${gradNorm})` };
      }
      const lr = learningRate(step, {
        lr: this.config.lr,
        warmupSteps: this.config.warmupSteps,
        decay: this.config.lrDecay,
        totalSteps: this.config.maxSteps,
      });
      this.optimizer.apply(grads, lr);
      this.ema.update();
      return { loss, gradNorm, lr, byNoiseLevel };
    } finally {
      tf.dispose(Object.values(grads));
    }
  }

  /**
   * The loss (divided by `parts`) and its gradients by parameter name for the next batch.
   * Throws NonFiniteError from the loss; the caller owns the returned gradients.
   */
  private microBatchGrads(parts: number): MicroBatch {
    const { autoencoder, textEncoder, model, formulation } = this.parts;
    const batch = this.loader.next();
    const x0 = tf.tidy(() => {
      const dist = autoencoder.encode(batch.images, this.rng);
      return dist.sample;
    });
    batch.images.dispose();
    const captions = batch.captions.map((c) => (this.rng.uniformNumber() < this.config.textDropout ? '' : c));
    let byNoiseLevel: NoiseLevelLosses = [];
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
}
