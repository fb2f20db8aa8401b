import { describe, expect, it } from 'vitest';
import { budgetProgress, formatProgress } from './progress';

describe('budgetProgress', () => {
  it('never goes backwards when the rate estimate is noisy, and takes the nearer limit', () => {
    const shown: number[] = [];
    // A 60 s budget, steps at a rate that swings between 2 and 20 it/s: the fraction follows time only.
    for (let s = 1; s <= 40; s++) shown.push(budgetProgress(s, s * 1.2, 60, undefined, s % 2 ? 2 : 20).fraction);
    expect(shown.every((f, i) => i === 0 || f >= shown[i - 1])).toBe(true);
    // A step cap that binds first: 50 of 100 steps after 10 of 600 s is 50%, ETA from the rate.
    expect(budgetProgress(50, 10, 600, 100, 5)).toEqual({ fraction: 0.5, etaSeconds: 10 });
    // Time binds first: 90 of 100 s with 10 of 1000 steps is 90%, ETA 10 s.
    expect(budgetProgress(10, 90, 100, 1000, 5)).toEqual({ fraction: 0.9, etaSeconds: 10 });
    expect(budgetProgress(10, 200, 100, undefined, 5).fraction).toBe(1);
  });

  it('renders the bar', () => {
    expect(formatProgress({ step: 5, loss: 0.5, itPerSec: 2, fraction: 0.25, etaSeconds: 65 }, 8)).toBe(
      '██░░░░░░  25% | step 5 | loss 0.5000 | 2.00 it/s | ETA 1:05',
    );
  });
});
