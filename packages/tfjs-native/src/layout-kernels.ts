/**
 * Native layout kernels for the wasm backend: `Transpose` (any rank and permutation),
 * `Slice`, `SplitV` and `Concat` (row copies on the heap; stock wasm copies the whole input
 * out of the heap first), and a zero-copy `Identity` and same-dtype `Cast` that share the
 * input's memory (reference counted, like Reshape; stock wasm copies). The copies handle float32 and int32 (4-byte elements).
 */
import { tf } from '@rectiflow/core';
import type { NativeBinding } from './native-binding';
import { heapOf, offsetOf, type WasmBackend } from './wasm-heap';

/** Native Transpose; `stock` handles dtypes other than float32. */
export function transposeKernel(binding: NativeBinding, stock: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.Transpose,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      if (x.dtype !== 'float32') return stock.kernelFunc(args);
      const { perm } = args.attrs as unknown as { perm: number[] };
      const backend = args.backend as unknown as WasmBackend;
      const out = backend.makeOutput(
        perm.map((p) => x.shape[p]),
        'float32',
      );
      binding.transpose(heapOf(backend), offsetOf(backend, x), offsetOf(backend, out), x.shape, perm);
      return out;
    },
  };
}

/** An output that shares `x`'s data (reference counted, like Reshape). */
function shared(backend: unknown, x: tf.TensorInfo): tf.TensorInfo {
  (backend as WasmBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

/** Identity without a copy: the output shares the input's data (strings go to `stock`). */
export function identityKernel(stock: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.Identity,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      return x.dtype === 'string' ? stock.kernelFunc(args) : shared(args.backend, x);
    },
  };
}

/**
 * Cast without a copy when the dtype does not change (tfjs's Multiply gradient casts both
 * operands to float32 on every call); real conversions go to `stock`.
 */
export function castKernel(stock: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.Cast,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { dtype } = args.attrs as unknown as { dtype: tf.DataType };
      return x.dtype !== dtype || x.dtype === 'string' ? stock.kernelFunc(args) : shared(args.backend, x);
    },
  };
}

/** Dtypes the copy kernels move as 4-byte elements. */
const copyable = (t: tf.TensorInfo) => t.dtype === 'float32' || t.dtype === 'int32';

function sliceInto(binding: NativeBinding, backend: WasmBackend, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  if (tf.util.sizeFromShape(size) > 0) {
    binding.slice(heapOf(backend), offsetOf(backend, x), offsetOf(backend, out), x.shape, begin, size);
  }
  return out;
}

/** Native Slice; `stock` handles other dtypes. */
export function sliceKernel(binding: NativeBinding, stock: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.Slice,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      if (!copyable(x)) return stock.kernelFunc(args);
      const { begin, size } = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
      const [begin_, size_] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
      return sliceInto(binding, args.backend as unknown as WasmBackend, x, begin_, size_);
    },
  };
}

/** Native SplitV (one slice per part); `stock` handles other dtypes. */
export function splitVKernel(binding: NativeBinding, stock: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.SplitV,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      if (!copyable(x)) return stock.kernelFunc(args);
      const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
      const $axis = tf.util.parseAxisParam(axis, x.shape)[0];
      const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, $axis);
      const begin = new Array<number>(x.shape.length).fill(0);
      return sizes.map((s) => {
        const size = [...x.shape];
        size[$axis] = s;
        const part = sliceInto(binding, args.backend as unknown as WasmBackend, x, [...begin], size);
        begin[$axis] += s;
        return part;
      });
    },
  };
}

/** Native Concat; `stock` handles other or mixed dtypes. */
export function concatKernel(binding: NativeBinding, stock: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.Concat,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const inputs = args.inputs as unknown as tf.TensorInfo[];
      if (!inputs.every((t) => copyable(t) && t.dtype === inputs[0].dtype)) return stock.kernelFunc(args);
      const { axis } = args.attrs as unknown as { axis: number };
      const $axis = tf.util.parseAxisParam(axis, inputs[0].shape)[0];
      const shapes = inputs.map((t) => t.shape);
      tf.backend_util.assertParamsConsistent(shapes, $axis);
      const outShape = tf.backend_util.computeOutShape(shapes, $axis);
      const parts = inputs.filter((t) => tf.util.sizeFromShape(t.shape) > 0);
      if (parts.length === 1) return stock.kernelFunc(args);
      const backend = args.backend as unknown as WasmBackend;
      const out = backend.makeOutput(outShape, inputs[0].dtype);
      if (parts.length === 0) return out;
      const outer = tf.util.sizeFromShape(outShape.slice(0, $axis));
      const heap = heapOf(backend);
      binding.concat(
        heap,
        offsetOf(backend, out),
        outer,
        parts.map((t) => offsetOf(backend, t)),
        parts.map((t) => tf.util.sizeFromShape(t.shape.slice($axis))),
      );
      return out;
    },
  };
}
