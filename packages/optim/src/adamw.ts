/**
 * AdamW (Loshchilov & Hutter) with decoupled weight decay and global-norm gradient
 * clipping, over named variables. Its whole state (step, first and second moments) is
 * exposed as named tensors, so a checkpoint restores it exactly.
 */
import { checkNumber, checkWeights, tf } from '@rectiflow/core';

/** AdamW hyper-parameters. */
export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Decoupled weight decay, applied to parameters of rank >= 2 only. Default 0.01. */
  weightDecay?: number;
  /** Clip gradients to this global L2 norm; 0 disables. Default 1. */
  clipNorm?: number;
}

/** What one update did. */
export interface AdamWStepInfo {
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** The learning rate used. */
  lr: number;
}

export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  readonly clipNorm: number;
  /** Number of updates applied. */
  step = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    options: AdamWOptions = {},
  ) {
    this.beta1 = checkNumber('beta1', options.beta1 ?? 0.9, { min: 0, lessThan: 1 });
    this.beta2 = checkNumber('beta2', options.beta2 ?? 0.999, { min: 0, lessThan: 1 });
    this.epsilon = checkNumber('epsilon', options.epsilon ?? 1e-8, { greaterThan: 0 });
    this.weightDecay = checkNumber('weightDecay', options.weightDecay ?? 0.01, { min: 0 });
    this.clipNorm = checkNumber('clipNorm', options.clipNorm ?? 1, { min: 0 });
    for (const [name, p] of params) {
      this.m.set(
        name,
        tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
      );
      this.v.set(
        name,
        tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
      );
    }
  }

  /** The global L2 norm of a set of gradients (one scalar read). */
  static globalNorm(grads: Record<string, tf.Tensor>): number {
    const sq = tf.tidy(() => tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
    const value = sq.dataSync()[0];
    sq.dispose();
    return Math.sqrt(value);
  }

  /**
   * Apply one update. `grads` are keyed like the parameters; missing keys get no update.
   * The caller keeps ownership of `grads`.
   */
  apply(grads: Record<string, tf.Tensor>, lr: number): AdamWStepInfo {
    checkNumber('lr', lr, { min: 0 });
    const gradNorm = AdamW.globalNorm(grads);
    const scale = this.clipNorm > 0 && gradNorm > this.clipNorm ? this.clipNorm / (gradNorm + 1e-6) : 1;
    this.step++;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const c1 = 1 - b1 ** this.step;
    const c2 = 1 - b2 ** this.step;
    for (const [name, p] of this.params) {
      const g0 = grads[name];
      if (!g0) continue;
      tf.tidy(() => {
        const g = scale === 1 ? g0 : tf.mul(g0, scale);
        const m = this.m.get(name) as tf.Variable;
        const v = this.v.get(name) as tf.Variable;
        const mNew = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
        const vNew = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
        m.assign(mNew);
        v.assign(vNew);
        const update = tf.div(tf.div(mNew, c1), tf.add(tf.sqrt(tf.div(vNew, c2)), this.epsilon));
        const decayed = this.weightDecay > 0 && p.rank >= 2 ? tf.mul(p, 1 - lr * this.weightDecay) : p;
        p.assign(tf.sub(decayed, tf.mul(update, lr)));
      });
    }
    return { gradNorm, lr };
  }

  /** The optimizer state as named tensors (`m.<name>`, `v.<name>`), plus the step. */
  state(): { step: number; tensors: Map<string, tf.Tensor> } {
    const tensors = new Map<string, tf.Tensor>();
    for (const [name, t] of this.m) tensors.set(`m.${name}`, t);
    for (const [name, t] of this.v) tensors.set(`v.${name}`, t);
    return { step: this.step, tensors };
  }

  /** Restore a state saved with {@link AdamW.state}; every tensor must be present with the right shape. */
  load(step: number, tensors: ReadonlyMap<string, tf.Tensor>): void {
    checkNumber('optimizer step', step, { integer: true, min: 0 });
    const stores = [
      ['m', this.m],
      ['v', this.v],
    ] as const;
    const expected = new Map(stores.flatMap(([prefix, store]) => [...store].map(([name, v]) => [`${prefix}.${name}`, v.shape] as const)));
    checkWeights('optimizer state', tensors, expected, { allowUnexpected: true });
    for (const [prefix, store] of stores) {
      for (const [name, variable] of store) variable.assign(tensors.get(`${prefix}.${name}`) as tf.Tensor);
    }
    this.step = step;
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
