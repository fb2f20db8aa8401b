/**
 * The parts of the tfjs wasm backend the native kernels use: tensors live on one wasm heap,
 * and each has a byte offset in it. Outputs must be allocated (makeOutput) before the heap
 * is read, because an allocation can grow the heap and replace its ArrayBuffer.
 */
import type { tf } from '@rectiflow/core';

/** The members of tfjs-backend-wasm's `BackendWasm` used here. */
export interface WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  incRef(dataId: object): void;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** The current heap (read it after the last makeOutput of a kernel). */
export function heapOf(backend: WasmBackend): ArrayBuffer {
  return backend.wasm.HEAPU8.buffer as ArrayBuffer;
}

/** Byte offset of a tensor on the heap. */
export function offsetOf(backend: WasmBackend, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('tfjs-native: tensor is not on the wasm backend');
  return data.memoryOffset;
}
