/** Shared by this package's tests: fixtures and float64 comparisons. */
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
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), 1e-300);
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  expect(worst, `${label}: worst at ${at}: got ${actual[at]}, expected ${expected[at]}`).toBeLessThanOrEqual(rtol);
}
