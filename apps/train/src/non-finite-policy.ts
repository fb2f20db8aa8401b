/**
 * What a run does with non-finite values. A NaN or infinite loss or gradient means the
 * weights (or the optimizer state) may already be broken, so `--on-non-finite skip` does
 * not just skip the step: it restores the last finite weights, optimizer moments and EMA
 * (a snapshot taken at every checkpoint and at the start) and then goes on. A checkpoint
 * is only written when the weights, the optimizer state and the EMA are all finite.
 */
import { RectiflowError, tf } from '@rectiflow/core';
import type { AdamW, Ema } from '@rectiflow/optim';

/** Whether every tensor is finite (one reduction per tensor, one read). */
export function allFinite(tensors: Iterable<tf.Tensor>): boolean {
  const list = [...tensors];
  if (!list.length) return true;
  const bad = tf.tidy(() => tf.addN(list.map((p) => tf.sum(tf.cast(tf.logicalNot(tf.isFinite(p)), 'float32')))));
  const count = bad.dataSync()[0];
  bad.dispose();
  return count === 0;
}

/** Whether the trainable weights, the optimizer moments and the EMA shadows are all finite. */
export function trainingStateFinite(params: ReadonlyMap<string, tf.Variable>, optimizer: AdamW, ema: Ema): boolean {
  return allFinite([...params.values(), ...optimizer.state().tensors.values(), ...ema.shadow.values()]);
}

/** A copy of the last finite training state, to go back to after a non-finite step. */
export class LastFiniteState {
  private snapshot?: {
    step: number;
    params: Map<string, tf.Tensor>;
    optimizerStep: number;
    optimizer: Map<string, tf.Tensor>;
    emaUpdates: number;
    ema: Map<string, tf.Tensor>;
  };

  /** The step of the snapshot, if any. */
  get step(): number | undefined {
    return this.snapshot?.step;
  }

  /** Replace the snapshot with a copy of the current state (the caller checked it is finite). */
  capture(step: number, params: ReadonlyMap<string, tf.Variable>, optimizer: AdamW, ema: Ema): void {
    this.dispose();
    const opt = optimizer.state();
    this.snapshot = {
      step,
      params: new Map([...params].map(([k, v]) => [k, v.clone()])),
      optimizerStep: opt.step,
      optimizer: new Map([...opt.tensors].map(([k, v]) => [k, v.clone()])),
      emaUpdates: ema.updates,
      ema: new Map([...ema.shadow].map(([k, v]) => [k, v.clone()])),
    };
  }

  /** Put the snapshot back into the weights, optimizer and EMA; returns its step (undefined: no snapshot). */
  restore(params: ReadonlyMap<string, tf.Variable>, optimizer: AdamW, ema: Ema): number | undefined {
    const s = this.snapshot;
    if (!s) return undefined;
    for (const [name, p] of params) p.assign(s.params.get(name) as tf.Tensor);
    optimizer.load(s.optimizerStep, s.optimizer);
    ema.load(s.emaUpdates, s.ema);
    return s.step;
  }

  dispose(): void {
    if (!this.snapshot) return;
    tf.dispose([...this.snapshot.params.values(), ...this.snapshot.optimizer.values(), ...this.snapshot.ema.values()]);
    this.snapshot = undefined;
  }
}

/** A run stopped on a non-finite loss or gradient (the message says where). */
export class NonFiniteStop extends RectiflowError {
  override name = 'NonFiniteStop';
}

/** A run stops after this many non-finite steps in a row, even with `onNonFinite: skip`. */
export const MAX_CONSECUTIVE_SKIPS = 20;

/** The run's policy (`onNonFinite`): stop, or skip the step and go back to the last finite state. */
export class NonFinitePolicy {
  /** Non-finite steps skipped in the whole run (kept in checkpoints). */
  skipped = 0;
  private consecutive = 0;
  private readonly lastFinite = new LastFiniteState();

  constructor(
    private readonly mode: 'stop' | 'skip',
    private readonly params: ReadonlyMap<string, tf.Variable>,
    private readonly optimizer: AdamW,
    private readonly ema: Ema,
    private readonly log: (line: string) => void,
  ) {}

  /** At the start of a session: with `skip`, snapshot the state when it is finite. */
  start(step: number): void {
    if (this.mode === 'skip' && trainingStateFinite(this.params, this.optimizer, this.ema)) this.saved(step);
  }

  /**
   * A non-finite loss or gradient at `step`. With `stop`, or after {@link MAX_CONSECUTIVE_SKIPS}
   * in a row, throws {@link NonFiniteStop}; with `skip`, restores the last finite state and logs it.
   */
  skip(step: number, detail: string): void {
    if (this.mode === 'stop') throw new NonFiniteStop(`step ${step}: non-finite ${detail}`);
    this.skipped++;
    this.consecutive++;
    if (this.consecutive >= MAX_CONSECUTIVE_SKIPS) {
      throw new NonFiniteStop(`step ${step}: non-finite ${detail}, ${MAX_CONSECUTIVE_SKIPS} steps in a row`);
    }
    // The weights that produced this are likely broken already: go back to the last finite state.
    const restored = this.lastFinite.restore(this.params, this.optimizer, this.ema);
    this.log(
      `step ${step}: non-finite ${detail}; step skipped (${this.skipped} so far)` +
        (restored === undefined ? '' : `, weights, optimizer state and EMA restored from step ${restored}`),
    );
  }

  /** A finite step was applied. */
  stepDone(): void {
    this.consecutive = 0;
  }

  /**
   * Why no checkpoint may be written at `step` (a log line ending in `good`, the phrase for
   * the last good checkpoint), or undefined when one may.
   */
  checkpointRefusal(step: number, good: string): string | undefined {
    // After a skip the weights are the restored ones of an earlier step: a checkpoint now would only push a good one out.
    if (this.consecutive > 0) return `step ${step}: checkpoint not written after a skipped non-finite step (${good})`;
    if (!trainingStateFinite(this.params, this.optimizer, this.ema)) {
      return `step ${step}: the weights or optimizer state hold NaN or infinity; checkpoint not written (${good})`;
    }
    return undefined;
  }

  /** A checkpoint of `step` was written: with `skip`, it is the new state to go back to. */
  saved(step: number): void {
    if (this.mode === 'skip') this.lastFinite.capture(step, this.params, this.optimizer, this.ema);
  }

  dispose(): void {
    this.lastFinite.dispose();
  }
}
