/**
 * Run asynchronous tasks with at most `jobs` at once, in order; stops starting new ones
 * once `shouldStop` says so. Every task's outcome is reported (a failure does not stop the others).
 */
export async function runPool<T, R>(
  items: readonly T[],
  jobs: number,
  work: (item: T) => Promise<R>,
  shouldStop: () => boolean = () => false,
): Promise<Array<{ item: T; ok: true; value: R } | { item: T; ok: false; error: unknown } | { item: T; ok: false; skipped: true }>> {
  if (!Number.isInteger(jobs) || jobs < 1) throw new RangeError(`jobs: got ${jobs}; a positive integer`);
  type Outcome = Awaited<ReturnType<typeof runPool<T, R>>>[number];
  const outcomes: Outcome[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const k = next++;
      const item = items[k];
      if (shouldStop()) {
        outcomes[k] = { item, ok: false, skipped: true };
        continue;
      }
      try {
        outcomes[k] = { item, ok: true, value: await work(item) };
      } catch (error) {
        outcomes[k] = { item, ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, lane));
  return outcomes;
}
