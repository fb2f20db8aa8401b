import { ValidationError } from '@rectiflow/core';
import { readFixtureJson } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { customGrid, shiftedGrid, uniformGrid } from './time-grid';

interface ShiftFixture {
  t: number[];
  cases: { alpha: number; t_shifted: number[] }[];
}
const fixture = readFixtureJson<ShiftFixture>('shift.json');

describe('time grids', () => {
  it('uniformGrid has steps + 1 equally spaced times from 1 to 0', () => {
    expect(uniformGrid(4)).toEqual([1, 0.75, 0.5, 0.25, 0]);
    expect(uniformGrid(2, 0.8, 0.2)).toEqual([0.8, 0.5, 0.2]);
  });

  it('shiftedGrid applies t -> α t / (1 + (α - 1) t) once, matching shift.json', () => {
    const grid = shiftedGrid(10, 3);
    expect(grid[0]).toBe(1);
    expect(grid[10]).toBe(0);
    expect(grid[5]).toBeCloseTo(0.75, 15);
    const c = fixture.cases.find((x) => x.alpha === 3);
    if (!c) throw new Error('shift.json has no alpha = 3 case');
    // shift.json's t grid is linspace(0.001, 0.999, 37): the same grid, decreasing.
    const grid36 = shiftedGrid(36, 3, 0.999, 0.001).reverse();
    c.t_shifted.forEach((expected, i) => {
      expect(Math.abs(grid36[i] - expected)).toBeLessThanOrEqual(1e-12 * Math.abs(expected));
    });
    expect(shiftedGrid(4, 1)).toEqual(uniformGrid(4));
  });

  it('customGrid accepts a decreasing grid in [0, 1] and rejects anything else', () => {
    expect(customGrid([1, 0.6, 0.1, 0])).toEqual([1, 0.6, 0.1, 0]);
    expect(() => customGrid([1, 0.6, 0.7, 0])).toThrow(/grid\[2\]: got 0.7; expected a time < grid\[1\] = 0.6/);
    expect(() => customGrid([0, 0.5, 1])).toThrow(/the grid must decrease strictly from noise to data/);
    expect(() => customGrid([1, 0.5, -0.5])).toThrow(/grid\[2\]: got -0.5; expected a time in \[0, 1\]/);
    expect(() => customGrid([1])).toThrow(ValidationError);
    expect(() => uniformGrid(0)).toThrow(/steps: got 0/);
    expect(() => uniformGrid(4, 0.2, 0.5)).toThrow(/end: got 0.5/);
  });
});
