/**
 * The one type for "where a model's weights come from", accepted by every loader
 * (MM-DiT, autoencoders, text encoders), and the step that opens it.
 */
import { invalid, type tf } from '@rectiflow/core';
import { readSafetensors, type SafetensorsFile } from './reader';

/**
 * Where weights come from: a safetensors path (Node only), its bytes, an open
 * {@link SafetensorsFile}, or tensors by key (a Map or a record; the caller keeps them).
 */
export type WeightSource =
  | string
  | Uint8Array
  | ArrayBuffer
  | SafetensorsFile
  | ReadonlyMap<string, tf.Tensor>
  | Readonly<Record<string, tf.Tensor>>;

/** Whether a value is an open {@link SafetensorsFile}. */
export function isSafetensorsFile(value: unknown): value is SafetensorsFile {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SafetensorsFile).info === 'function' &&
    typeof (value as SafetensorsFile).keys === 'function'
  );
}

/** A weight source as an open file or as tensors by key. `close` releases a file this call opened. */
export type OpenedWeightSource =
  | { kind: 'file'; file: SafetensorsFile; close: () => Promise<void> }
  | { kind: 'tensors'; tensors: ReadonlyMap<string, tf.Tensor> };

/**
 * Open a {@link WeightSource}: paths and bytes are read as safetensors (headers only; tensors
 * load on demand), open files are used as given, Maps and records are returned as a Map.
 */
export async function openWeightSource(source: WeightSource): Promise<OpenedWeightSource> {
  if (typeof source === 'string' || source instanceof Uint8Array || source instanceof ArrayBuffer) {
    const file = await readSafetensors(source);
    return { kind: 'file', file, close: () => file.close() };
  }
  if (isSafetensorsFile(source)) return { kind: 'file', file: source, close: async () => {} };
  if (source instanceof Map) return { kind: 'tensors', tensors: source };
  if (typeof source === 'object' && source !== null && !Array.isArray(source)) {
    return { kind: 'tensors', tensors: new Map(Object.entries(source as Record<string, tf.Tensor>)) };
  }
  return invalid(
    'weights',
    source,
    'a safetensors path, its bytes (Uint8Array or ArrayBuffer), an open SafetensorsFile, or a Map or record of tensors',
  );
}
