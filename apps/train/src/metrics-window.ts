/**
 * The training metrics between two log lines: the mean loss and gradient norm of the
 * finite steps, the speed, and the loss per noise-level decile, as one `metrics.jsonl` record.
 */
import type { MetricRecord } from './report';
import type { StepResult } from './train-step';

export class MetricsWindow {
  private losses = 0;
  private gradNorm = 0;
  private count = 0;
  private steps = 0;
  private started = Date.now();
  private readonly decileSums = new Float64Array(10);
  private readonly decileCounts = new Float64Array(10);

  /** Count one step (a skipped non-finite step counts for the speed only). */
  add(r: StepResult): void {
    if (Number.isFinite(r.loss)) {
      this.losses += r.loss;
      this.gradNorm += r.gradNorm;
      this.count++;
      r.byNoiseLevel.forEach((bin, d) => {
        if (bin.count > 0) {
          this.decileSums[d] += bin.meanLoss * bin.count;
          this.decileCounts[d] += bin.count;
        }
      });
    }
    this.steps++;
  }

  /** Steps per second since the window started. */
  itPerSec(): number {
    return this.steps / Math.max(1e-3, (Date.now() - this.started) / 1000);
  }

  /** The window's record; the window starts over. */
  take(step: number, lr: number, itPerSec: number, elapsedSeconds: number): MetricRecord {
    const { decileSums, decileCounts } = this;
    const record: MetricRecord = {
      step,
      loss: this.count ? this.losses / this.count : Number.NaN,
      lr,
      gradNorm: this.count ? this.gradNorm / this.count : Number.NaN,
      itPerSec,
      elapsedSeconds,
      lossByDecile: Array.from(decileSums, (s, d) => (decileCounts[d] ? s / decileCounts[d] : Number.NaN)),
    };
    this.losses = 0;
    this.gradNorm = 0;
    this.count = 0;
    this.steps = 0;
    this.started = Date.now();
    decileSums.fill(0);
    decileCounts.fill(0);
    return record;
  }
}

/** The loss by t-decile as one line (for logs that are not a terminal). */
export function decileLine(record: MetricRecord): string {
  const deciles = record.lossByDecile?.map((v) => (Number.isFinite(v) ? v.toFixed(3) : '-')).join(' ');
  return `  loss by t-decile (t=0 -> 1): ${deciles}`;
}
