/**
 * Reading a model's weights by key, with a shape check on every tensor: the one place
 * where checkpoints in the Hugging Face key layout enter this package.
 */
import { formatValue, tf, ValidationError } from '@rectiflow/core';
import { readSafetensors, type SafetensorsFile } from '@rectiflow/safetensors';

/**
 * Where weights come from: a safetensors path (Node only), its bytes, an open
 * `SafetensorsFile`, or tensors by key (which are copied; the caller keeps its own).
 */
export type WeightInput =
  | string
  | Uint8Array
  | ArrayBuffer
  | SafetensorsFile
  | ReadonlyMap<string, tf.Tensor>
  | Readonly<Record<string, tf.Tensor>>;

/** A weight is missing, or its shape is not the one the model needs. */
export class WeightError extends ValidationError {
  override name = 'WeightError';
  constructor(
    /** The full key, prefix included. */
    readonly key: string,
    /** The shape found, or undefined when the key is missing. */
    readonly found: readonly number[] | undefined,
    /** What was expected, in words. */
    expected: string,
  ) {
    super(`weight ${formatValue(key)}`, found === undefined ? 'no such key' : [...found], expected);
  }
}

/** Shapes by key, and tensors on demand. */
export interface WeightReader {
  /** Where the weights come from, for messages. */
  readonly label: string;
  /** The key prefix in use (`''` when none). */
  readonly prefix: string;
  /** Keys, prefix included. */
  keys(): string[];
  /** Whether `prefix + key` exists. */
  has(key: string): boolean;
  /** The shape of `prefix + key`. @throws {@link WeightError} when it is missing */
  shape(key: string): number[];
  /**
   * `prefix + key` as a float32 tensor, after checking its shape against `expected`
   * (`null` matches any size). The caller owns the tensor.
   * @throws {@link WeightError}
   */
  tensor(key: string, expected: ReadonlyArray<number | null>): Promise<tf.Tensor>;
  /** Release the file if this reader opened it. */
  close(): Promise<void>;
}

function isSafetensorsFile(value: unknown): value is SafetensorsFile {
  return typeof value === 'object' && value !== null && typeof (value as SafetensorsFile).info === 'function';
}

function describeShape(shape: ReadonlyArray<number | null>): string {
  return `shape [${shape.map((d) => (d === null ? '*' : String(d))).join(', ')}]`;
}

function shapeMatches(found: readonly number[], expected: ReadonlyArray<number | null>): boolean {
  return found.length === expected.length && expected.every((d, i) => d === null || d === found[i]);
}

/**
 * Open weights for reading.
 * @param prefix prepended to every key asked for; pass a list to use the first under which
 * `probe` exists (e.g. `['text_encoders.clip_l.transformer.', '']`).
 */
export async function openWeights(input: WeightInput, prefix: string | readonly string[] = '', probe?: string): Promise<WeightReader> {
  let file: SafetensorsFile | undefined;
  let owned = false;
  let tensors: Map<string, tf.Tensor> | undefined;
  if (typeof input === 'string' || input instanceof Uint8Array || input instanceof ArrayBuffer) {
    file = await readSafetensors(input);
    owned = true;
  } else if (isSafetensorsFile(input)) {
    file = input;
  } else if (input instanceof Map) {
    tensors = new Map(input);
  } else if (typeof input === 'object' && input !== null) {
    tensors = new Map(Object.entries(input as Record<string, tf.Tensor>));
  } else {
    throw new ValidationError('weights', input, 'a safetensors path, bytes, an open SafetensorsFile, or tensors by key');
  }
  const label = file ? file.source : '<tensors>';
  const allKeys = file ? file.keys() : [...(tensors as Map<string, tf.Tensor>).keys()];
  const keySet = new Set(allKeys);
  let chosen = typeof prefix === 'string' ? prefix : '';
  if (typeof prefix !== 'string') {
    const found = prefix.find((p) => probe !== undefined && keySet.has(p + probe));
    if (found === undefined) {
      if (owned) await file?.close();
      throw new WeightError(
        `${prefix[0] ?? ''}${probe}`,
        undefined,
        `the key under one of the prefixes ${formatValue([...prefix])} in ${label}`,
      );
    }
    chosen = found;
  }
  const shapeOf = (key: string): number[] => {
    const full = chosen + key;
    if (!keySet.has(full)) {
      const near = allKeys.filter((k) => k.endsWith(key)).slice(0, 3);
      const hint = near.length ? ` (found ${near.map((k) => formatValue(k)).join(', ')}: is the prefix right?)` : '';
      throw new WeightError(full, undefined, `a tensor in ${label}${hint}`);
    }
    return file ? [...file.info(full).shape] : [...(tensors?.get(full)?.shape ?? [])];
  };
  return {
    label,
    prefix: chosen,
    keys: () => [...allKeys],
    has: (key) => keySet.has(chosen + key),
    shape: shapeOf,
    async tensor(key, expected) {
      const found = shapeOf(key);
      if (!shapeMatches(found, expected)) throw new WeightError(chosen + key, found, describeShape(expected));
      if (file) {
        const t = await file.tensor(chosen + key);
        if (t.dtype === 'float32') return t;
        const cast = tf.cast(t, 'float32');
        t.dispose();
        return cast;
      }
      const t = tensors?.get(chosen + key) as tf.Tensor;
      return t.dtype === 'float32' ? tf.clone(t) : tf.cast(t, 'float32');
    },
    async close() {
      if (owned) await file?.close();
    },
  };
}

/** The number of consecutive layers `{stem}0.`, `{stem}1.`, ... under the reader's prefix. */
export function countLayers(reader: WeightReader, stem: string): number {
  const seen = new Set<number>();
  const start = reader.prefix + stem;
  for (const key of reader.keys()) {
    if (!key.startsWith(start)) continue;
    const index = Number.parseInt(key.slice(start.length), 10);
    if (Number.isInteger(index)) seen.add(index);
  }
  let n = 0;
  while (seen.has(n)) n++;
  return n;
}
