import { invalid } from '@rectiflow/core';

/** Throw unless `index` is an integer in [0, size). */
export function checkIndex(index: number, size: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= size) invalid('index', index, `an integer in [0, ${size})`);
}
