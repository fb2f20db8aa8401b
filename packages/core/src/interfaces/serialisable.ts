import type { tf } from '../tf';

/**
 * A capability of a model or text encoder: a checkpoint can save it and put it back. The
 * weights round-trip through `stateDict` / `loadStateDict`; `spec()` is the JSON that, with
 * the weights, rebuilds the object (its configuration, and what else it was built from).
 */
export interface Serialisable {
  /** The weights by name, as a checkpoint stores them: new tensors the caller disposes. */
  stateDict(): Map<string, tf.Tensor>;
  /** Assign weights saved by {@link stateDict} (every name, same shapes); the caller keeps the tensors. */
  loadStateDict(weights: ReadonlyMap<string, tf.Tensor>): void;
  /** JSON that, with the weights, rebuilds the object. */
  spec(): Record<string, unknown>;
}

const SERIALISABLE_METHODS = ['stateDict', 'loadStateDict', 'spec'] as const;

/** The {@link Serialisable} methods `x` lacks (empty: it has the capability). */
export function missingSerialisable(x: unknown): string[] {
  if (typeof x !== 'object' || x === null) return [...SERIALISABLE_METHODS];
  return SERIALISABLE_METHODS.filter((m) => typeof (x as Record<string, unknown>)[m] !== 'function');
}

/** Whether `x` has the {@link Serialisable} capability. */
export function isSerialisable(x: unknown): x is Serialisable {
  return missingSerialisable(x).length === 0;
}
