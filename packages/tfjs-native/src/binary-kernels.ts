/**
 * Native element-wise `Add`, `Sub`, `Multiply` and `RealDiv` for the wasm backend, with
 * numpy broadcasting, for float32 (other dtypes go to the stock kernels). The results are the
 * same IEEE operations as stock, so they match it exactly.
 */
import { tf } from '@rectiflow/core';
import type { NativeBinding } from './native-binding';
import { heapOf, offsetOf, type WasmBackend } from './wasm-heap';

const OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 } as const;

/** The binary ops this package implements. */
export type BinaryName = keyof typeof OPS;

/** Element strides of `shape` aligned right against `outShape` (0 where broadcast). */
function stridesAgainst(shape: number[], outShape: number[]): number[] {
  const strides = new Array<number>(outShape.length).fill(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[outShape.length - shape.length + i] = shape[i] === 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}

/** A native binary kernel; `stock` handles other dtypes. */
export function binaryKernel(binding: NativeBinding, name: BinaryName, stock: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock.kernelFunc(args);
      const backend = args.backend as unknown as WasmBackend;
      const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const out = backend.makeOutput(outShape, 'float32');
      if (tf.util.sizeFromShape(outShape) === 0) return out;
      binding.binary(
        heapOf(backend),
        OPS[name],
        offsetOf(backend, a),
        offsetOf(backend, b),
        offsetOf(backend, out),
        outShape,
        stridesAgainst(a.shape, outShape),
        stridesAgainst(b.shape, outShape),
        tf.util.sizeFromShape(a.shape),
        tf.util.sizeFromShape(b.shape),
      );
      return out;
    },
  };
}
