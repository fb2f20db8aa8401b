import type { tf } from '../tf';

/**
 * A capability of a model or text encoder: its weights can be trained in place. A trainer
 * updates the variables by name; the names key the optimizer state and the EMA of a
 * checkpoint, so they must be stable across runs (not tfjs's generated variable names).
 */
export interface Trainable {
  /** The variables an optimizer updates, by stable name (empty when frozen). The variables themselves: do not dispose them. */
  trainableWeights(): ReadonlyMap<string, tf.Variable>;
}

/** Whether `x` has the {@link Trainable} capability. */
export function isTrainable(x: unknown): x is Trainable {
  return typeof x === 'object' && x !== null && typeof (x as Partial<Trainable>).trainableWeights === 'function';
}
