/** Shared by this package's tests: fixtures and float64 comparisons. */
import { readFileSync } from 'node:fs';
import { expectClose } from '@rectiflow/core/testing';

/** Read a JSON fixture from this package's test-data folder. */
export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../test-data/${name}`, import.meta.url), 'utf8')) as T;
}

/** Assert |actual - expected| <= rtol |expected| elementwise, naming the worst entry. */
export function expectRelClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, label: string): void {
  expectClose(actual, expected, { atol: 0, rtol, label });
}
