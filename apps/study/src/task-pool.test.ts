import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runPool } from './task-pool';

describe('runPool', () => {
  it('runs at most `jobs` tasks at once, keeps the order of results and reports failures', async () => {
    let running = 0;
    let peak = 0;
    const outcomes = await runPool([5, 1, 3, 2, 4], 2, async (ms) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(ms * 5);
      running--;
      if (ms === 3) throw new Error('three');
      return ms * 10;
    });
    expect(peak).toBe(2);
    expect(outcomes.map((o) => (o.ok ? o.value : 'error' in o ? (o.error as Error).message : 'skipped'))).toEqual([
      50,
      10,
      'three',
      20,
      40,
    ]);
  });

  it('starts nothing more once asked to stop, and refuses a bad job count', async () => {
    let started = 0;
    const outcomes = await runPool(
      [1, 2, 3],
      1,
      async () => ++started,
      () => started >= 1,
    );
    expect(started).toBe(1);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, false]);
    await expect(runPool([1], 0, async () => 1)).rejects.toThrow(/jobs: got 0/);
  });
});
