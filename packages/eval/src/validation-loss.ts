/**
 * The validation loss of the paper (section 5.1): the training objective on held-out data,
 * at noise levels spread evenly over [0, 1] and with fixed noise, so that two evaluations
 * of the same model agree exactly and evaluations of two models see the same inputs.
 * Reported per t-decile and as the mean over the deciles.
 */
import { type Conditioning, checkNumber, createRng, tf } from '@rectiflow/core';
import { type Formulation, flowMatchingLoss, type LossModel } from '@rectiflow/losses';

/** One batch of held-out data: latents and their conditioning. */
export interface ValidationBatch {
  x0: tf.Tensor;
  conditioning?: Conditioning;
}

/** Options of {@link validationLoss}. */
export interface ValidationLossOptions {
  model: LossModel;
  /** The objective (process, weighting, output); its timestep sampler is not used. */
  formulation: Formulation;
  /** Held-out batches; the caller keeps ownership. */
  batches: readonly ValidationBatch[];
  /** Bins over t. Default 10 (deciles). */
  bins?: number;
  /** Seed of the noise. Default 0. */
  seed?: number;
}

/** The validation loss per t-bin (low t = near data first) and its mean over the bins. */
export interface ValidationLossResult {
  byDecile: number[];
  mean: number;
  /** Examples evaluated. */
  examples: number;
}

/**
 * Evaluate the objective on every held-out example once, example `i` (over all batches) at
 * `t = (i + 0.5) / n`, which puts the same number of examples in every bin when `n` is a
 * multiple of `bins`.
 */
export function validationLoss(options: ValidationLossOptions): ValidationLossResult {
  const bins = checkNumber('bins', options.bins ?? 10, { integer: true, min: 1, max: 1000 });
  const { batches, formulation, model } = options;
  const n = batches.reduce((sum, b) => sum + b.x0.shape[0], 0);
  checkNumber('held-out examples', n, { integer: true, min: bins });
  const rng = createRng(`validation/${options.seed ?? 0}`);
  const sums = new Float64Array(bins);
  const counts = new Float64Array(bins);
  let offset = 0;
  for (const batch of batches) {
    const b = batch.x0.shape[0];
    const t = Float64Array.from({ length: b }, (_, i) => (offset + i + 0.5) / n);
    const perSample = tf.tidy(() => {
      const eps = rng.normal(batch.x0.shape);
      const r = flowMatchingLoss({
        model,
        process: formulation.process,
        sampler: formulation.sampler,
        weighting: formulation.weighting,
        output: formulation.output,
        x0: batch.x0,
        conditioning: batch.conditioning,
        rng,
        t,
        eps,
        diagnostics: false,
      });
      return r.perSample;
    });
    const values = perSample.dataSync();
    perSample.dispose();
    for (let i = 0; i < b; i++) {
      const bin = Math.min(bins - 1, Math.floor(t[i] * bins));
      sums[bin] += values[i];
      counts[bin]++;
    }
    offset += b;
  }
  const byDecile = Array.from(sums, (s, i) => s / counts[i]);
  return { byDecile, mean: byDecile.reduce((a, v) => a + v, 0) / bins, examples: n };
}
