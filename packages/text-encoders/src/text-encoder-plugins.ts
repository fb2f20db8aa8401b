/**
 * The text encoders that can be built from a spec string, registered as plugin kind
 * `text-encoder` when this package is imported:
 *
 * - `small-text(captions=['a red circle', ...], dim=64, depth=2, heads=4, length=32)`
 * - `cached(small-text(..., trainable=false), maxEntries=0)`
 *
 * The SD3 stack needs its checkpoints read first, which a synchronous plugin cannot do:
 * build it with {@link Sd3TextEncoder.load}.
 */
import {
  create,
  type PluginDefinition,
  type PluginParams,
  registry,
  type SpecNode,
  type TextEncoder,
  ValidationError,
} from '@rectiflow/core';
import { CachedTextEncoder, EmbeddingCache } from './embedding-cache';
import { SmallTextEncoder } from './small-text-encoder';

function captionsOf(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((c) => typeof c === 'string')) {
    throw new ValidationError('small-text captions', value, "a non-empty list of strings, e.g. captions=['a red circle', 'a blue square']");
  }
  return value;
}

const BUILT_IN: Record<string, PluginDefinition<TextEncoder>> = {
  'small-text': {
    description: 'a small trainable transformer over a word vocabulary built from the captions',
    params: [
      { name: 'captions', type: 'any', description: 'the caption set the vocabulary is built from (list of strings)' },
      { name: 'dim', type: 'integer', default: 64, min: 1, description: 'model width' },
      { name: 'depth', type: 'integer', default: 2, min: 0, description: 'transformer layers' },
      { name: 'heads', type: 'integer', default: 4, min: 1, description: 'attention heads' },
      { name: 'length', type: 'integer', default: 32, min: 1, description: 'tokens per caption' },
      { name: 'pooledDim', type: 'integer', default: 0, min: 0, description: 'pooled width; 0 = dim' },
      { name: 'minCount', type: 'integer', default: 1, min: 1, description: 'rarer words become [UNK]' },
      { name: 'seed', type: 'integer', default: 0, description: 'seed of the initial weights' },
      { name: 'trainable', type: 'boolean', default: true, description: 'false freezes the weights' },
    ],
    create: (p: PluginParams) =>
      SmallTextEncoder.fromCaptions(captionsOf(p.captions), {
        dim: p.dim as number,
        depth: p.depth as number,
        heads: p.heads as number,
        length: p.length as number,
        pooledDim: (p.pooledDim as number) || undefined,
        minCount: p.minCount as number,
        seed: p.seed as number,
        trainable: p.trainable as boolean,
      }),
  },
  cached: {
    description: 'answers repeated prompts of a frozen encoder from an embedding cache',
    params: [
      { name: 'encoder', type: 'spec', description: 'the text-encoder spec to cache' },
      { name: 'maxEntries', type: 'integer', default: 0, min: 0, description: 'most prompts kept; 0 = unbounded' },
    ],
    create: (p: PluginParams) => {
      const inner = create('text-encoder', p.encoder as SpecNode);
      try {
        return new CachedTextEncoder(inner, new EmbeddingCache((p.maxEntries as number) > 0 ? { maxEntries: p.maxEntries as number } : {}));
      } catch (e) {
        inner.dispose();
        throw e;
      }
    },
  },
};

for (const [name, definition] of Object.entries(BUILT_IN)) {
  // The registry is global: a second copy of this package (ESM and CJS) must not re-register.
  if (!registry.has('text-encoder', name)) registry.register('text-encoder', name, definition);
}

/** The names of the built-in text-encoder plugins. */
export const TEXT_ENCODER_PLUGINS: readonly string[] = Object.keys(BUILT_IN);
