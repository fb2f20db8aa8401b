/**
 * Reading a model's weights by key, with a shape check on every tensor: the one place
 * where checkpoints in the Hugging Face key layout enter this package.
 */
import { formatValue, tf, WeightMismatchError, weightProblems } from '@rectiflow/core';
import { openWeightSource, type WeightSource } from '@rectiflow/safetensors';

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
  /** The shape of `prefix + key`. @throws WeightMismatchError (core) when it is missing */
  shape(key: string): number[];
  /**
   * `prefix + key` as a float32 tensor, after checking its shape against `expected`
   * (`null` matches any size). The caller owns the tensor.
   * @throws WeightMismatchError (core) naming the key, the expected and the found shape
   */
  tensor(key: string, expected: ReadonlyArray<number | null>): Promise<tf.Tensor>;
  /** Release the file if this reader opened it. */
  close(): Promise<void>;
}

/**
 * Open weights for reading.
 * @param prefix prepended to every key asked for; pass a list to use the first under which
 * `probe` exists (e.g. `['text_encoders.clip_l.transformer.', '']`).
 */
export async function openWeights(input: WeightSource, prefix: string | readonly string[] = '', probe?: string): Promise<WeightReader> {
  const opened = await openWeightSource(input);
  const file = opened.kind === 'file' ? opened.file : undefined;
  const tensors = opened.kind === 'tensors' ? new Map(opened.tensors) : undefined;
  const close = opened.kind === 'file' ? opened.close : async () => {};
  const label = file ? file.source : '<tensors>';
  const allKeys = file ? file.keys() : [...(tensors as Map<string, tf.Tensor>).keys()];
  const keySet = new Set(allKeys);
  let chosen = typeof prefix === 'string' ? prefix : '';
  if (typeof prefix !== 'string') {
    const found = prefix.find((p) => probe !== undefined && keySet.has(p + probe));
    if (found === undefined) {
      await close();
      throw new WeightMismatchError(label, [
        { key: `${probe}`, problem: 'missing', detail: `is not under any of the prefixes ${formatValue([...prefix])}` },
      ]);
    }
    chosen = found;
  }
  const shapeOf = (key: string): number[] => {
    const full = chosen + key;
    if (!keySet.has(full)) {
      const near = allKeys.filter((k) => k.endsWith(key)).slice(0, 3);
      const hint = near.length ? ` (found ${near.map((k) => formatValue(k)).join(', ')}: is the prefix right?)` : '';
      throw new WeightMismatchError(label, [{ key: full, problem: 'missing', detail: `is missing${hint}` }]);
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
      const problems = weightProblems(new Map([[chosen + key, { shape: found }]]), new Map([[chosen + key, expected]]));
      if (problems.length) throw new WeightMismatchError(label, problems);
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
    close,
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
