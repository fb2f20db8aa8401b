/**
 * Checks of the time grids solvers and samplers receive. Each failure is a
 * `ValidationError` naming the offending entry.
 */
import { formatValue, invalid } from '@rectiflow/core';

/** Constraints on a grid beyond strict monotonicity. */
export interface GridConstraints {
  /** Require strictly decreasing times (noise to data). */
  decreasing?: boolean;
  /** Require every time in [0, 1]. */
  unit?: boolean;
  /** Require a first time > 0 (solvers that divide by t). */
  positiveStart?: boolean;
}

/**
 * Check that `grid` has at least two finite, strictly monotone times, and the extra
 * constraints. Returns the direction: +1 increasing, -1 decreasing.
 */
export function checkGrid(field: string, grid: readonly number[], constraints: GridConstraints = {}): 1 | -1 {
  if (!Array.isArray(grid) || grid.length < 2) {
    invalid(field, grid, 'an array of at least 2 times (start and end)');
  }
  for (let i = 0; i < grid.length; i++) {
    const t = grid[i];
    if (typeof t !== 'number' || !Number.isFinite(t)) invalid(`${field}[${i}]`, t, 'a finite number');
    if (constraints.unit && (t < 0 || t > 1)) invalid(`${field}[${i}]`, t, 'a time in [0, 1] (1 = noise, 0 = data)');
  }
  if (constraints.positiveStart && !(grid[0] > 0)) invalid(`${field}[0]`, grid[0], 'a start time > 0');
  const direction = grid[1] > grid[0] ? 1 : -1;
  if (constraints.decreasing && direction !== -1) {
    invalid(`${field}[1]`, grid[1], `a time < ${formatValue(grid[0])}: the grid must decrease strictly from noise to data`);
  }
  for (let i = 1; i < grid.length; i++) {
    const ok = direction === 1 ? grid[i] > grid[i - 1] : grid[i] < grid[i - 1];
    if (!ok) {
      invalid(
        `${field}[${i}]`,
        grid[i],
        `a time ${direction === 1 ? '>' : '<'} ${field}[${i - 1}] = ${formatValue(grid[i - 1])}: the grid must be strictly ${
          direction === 1 ? 'increasing' : 'decreasing'
        }`,
      );
    }
  }
  return direction;
}
