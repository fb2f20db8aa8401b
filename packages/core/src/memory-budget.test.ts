import { describe, expect, it } from 'vitest';
import { checkFits, formatBytes, largestFitting, memoryBudget } from './memory-budget';

describe('memory budget', () => {
  it('has a positive budget that says where it comes from', () => {
    const budget = memoryBudget();
    expect(budget.bytes).toBeGreaterThan(0);
    expect(budget.where).toMatch(/memory|heap|browser/);
  });

  it('refuses what does not fit with one line saying what fits', () => {
    const bytes = 10 * memoryBudget().bytes;
    expect(() => checkFits('model', 'mmdit(depth=100000)', bytes, 'at most about depth=12 fits')).toThrow(
      /^model: mmdit\(depth=100000\) needs about [\d.,]+ GiB, more than .*; at most about depth=12 fits$/,
    );
    expect(() => checkFits('model', 'x', Number.NaN, '')).toThrow(/^model: x needs about/);
    expect(() => checkFits('model', 'x', 1024, '')).not.toThrow();
  });

  it('finds the largest size that fits', () => {
    expect(largestFitting(100, (n) => n * n <= 50)).toBe(7);
    expect(largestFitting(100, () => false)).toBe(0);
    expect(largestFitting(100, () => true)).toBe(100);
  });

  it('formats bytes as MiB or GiB', () => {
    expect(formatBytes(5 * 1024 ** 2)).toBe('5 MiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
    expect(formatBytes(2048 * 1024 ** 3)).toBe('2,048 GiB');
  });
});
