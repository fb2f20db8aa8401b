/**
 * Reading the named weights of an autoencoder from any {@link WeightSource}. The check against
 * the shapes an architecture expects is core's `checkWeights` (one error for every loader).
 */
import { formatValue, RectiflowError, tf } from '@rectiflow/core';
import { type OpenWeightSourceOptions, openWeightSource, type WeightSource } from '@rectiflow/safetensors';

/** Named tensors, as read from a checkpoint (PyTorch layouts). */
export type TensorMap = Map<string, tf.Tensor>;

/** A tensor of the expected shape that {@link checkWeights} has already validated. */
export function getWeight(tensors: ReadonlyMap<string, tf.Tensor>, key: string): tf.Tensor {
  const t = tensors.get(key);
  if (!t) throw new RectiflowError(`weight ${formatValue(key)} is missing`);
  return t;
}

/** The tensors of a source and its safetensors metadata; `owned` says whether the caller must dispose them. */
export interface LoadedWeights {
  tensors: TensorMap;
  metadata: Readonly<Record<string, string>>;
  owned: boolean;
}

/**
 * Read the tensors of a source whose keys `keep` accepts. Paths and bytes are read as
 * safetensors (only the kept tensors are loaded); maps and records are used as given.
 */
export async function loadWeights(
  source: WeightSource,
  keep: (key: string) => boolean = () => true,
  options: OpenWeightSourceOptions = {},
): Promise<LoadedWeights> {
  const opened = await openWeightSource(source, options);
  if (opened.kind === 'tensors') return { tensors: filterMap(opened.tensors, keep), metadata: {}, owned: false };
  const { file } = opened;
  const tensors: TensorMap = new Map();
  try {
    for (const key of file.keys()) {
      if (keep(key)) tensors.set(key, await file.tensor(key));
    }
  } catch (e) {
    tf.dispose([...tensors.values()]);
    throw e;
  } finally {
    await opened.close();
  }
  return { tensors, metadata: file.metadata, owned: true };
}

/** The keys of a source, without loading any tensor. */
export async function weightKeys(source: WeightSource, options: OpenWeightSourceOptions = {}): Promise<string[]> {
  const opened = await openWeightSource(source, options);
  if (opened.kind === 'tensors') return [...opened.tensors.keys()];
  try {
    return opened.file.keys();
  } finally {
    await opened.close();
  }
}

function filterMap(map: ReadonlyMap<string, tf.Tensor>, keep: (key: string) => boolean): TensorMap {
  return new Map([...map].filter(([k]) => keep(k)));
}
