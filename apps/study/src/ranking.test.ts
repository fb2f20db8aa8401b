import { describe, expect, it } from 'vitest';
import { averageRanks, dominates, meanAndStderr, meanRanks, type Objective, paretoFronts } from './ranking';

// Four formulations A, B, C, D and three objectives, ranked by hand:
//   loss (lower better):  A 0.50, B 0.40, C 0.40, D 0.60  -> ranks A 3, B 1.5, C 1.5, D 4
//   FD   (lower better):  A 10,   B 30,   C 20,   D 40    -> ranks A 1, B 3,   C 2,   D 4
//   acc  (higher better): A 0.2,  B 0.5,  C 0.5,  D 0.1   -> ranks A 3, B 1.5, C 1.5, D 4
// mean ranks: A 7/3, B 6/3 = 2, C 5/3, D 4.
// Dominance: C dominates B (same loss and acc, lower FD); D is dominated by all; A and C do
// not dominate each other (A wins FD, C wins loss and acc). Fronts: A 1, C 1, B 2, D 3.
const table: Objective[] = [
  { name: 'loss', values: [0.5, 0.4, 0.4, 0.6], higherIsBetter: false },
  { name: 'fd', values: [10, 30, 20, 40], higherIsBetter: false },
  { name: 'acc', values: [0.2, 0.5, 0.5, 0.1], higherIsBetter: true },
];

describe('ranking', () => {
  it('ranks with ties averaged, in either direction, missing values last', () => {
    expect(averageRanks([0.5, 0.4, 0.4, 0.6], false)).toEqual([3, 1.5, 1.5, 4]);
    expect(averageRanks([0.2, 0.5, 0.5, 0.1], true)).toEqual([3, 1.5, 1.5, 4]);
    expect(averageRanks([1, Number.NaN, 2, Number.NaN], false)).toEqual([1, 3.5, 2, 3.5]);
    expect(averageRanks([7, 7, 7], true)).toEqual([2, 2, 2]);
  });

  it('averages ranks over objectives as the hand-computed table', () => {
    const r = meanRanks(table);
    expect(r[0]).toBeCloseTo(7 / 3, 12);
    expect(r[1]).toBeCloseTo(2, 12);
    expect(r[2]).toBeCloseTo(5 / 3, 12);
    expect(r[3]).toBeCloseTo(4, 12);
  });

  it('sorts into Pareto fronts as the hand-computed table', () => {
    expect(dominates(table, 2, 1)).toBe(true);
    expect(dominates(table, 1, 2)).toBe(false);
    expect(dominates(table, 0, 2)).toBe(false);
    expect(dominates(table, 2, 0)).toBe(false);
    expect(dominates(table, 1, 1)).toBe(false);
    expect(paretoFronts(table)).toEqual([1, 2, 1, 3]);
  });

  it('gives the mean and standard error over seeds', () => {
    // values 1, 2, 3, 6: mean 3, sample variance (4+1+0+9)/3 = 14/3, stderr sqrt(14/3/4).
    const s = meanAndStderr([1, 2, 3, 6]);
    expect(s.mean).toBe(3);
    expect(s.stderr).toBeCloseTo(Math.sqrt(14 / 12), 12);
    expect(meanAndStderr([5])).toEqual({ mean: 5, stderr: 0, n: 1 });
    expect(meanAndStderr([]).n).toBe(0);
  });
});
