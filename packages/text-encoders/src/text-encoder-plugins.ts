/**
 * The text encoders that can be built from a spec string, registered as plugin kind
 * `text-encoder` when this package is imported:
 *
 * - `small-text(captions=['a red circle', ...], dim=64, depth=2, heads=4, length=32)`
 * - `cached(small-text(..., trainable=false), maxEntries=0)`
 *
 * - `sd3-text(clipL="sd3.safetensors", clipG="sd3.safetensors", tokenizer="clip/tokenizer.json",
 *   t5="t5xxl.safetensors", t5Tokenizer="t5/tokenizer.json")`: the SD3 stack, loaded
 *   asynchronously: `await createAsync('text-encoder', spec)` (or {@link Sd3TextEncoder.load}).
 */
import { create, definePlugin, type PluginDefinition, registerBuiltin, type TextEncoder, ValidationError } from '@rectiflow/core';
import type { ClipActivation } from './clip-activation';
import { CachedTextEncoder, EmbeddingCache } from './embedding-cache';
import { Sd3TextEncoder } from './sd3-conditioning';
import { SmallTextEncoder } from './small-text-encoder';

function captionsOf(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((c) => typeof c === 'string')) {
    throw new ValidationError('small-text captions', value, "a non-empty list of strings, e.g. captions=['a red circle', 'a blue square']");
  }
  return value;
}

const BUILT_IN: Record<string, PluginDefinition<TextEncoder>> = {
  'small-text': definePlugin({
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
    create: (p) =>
      SmallTextEncoder.fromCaptions(captionsOf(p.captions), {
        dim: p.dim,
        depth: p.depth,
        heads: p.heads,
        length: p.length,
        pooledDim: p.pooledDim || undefined,
        minCount: p.minCount,
        seed: p.seed,
        trainable: p.trainable,
      }),
  }),
  'sd3-text': definePlugin({
    description: 'the SD3 conditioning stack: CLIP-L + CLIP-G (+ optional T5) from safetensors, with their tokenizers',
    params: [
      { name: 'clipL', type: 'string', description: 'CLIP-L weights (HF keys, or an SD3 single file)' },
      { name: 'clipG', type: 'string', description: 'CLIP-G weights (HF keys, or an SD3 single file)' },
      { name: 'tokenizer', type: 'string', description: 'the CLIP tokenizer.json' },
      { name: 't5', type: 'string', default: '', description: 'T5-XXL weights; empty: no T5 (zeros)' },
      { name: 't5Tokenizer', type: 'string', default: '', description: 'the T5 tokenizer.json (with t5)' },
      { name: 't5Length', type: 'integer', default: 77, min: 1, description: 'T5 tokens in the context' },
      { name: 'clipLHeads', type: 'integer', default: 0, min: 0, description: 'CLIP-L heads; 0 = 12 for width 768, required otherwise' },
      { name: 'clipGHeads', type: 'integer', default: 0, min: 0, description: 'CLIP-G heads; 0 = 20 for width 1280, required otherwise' },
      { name: 'clipLAct', type: 'string', default: 'auto', oneOf: ['auto', 'quick_gelu', 'gelu'], description: 'CLIP-L activation' },
      { name: 'clipGAct', type: 'string', default: 'auto', oneOf: ['auto', 'quick_gelu', 'gelu'], description: 'CLIP-G activation' },
    ],
    load: async (p) => {
      if (p.t5 && !p.t5Tokenizer)
        throw new ValidationError('sd3-text t5Tokenizer', p.t5Tokenizer, 'the T5 tokenizer.json path when t5 is given');
      const { readTokenizerFile } = await import('./node-file');
      const clipOptions = (heads: number, act: ClipActivation | 'auto') => ({
        ...(heads > 0 ? { numHeads: heads } : {}),
        ...(act !== 'auto' ? { hiddenAct: act } : {}),
      });
      return Sd3TextEncoder.load(
        {
          clipL: p.clipL,
          clipG: p.clipG,
          t5: p.t5 || null,
          tokenizers: {
            clip: await readTokenizerFile(p.tokenizer),
            t5: p.t5Tokenizer ? await readTokenizerFile(p.t5Tokenizer) : null,
          },
          clipLOptions: clipOptions(p.clipLHeads, p.clipLAct),
          clipGOptions: clipOptions(p.clipGHeads, p.clipGAct),
        },
        { t5Length: p.t5Length },
      );
    },
  }),
  cached: definePlugin({
    description: 'answers repeated prompts of a frozen encoder from an embedding cache',
    params: [
      { name: 'encoder', type: 'spec', description: 'the text-encoder spec to cache' },
      { name: 'maxEntries', type: 'integer', default: 0, min: 0, description: 'most prompts kept; 0 = unbounded' },
    ],
    create: (p) => {
      const inner = create('text-encoder', p.encoder);
      try {
        return new CachedTextEncoder(inner, new EmbeddingCache(p.maxEntries > 0 ? { maxEntries: p.maxEntries } : {}));
      } catch (e) {
        inner.dispose();
        throw e;
      }
    },
  }),
};

for (const [name, definition] of Object.entries(BUILT_IN)) {
  registerBuiltin('text-encoder', name, definition);
}

/** The names of the built-in text-encoder plugins. */
export const TEXT_ENCODER_PLUGINS: readonly string[] = Object.keys(BUILT_IN);
