/**
 * Time grids for sampling, from t = 1 (noise) down to t = 0 (data): uniform, shifted by
 * the resolution shift α, and user-supplied. Each returns `steps + 1` times.
 */
import { checkNumber } from '@rectiflow/core';
import { shiftTime } from '@rectiflow/schedules';
import { checkGrid } from './grid-checks';

function checkSteps(steps: number): void {
  checkNumber('steps', steps, { integer: true, min: 1 });
}

function checkEnds(start: number, end: number): void {
  checkNumber('start', start, { min: 0, max: 1 });
  checkNumber('end', end, { min: 0, lessThan: start });
}

/** `steps + 1` equally spaced times from `start` (default 1) to `end` (default 0). */
export function uniformGrid(steps: number, start = 1, end = 0): number[] {
  checkSteps(steps);
  checkEnds(start, end);
  const grid: number[] = [];
  for (let i = 0; i <= steps; i++) grid.push(i === steps ? end : start + ((end - start) * i) / steps);
  return grid;
}

/**
 * The uniform grid with every time shifted once by t' = α t / (1 + (α - 1) t)
 * (`shiftTime` of `@rectiflow/schedules`); α > 1 spends more steps near the noise.
 */
export function shiftedGrid(steps: number, alpha: number, start = 1, end = 0): number[] {
  return uniformGrid(steps, start, end).map((t) => shiftTime(t, alpha));
}

/**
 * A user-supplied grid, checked: strictly decreasing times in [0, 1]. Returns a copy.
 * @throws `ValidationError` naming the first bad entry.
 */
export function customGrid(times: readonly number[]): number[] {
  checkGrid('grid', times, { decreasing: true, unit: true });
  return [...times];
}
