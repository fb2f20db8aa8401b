import { tf, WeightMismatchError, type WeightProblem } from '@rectiflow/core';
import { findPrefix, openWeightSource, serializeSafetensors, type WeightSource, writeSafetensors } from '@rectiflow/safetensors';
import type { MMDiTOptions } from './config';
import { diffusersToOfficial } from './diffusers-keys';
import { inferMMDiTConfig } from './infer-config';
import { MMDiT } from './mmdit';
import type { ParamSource } from './parameters';

/** Options of {@link loadMMDiT}. */
export interface LoadMMDiTOptions {
  /** Architecture fields that override what is inferred from the shapes. */
  config?: MMDiTOptions;
  /** Reject tensors the model does not use. Default true. */
  strict?: boolean;
}

/** The prefixes tried, in order: SD3 single-file checkpoints, then bare keys. */
export const OFFICIAL_PREFIXES = ['model.diffusion_model.', ''] as const;
const DIFFUSERS_PREFIXES = ['', 'transformer.', 'model.diffusion_model.'] as const;

/** Read the MM-DiT tensors of a source under official keys (new tensors the caller disposes). */
async function readOfficialTensors(source: WeightSource): Promise<Map<string, tf.Tensor>> {
  const opened = await openWeightSource(source, { subfolders: ['transformer', ''] });
  if (opened.kind === 'file') {
    const { file } = opened;
    try {
      const keys = file.keys();
      let prefix: string | undefined = findPrefix(keys, OFFICIAL_PREFIXES, 'x_embedder.proj.weight');
      const diffusers = prefix === undefined;
      if (diffusers) prefix = findPrefix(keys, DIFFUSERS_PREFIXES, 'pos_embed.proj.weight');
      if (prefix === undefined) {
        throw new WeightMismatchError(file.source, [
          {
            key: 'x_embedder.proj.weight',
            problem: 'missing',
            detail: `not an MM-DiT checkpoint (no x_embedder.proj.weight, with or without "model.diffusion_model.", nor diffusers' pos_embed.proj.weight)`,
          },
        ]);
      }
      const tensors = new Map<string, tf.Tensor>();
      try {
        for (const key of keys) {
          if (!key.startsWith(prefix)) continue;
          const name = key.slice(prefix.length);
          if (diffusers && !/^(pos_embed|time_text_embed|context_embedder|transformer_blocks|norm_out|proj_out)\b/.test(name)) continue;
          tensors.set(name, await file.tensor(key));
        }
        if (!diffusers) return tensors;
        const converted = diffusersToOfficial(tensors);
        tf.dispose([...tensors.values()]);
        return converted;
      } catch (e) {
        tf.dispose([...tensors.values()]);
        throw e;
      }
    } finally {
      await opened.close();
    }
  }
  const entries = [...opened.tensors.entries()];
  const keys = entries.map(([k]) => k);
  const official = findPrefix(keys, OFFICIAL_PREFIXES, 'x_embedder.proj.weight');
  if (official !== undefined) {
    return new Map(entries.filter(([k]) => k.startsWith(official)).map(([k, t]) => [k.slice(official.length), t.clone()]));
  }
  if (findPrefix(keys, [''], 'pos_embed.proj.weight') !== undefined) return diffusersToOfficial(new Map(entries));
  throw new WeightMismatchError('MM-DiT state dict', [
    {
      key: 'x_embedder.proj.weight',
      problem: 'missing',
      detail: 'not an MM-DiT state dict (no x_embedder.proj.weight nor pos_embed.proj.weight)',
    },
  ]);
}

/**
 * A {@link ParamSource} reading from official tensors, checking presence and shape. Each
 * tensor is handed over (removed from `tensors`), so the checkpoint copy is freed as soon
 * as its variable exists. A missing or misshaped tensor is recorded in `problems` and
 * replaced by zeros, so that one pass finds every problem.
 */
function checkpointSource(tensors: Map<string, tf.Tensor>, used: Set<string>, problems: WeightProblem[]): ParamSource {
  return ({ key, shape }) => {
    const t = tensors.get(key);
    if (!t) {
      problems.push({ key, problem: 'missing', expected: [...shape] });
      return tf.zeros([...shape]);
    }
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      problems.push({ key, problem: 'shape', expected: [...shape], found: [...t.shape] });
      used.add(key);
      return tf.zeros([...shape]);
    }
    used.add(key);
    tensors.delete(key);
    if (t.dtype === 'float32') return t;
    const cast = tf.cast(t, 'float32');
    t.dispose();
    return cast;
  };
}

/**
 * Load an MM-DiT from an official SD3 / SD3.5 checkpoint or a diffusers one: a safetensors
 * path, a sharded `*.safetensors.index.json`, a diffusers pipeline or `transformer/` folder, the
 * bytes of a file, an open `SafetensorsFile`, or a map of tensors. Keys may carry the
 * `model.diffusion_model.` prefix of single-file checkpoints (other tensors in the file,
 * such as the VAE or text encoders, are ignored); diffusers-named weights are converted.
 * The architecture is inferred from the shapes.
 * @throws WeightMismatchError (from `@rectiflow/core`) listing every missing, misshaped and
 * (unless `strict: false`) unexpected tensor, with the expected and found shapes.
 */
export async function loadMMDiT(source: WeightSource, options: LoadMMDiTOptions = {}): Promise<MMDiT> {
  const tensors = await readOfficialTensors(source);
  try {
    const shapes = new Map([...tensors.entries()].map(([k, t]) => [k, t.shape] as const));
    const config = inferMMDiTConfig(shapes, options.config);
    const used = new Set<string>();
    const problems: WeightProblem[] = [];
    const model = new MMDiT(config, { source: checkpointSource(tensors, used, problems) });
    if (options.strict ?? true) {
      for (const [key, t] of tensors) {
        if (!used.has(key)) problems.push({ key, problem: 'unexpected', found: [...t.shape] });
      }
    }
    if (problems.length) {
      model.dispose();
      const hint = problems.some((p) => p.problem === 'unexpected') ? ' (pass { strict: false } to ignore unexpected tensors)' : '';
      throw new WeightMismatchError(`MM-DiT (depth ${config.depth}, hidden ${config.hidden})${hint}`, problems);
    }
    return model;
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

/** Options of {@link saveMMDiT} and {@link serializeMMDiT}. */
export interface SaveMMDiTOptions {
  /** A key prefix, e.g. `model.diffusion_model.` for a single-file layout. Default none. */
  prefix?: string;
  /** `__metadata__` entries. */
  metadata?: Record<string, string>;
}

function prefixed(model: MMDiT, prefix: string): Map<string, tf.Tensor> {
  return new Map([...model.stateDict().entries()].map(([k, t]) => [prefix + k, t]));
}

/** The model as safetensors bytes, official keys and layouts (float32). */
export async function serializeMMDiT(model: MMDiT, options: SaveMMDiTOptions = {}): Promise<Uint8Array> {
  const state = prefixed(model, options.prefix ?? '');
  try {
    return await serializeSafetensors(state, { format: 'pt', ...options.metadata });
  } finally {
    tf.dispose([...state.values()]);
  }
}

/** Write the model to a safetensors file, official keys and layouts (float32), atomically. */
export async function saveMMDiT(model: MMDiT, path: string, options: SaveMMDiTOptions = {}): Promise<void> {
  const state = prefixed(model, options.prefix ?? '');
  try {
    await writeSafetensors(path, state, { format: 'pt', ...options.metadata });
  } finally {
    tf.dispose([...state.values()]);
  }
}
