/**
 * What a run does with non-finite values. A NaN or infinite loss or gradient means the
 * weights (or the optimizer state) may already be broken, so `--on-non-finite skip` does
 * not just skip the step: it restores the last finite weights, optimizer moments and EMA
 * (a snapshot taken at every checkpoint and at the start) and then goes on. A checkpoint
 * is only written when the weights, the optimizer state and the EMA are all finite.
 */
import { tf } from '@rectiflow/core';
import type { AdamW } from './adamw';
import type { Ema } from './ema';

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
