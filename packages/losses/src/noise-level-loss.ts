import { checkNumber, invalid } from '@rectiflow/core';

/** The loss of one noise-level bin. */
export interface NoiseLevelBin {
  /** The bin is [lower, upper) (the last one includes 1). */
  lower: number;
  upper: number;
  /** Samples that fell in the bin. */
  count: number;
  /** Their mean loss; NaN when the bin is empty. */
  meanLoss: number;
}

/**
 * The loss by noise level, the diagnostic minRF prints: the mean per-sample loss in each of
 * `bins` equal bins of t (deciles by default). High-t bins are near noise, low-t near data.
 */
export function lossByNoiseLevel(perSampleLoss: ArrayLike<number>, t: ArrayLike<number>, bins = 10): NoiseLevelBin[] {
  return new NoiseLevelTracker(bins).add(perSampleLoss, t).summary();
}

/** Accumulates {@link lossByNoiseLevel} over many batches, e.g. between two log lines. */
export class NoiseLevelTracker {
  private readonly sums: Float64Array;
  private readonly counts: Float64Array;

  constructor(readonly bins = 10) {
    checkNumber('bins', bins, { integer: true, min: 1 });
    this.sums = new Float64Array(bins);
    this.counts = new Float64Array(bins);
  }

  /** Add a batch's per-sample losses at their times. */
  add(perSampleLoss: ArrayLike<number>, t: ArrayLike<number>): this {
    if (perSampleLoss.length !== t.length) {
      invalid('perSampleLoss.length', perSampleLoss.length, `${t.length} (one loss per time t)`);
    }
    for (let i = 0; i < t.length; i++) {
      const ti = t[i];
      if (!(ti >= 0 && ti <= 1)) invalid(`t[${i}]`, ti, 'a time in [0, 1]');
      const bin = Math.min(Math.floor(ti * this.bins), this.bins - 1);
      this.sums[bin] += perSampleLoss[i];
      this.counts[bin] += 1;
    }
    return this;
  }

  /** The bins so far. */
  summary(): NoiseLevelBin[] {
    return Array.from({ length: this.bins }, (_, i) => ({
      lower: i / this.bins,
      upper: (i + 1) / this.bins,
      count: this.counts[i],
      meanLoss: this.counts[i] ? this.sums[i] / this.counts[i] : Number.NaN,
    }));
  }

  /** Forget everything added. */
  reset(): void {
    this.sums.fill(0);
    this.counts.fill(0);
  }
}
