/**
 * The one type for "where a model's weights come from", accepted by every loader
 * (MM-DiT, autoencoders, text encoders), and the step that opens it.
 */
import { invalid, type tf } from '@rectiflow/core';
import { readSafetensors, type SafetensorsFile } from './reader';
import { readShardedSafetensors } from './sharded';

/**
 * Where weights come from: a path (Node only: a `.safetensors` file, a sharded
 * `*.safetensors.index.json`, or a folder holding one, as diffusers and transformers save
 * them), the bytes of a file, an open {@link SafetensorsFile}, or tensors by key (a Map or a
 * record; the caller keeps them).
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

/** Options of {@link openWeightSource}. */
export interface OpenWeightSourceOptions {
  /**
   * For a folder path: the subfolders searched in order (`''` is the folder itself), e.g.
   * `['transformer', '']` so that a diffusers pipeline folder and its `transformer/` both work.
   */
  subfolders?: readonly string[];
}

/**
 * Open a {@link WeightSource}: paths and bytes are read as safetensors (headers only; tensors
 * load on demand; a sharded index opens every shard), open files are used as given, Maps and
 * records are returned as a Map.
 */
export async function openWeightSource(source: WeightSource, options: OpenWeightSourceOptions = {}): Promise<OpenedWeightSource> {
  if (typeof source === 'string') {
    const { resolveWeightPath } = await import('./node-file');
    const path = await resolveWeightPath(source, options.subfolders);
    const file = path.endsWith('.index.json') ? await readShardedSafetensors(path) : await readSafetensors(path);
    return { kind: 'file', file, close: () => file.close() };
  }
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
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
