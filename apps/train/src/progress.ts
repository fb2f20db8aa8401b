/**
 * A one-line progress display: step, loss, it/s and ETA. Redraws in place on a terminal
 * and prints a plain line every `every` steps otherwise (CI logs, pipes).
 */
export interface ProgressInfo {
  step: number;
  loss: number;
  /** Steps per second over the recent window. */
  itPerSec: number;
  /** Fraction of the budget used, in [0, 1]. */
  fraction: number;
  /** Seconds left in the budget. */
  etaSeconds: number;
}

/**
 * How much of a run's budget is used: the larger of the time fraction and, with a step cap,
 * the step fraction. Both only grow, so the percentage never goes backwards (a rate estimate
 * from a noisy window made it jump 36%, 34%, 36%, 44%, 40%). The ETA is the nearer of the two
 * limits: the time left, and the steps left at the current rate.
 */
export function budgetProgress(
  step: number,
  elapsedSeconds: number,
  budgetSeconds: number,
  maxSteps: number | undefined,
  itPerSec: number,
): { fraction: number; etaSeconds: number } {
  const byTime = budgetSeconds > 0 ? elapsedSeconds / budgetSeconds : 1;
  const bySteps = maxSteps !== undefined ? step / Math.max(1, maxSteps) : 0;
  const timeLeft = Math.max(0, budgetSeconds - elapsedSeconds);
  const stepsLeft = maxSteps !== undefined ? Math.max(0, maxSteps - step) / Math.max(1e-6, itPerSec) : Number.POSITIVE_INFINITY;
  return { fraction: Math.min(1, Math.max(byTime, bySteps)), etaSeconds: Math.min(timeLeft, stepsLeft) };
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

/** Render the progress line (no newline). */
export function formatProgress(p: ProgressInfo, width = 24): string {
  const filled = Math.round(Math.min(1, Math.max(0, p.fraction)) * width);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
  return `${bar} ${(p.fraction * 100).toFixed(0).padStart(3)}% | step ${p.step} | loss ${p.loss.toFixed(4)} | ${p.itPerSec.toFixed(2)} it/s | ETA ${clock(p.etaSeconds)}`;
}

export class ProgressBar {
  private lastDraw = 0;

  constructor(
    private readonly stream: { isTTY?: boolean; write(s: string): unknown },
    private readonly every: number,
  ) {}

  update(p: ProgressInfo): void {
    if (this.stream.isTTY) {
      const now = Date.now();
      if (now - this.lastDraw < 100) return;
      this.lastDraw = now;
      this.stream.write(`\r${formatProgress(p)}\u001b[K`);
    } else if (p.step % this.every === 0) {
      this.stream.write(`${formatProgress(p)}\n`);
    }
  }

  /** End the in-place line so other output starts on a new line. */
  done(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}

/**
 * The progress display of a run: the bar, with a fraction that never goes backwards (the
 * time of each evaluation is given back to the budget after it), and the closing line.
 */
export class RunProgress {
  private readonly bar: ProgressBar;
  private shown = 0;
  private lastLoss = Number.NaN;

  constructor(stream: { isTTY?: boolean; write(s: string): unknown }, every: number) {
    this.bar = new ProgressBar(stream, every);
  }

  /** Show `step` (a NaN loss, of a skipped step, keeps the last finite one). */
  update(step: number, loss: number, itPerSec: number, progress: { fraction: number; etaSeconds: number }): void {
    if (Number.isFinite(loss)) this.lastLoss = loss;
    this.shown = Math.max(this.shown, progress.fraction);
    this.bar.update({ step, loss: this.lastLoss, itPerSec, fraction: this.shown, etaSeconds: progress.etaSeconds });
  }

  /** End the in-place line. */
  done(): void {
    this.bar.done();
  }

  /**
   * The line that closes a run, with the speed and (without a finite step) the loss of the last
   * metrics record; 100% only when the budget ran out (`complete`), not after a stop by signal or on NaN.
   */
  finalLine(step: number, last: { loss: number; itPerSec: number }, complete: boolean): string {
    return formatProgress({
      step,
      loss: Number.isFinite(this.lastLoss) ? this.lastLoss : last.loss,
      itPerSec: last.itPerSec,
      fraction: complete ? 1 : this.shown,
      etaSeconds: 0,
    });
  }
}
