/** Shared by this package's tests: fixture loading and float64 comparisons. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

/** Read a JSON fixture from this package's test-data folder. */
export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../test-data/${name}`, import.meta.url), 'utf8')) as T;
}

/** Assert |actual - expected| <= rtol |expected| elementwise, naming the worst entry. */
export function expectRelClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let worst = 0;
  let worstIndex = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const err = Math.abs(actual[i] - e) / Math.max(Math.abs(e), 1e-300);
    if (!(err <= worst)) {
      worst = err;
      worstIndex = i;
    }
  }
  expect(
    worst,
    `${label}: worst relative error at index ${worstIndex}: got ${actual[worstIndex]}, expected ${expected[worstIndex]}`,
  ).toBeLessThanOrEqual(rtol);
}
