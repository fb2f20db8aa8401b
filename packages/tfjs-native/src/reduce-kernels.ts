/**
 * Native `Sum`, `Mean` and `Max` kernels for the wasm backend, over any set of axes, with
 * keepDims. Dtypes other than float32 go to the stock kernels.
 */
import { tf } from '@rectiflow/core';
import type { NativeBinding } from './native-binding';
import { heapOf, offsetOf, type WasmBackend } from './wasm-heap';

const OPS = { Sum: 0, Mean: 1, Max: 2 } as const;

/** The reductions this package implements. */
export type ReductionName = keyof typeof OPS;

/** A native reduction kernel; `stock` handles other dtypes. */
export function reduceKernel(binding: NativeBinding, name: ReductionName, stock: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      if (x.dtype !== 'float32') return stock.kernelFunc(args);
      const attrs = args.attrs as unknown as { axis?: number | number[]; reductionIndices?: number | number[]; keepDims: boolean };
      // null or undefined means every axis (parseAxisParam handles it)
      const axis = (name === 'Max' ? attrs.reductionIndices : attrs.axis) as number | number[];
      const keepDims = attrs.keepDims;
      const backend = args.backend as unknown as WasmBackend;
      const axes = tf.util.parseAxisParam(axis, x.shape);
      const [outShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
      const out = backend.makeOutput(keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape, 'float32');
      binding.reduce(heapOf(backend), offsetOf(backend, x), offsetOf(backend, out), x.shape, axes, OPS[name]);
      return out;
    },
  };
}
