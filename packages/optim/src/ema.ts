/**
 * An exponential moving average of named variables: shadow = d * shadow + (1 - d) * param,
 * with the usual warm-up d_t = min(decay, (1 + t) / (10 + t)). Sampling, evaluation and
 * checkpoints swap the shadows into the variables for a while ({@link Ema.withWeights}).
 */
import { checkNumber, checkWeights, tf } from '@rectiflow/core';

export class Ema {
  readonly shadow = new Map<string, tf.Variable>();
  updates = 0;

  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    readonly decay: number,
  ) {
    checkNumber('ema decay', decay, { min: 0, lessThan: 1 });
    for (const [name, p] of params)
      this.shadow.set(
        name,
        tf.tidy(() => tf.variable(p.clone(), false)),
      );
  }

  /** The decay used for the next update. */
  currentDecay(): number {
    return Math.min(this.decay, (1 + this.updates) / (10 + this.updates));
  }

  update(): void {
    const d = this.currentDecay();
    this.updates++;
    for (const [name, p] of this.params) {
      const s = this.shadow.get(name) as tf.Variable;
      tf.tidy(() => s.assign(tf.add(tf.mul(s, d), tf.mul(p, 1 - d))));
    }
  }

  /** Restore shadows and the update count. */
  load(updates: number, tensors: ReadonlyMap<string, tf.Tensor>): void {
    checkWeights('EMA state', tensors, new Map([...this.shadow].map(([name, s]) => [name, s.shape])), { allowUnexpected: true });
    for (const [name, s] of this.shadow) s.assign(tensors.get(name) as tf.Tensor);
    this.updates = updates;
  }

  /** Swap the shadows into the variables; the returned function swaps the training weights back. */
  swapIn(): () => void {
    const backups = new Map([...this.params].map(([name, p]) => [name, p.clone()]));
    for (const [name, p] of this.params) p.assign(this.shadow.get(name) as tf.Variable);
    return () => {
      for (const [name, p] of this.params) p.assign(backups.get(name) as tf.Tensor);
      tf.dispose([...backups.values()]);
    };
  }

  /** Run `fn` with the EMA weights swapped in. */
  withWeights<T>(fn: () => T): T {
    const restore = this.swapIn();
    try {
      return fn();
    } finally {
      restore();
    }
  }

  /** Run an asynchronous `fn` with the EMA weights swapped in. */
  async withWeightsAsync<T>(fn: () => Promise<T>): Promise<T> {
    const restore = this.swapIn();
    try {
      return await fn();
    } finally {
      restore();
    }
  }

  dispose(): void {
    for (const s of this.shadow.values()) s.dispose();
    this.shadow.clear();
  }
}
