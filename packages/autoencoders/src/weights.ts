/**
 * Checking a set of named weights against the shapes an architecture expects, with one
 * error that lists every missing, misshaped and unexpected tensor.
 */
import { formatValue, RectiflowError, tf } from '@rectiflow/core';
import { readSafetensors } from '@rectiflow/safetensors';

/** Named tensors, as read from a checkpoint (PyTorch layouts). */
export type TensorMap = Map<string, tf.Tensor>;

/** Where weights come from: a safetensors path (Node), its bytes, or tensors already in memory. */
export type WeightSource = string | Uint8Array | ArrayBuffer | TensorMap | Record<string, tf.Tensor>;

/** One thing wrong with a set of weights. */
export interface WeightProblem {
  /** The tensor key, as the architecture names it (prefix stripped). */
  key: string;
  /** `missing`: absent; `shape`: present with another shape; `unexpected`: not part of the architecture. */
  problem: 'missing' | 'shape' | 'unexpected';
  /** The shape the architecture needs (absent for `unexpected`). */
  expected?: number[];
  /** The shape found (absent for `missing`). */
  found?: number[];
}

/** Weights that do not fit the architecture. `problems` lists each key. */
export class WeightMismatchError extends RectiflowError {
  override name = 'WeightMismatchError';
  constructor(
    /** What was being loaded, e.g. `SD3 VAE (ch=128, chMult=[1,2,4,4], ...)`. */
    readonly what: string,
    readonly problems: readonly WeightProblem[],
  ) {
    const lines = problems.slice(0, 12).map((p) => {
      if (p.problem === 'missing') return `${formatValue(p.key)} is missing (expected shape ${formatValue(p.expected)})`;
      if (p.problem === 'unexpected') return `${formatValue(p.key)} is not part of the architecture (shape ${formatValue(p.found)})`;
      return `${formatValue(p.key)} has shape ${formatValue(p.found)}; expected ${formatValue(p.expected)}`;
    });
    const more = problems.length > 12 ? `; … and ${problems.length - 12} more` : '';
    super(`${what}: ${problems.length} weight problem(s): ${lines.join('; ')}${more}`);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Compare `tensors` with `expected` (key to shape). Throws a {@link WeightMismatchError}
 * naming every missing or misshaped key, and every key not in `expected` unless
 * `allowUnexpected`.
 */
export function checkWeights(
  what: string,
  tensors: ReadonlyMap<string, { shape: readonly number[] }>,
  expected: ReadonlyMap<string, readonly number[]>,
  options: { allowUnexpected?: boolean } = {},
): void {
  const problems: WeightProblem[] = [];
  for (const [key, shape] of expected) {
    const t = tensors.get(key);
    if (!t) problems.push({ key, problem: 'missing', expected: [...shape] });
    else if (!sameShape(t.shape, shape)) problems.push({ key, problem: 'shape', expected: [...shape], found: [...t.shape] });
  }
  if (!options.allowUnexpected) {
    for (const [key, t] of tensors) {
      if (!expected.has(key)) problems.push({ key, problem: 'unexpected', found: [...t.shape] });
    }
  }
  if (problems.length) throw new WeightMismatchError(what, problems);
}

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
export async function loadWeights(source: WeightSource, keep: (key: string) => boolean = () => true): Promise<LoadedWeights> {
  if (source instanceof Map) return { tensors: filterMap(source, keep), metadata: {}, owned: false };
  if (typeof source === 'string' || source instanceof Uint8Array || source instanceof ArrayBuffer) {
    const file = await readSafetensors(source);
    const tensors: TensorMap = new Map();
    try {
      for (const key of file.keys()) {
        if (keep(key)) tensors.set(key, await file.tensor(key));
      }
    } catch (e) {
      tf.dispose([...tensors.values()]);
      throw e;
    } finally {
      await file.close();
    }
    return { tensors, metadata: file.metadata, owned: true };
  }
  if (typeof source === 'object' && source !== null) {
    return { tensors: filterMap(new Map(Object.entries(source)), keep), metadata: {}, owned: false };
  }
  throw new TypeError('weights source must be a path, a Uint8Array, an ArrayBuffer, a Map or a record of tensors');
}

/** The keys of a source, without loading any tensor. */
export async function weightKeys(source: WeightSource): Promise<string[]> {
  if (source instanceof Map) return [...source.keys()];
  if (typeof source === 'string' || source instanceof Uint8Array || source instanceof ArrayBuffer) {
    const file = await readSafetensors(source);
    try {
      return file.keys();
    } finally {
      await file.close();
    }
  }
  return Object.keys(source);
}

function filterMap(map: TensorMap, keep: (key: string) => boolean): TensorMap {
  return new Map([...map].filter(([k]) => keep(k)));
}
