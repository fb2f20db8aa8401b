/**
 * Test helpers: run the same computation on stock wasm and on the native kernels, and
 * compare within a relative tolerance (relative to the largest magnitude of the result, so
 * sums that cancel to near zero are judged fairly).
 */
import { tf } from '@rectiflow/core';
import { expectClose } from '@rectiflow/core/testing';
import { expect } from 'vitest';
import { disableNativeKernels, enableNativeKernels, nativeInfo } from './index';

/** Native kernels on for the file's tests (call in beforeAll). */
export async function enableForTests(): Promise<void> {
  const status = await enableNativeKernels();
  if (!status.enabled) throw new Error(status.message);
}

/** The instruction sets the addon has kernel tables for. */
export type Isa = 'avx512' | 'avx2' | 'portable';

/** The instruction sets this CPU runs (the native kernels are left enabled). */
export async function supportedIsas(): Promise<Isa[]> {
  const status = await enableNativeKernels();
  if (!status.enabled) throw new Error(status.message);
  return (nativeInfo()?.supportedIsas ?? []) as Isa[];
}

/** Native kernels on with instruction set `isa` and `threads` threads. */
export async function useIsa(isa: Isa, threads: number): Promise<void> {
  const status = await enableNativeKernels({ isa, threads });
  if (!status.enabled) throw new Error(status.message);
  expect(nativeInfo()).toMatchObject({ isa, threads });
}

/**
 * Values of the tensors `f()` returns, read outside tf.tidy (tidy walks what its function
 * returns, and walking large typed arrays element by element takes seconds).
 */
export function readValues(f: () => tf.Tensor | tf.Tensor[]): Float32Array[] {
  const tensors = tf.tidy(() => {
    const out = f();
    return Array.isArray(out) ? out : [out];
  });
  const values = tensors.map((t) => t.dataSync() as Float32Array);
  tf.dispose(tensors);
  return values;
}

/**
 * Values of `fn()` on the native kernels and of `reference()` (default `fn`) on stock wasm;
 * native stays enabled after.
 */
export async function stockAndNative(
  fn: () => tf.Tensor | tf.Tensor[],
  reference: () => tf.Tensor | tf.Tensor[] = fn,
): Promise<{ stock: Float32Array[]; native: Float32Array[] }> {
  disableNativeKernels();
  const stock = readValues(reference);
  await enableForTests();
  const native = readValues(fn);
  return { stock, native };
}

/** Every native result within `rtol` of stock, relative to the largest stock magnitude. */
export function expectMatch(result: { stock: Float32Array[]; native: Float32Array[] }, label: string, rtol = 1e-5): void {
  result.stock.forEach((expected, i) => {
    let scale = 0;
    for (const v of expected) scale = Math.max(scale, Math.abs(v));
    expectClose(result.native[i], expected, { atol: rtol * Math.max(scale, 1e-30), rtol, label: `${label}[${i}]` });
  });
}
