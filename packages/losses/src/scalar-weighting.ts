import type { LossWeighting } from '@rectiflow/core';
import { tf } from '@rectiflow/core';
import { checkTime, readTimes } from '@rectiflow/schedules';

/**
 * A `LossWeighting` (from @rectiflow/core) made from a float64 function of t: `weight` validates t, and
 * `weightTensor` evaluates it in float64 at each entry (one small read of t) and returns float32.
 */
export class ScalarWeighting implements LossWeighting {
  constructor(
    /** The spec, e.g. `rf` or `eps/cos`. */
    readonly name: string,
    private readonly w: (t: number) => number,
  ) {}

  /** w_t. @throws ValidationError unless t is in [0, 1]. */
  weight(t: number): number {
    return this.w(checkTime('t', t));
  }

  /** w_t at every entry of `t`, float32. */
  weightTensor(t: tf.Tensor1D): tf.Tensor1D {
    const times = readTimes('t', t);
    const out = new Float32Array(times.length);
    for (let i = 0; i < times.length; i++) out[i] = this.w(times[i]);
    return tf.tensor1d(out, 'float32');
  }
}
