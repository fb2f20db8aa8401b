import { tf } from '../tf';

/** Options of {@link expectNoTensorLeak}. */
export interface LeakCheckOptions {
  /** Calls before the count is taken (lazily created state, caches). Default 1. */
  warmup?: number;
  /** Calls measured. Default 5. */
  iterations?: number;
  /** Name used in the failure message. */
  label?: string;
}

/**
 * Fail if `tf.memory().numTensors` grows across repeated calls of `fn`.
 * `fn` must dispose what it returns (or return nothing).
 */
export async function expectNoTensorLeak(fn: (iteration: number) => unknown, options: LeakCheckOptions = {}): Promise<void> {
  const { warmup = 1, iterations = 5, label = 'function' } = options;
  for (let i = 0; i < warmup; i++) await fn(i);
  const before = tf.memory().numTensors;
  const counts: number[] = [];
  for (let i = 0; i < iterations; i++) {
    await fn(warmup + i);
    counts.push(tf.memory().numTensors);
  }
  const after = counts[counts.length - 1] ?? before;
  if (after !== before) {
    throw new Error(
      `tensor leak in ${label}: numTensors went from ${before} to ${after} over ${iterations} calls (after each call: ${counts.join(', ')})`,
    );
  }
}
