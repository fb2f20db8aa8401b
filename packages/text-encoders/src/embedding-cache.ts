/**
 * An embedding cache keyed by encoder identity and prompt, so that training on a fixed
 * caption set encodes each caption once. Entries are kept as plain typed arrays outside
 * the tfjs heap (which on wasm is limited to 4 GiB and never shrinks).
 */
import { checkNumber, type TextEncoder, type TextEncoding, tf, ValidationError } from '@rectiflow/core';

/** One prompt's encoding, batch dimension removed. */
export interface CachedEncoding {
  context: Float32Array;
  contextShape: [number, number];
  pooled: Float32Array;
  mask?: Float32Array;
}

/** Options of {@link EmbeddingCache}. */
export interface EmbeddingCacheOptions {
  /** Keep at most this many entries, evicting the least recently used. Default unbounded. */
  maxEntries?: number;
}

/** Prompt encodings by `(encoder identity, prompt)`. Can be shared by several encoders. */
export class EmbeddingCache {
  private readonly entries = new Map<string, CachedEncoding>();
  private readonly maxEntries: number;
  /** Lookups that found an entry. */
  hits = 0;
  /** Lookups that did not. */
  misses = 0;

  constructor(options: EmbeddingCacheOptions = {}) {
    this.maxEntries =
      options.maxEntries === undefined ? Infinity : checkNumber('maxEntries', options.maxEntries, { integer: true, min: 1 });
  }

  private static key(identity: string, prompt: string): string {
    return `${identity.length}:${identity}\u0000${prompt}`;
  }

  /** Entries held. */
  get size(): number {
    return this.entries.size;
  }

  /** The entry, if present (counts a hit or a miss; refreshes its recency). */
  get(identity: string, prompt: string): CachedEncoding | undefined {
    const key = EmbeddingCache.key(identity, prompt);
    const entry = this.entries.get(key);
    if (entry) {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, entry);
    } else {
      this.misses++;
    }
    return entry;
  }

  /** Store an entry, evicting the oldest beyond `maxEntries`. */
  set(identity: string, prompt: string, entry: CachedEncoding): void {
    const key = EmbeddingCache.key(identity, prompt);
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** Drop every entry of one encoder identity, or all entries. */
  clear(identity?: string): void {
    if (identity === undefined) {
      this.entries.clear();
      return;
    }
    const start = `${identity.length}:${identity}\u0000`;
    for (const key of [...this.entries.keys()]) if (key.startsWith(start)) this.entries.delete(key);
  }
}

const ids = new WeakMap<object, number>();
let nextId = 1;

/** A process-unique identity for an encoder object: its name and a serial number. */
export function encoderIdentity(encoder: TextEncoder): string {
  let id = ids.get(encoder);
  if (id === undefined) {
    id = nextId++;
    ids.set(encoder, id);
  }
  return `${encoder.name}#${id}`;
}

/**
 * A `TextEncoder` that answers repeated prompts from an {@link EmbeddingCache} and
 * encodes the missing ones in one batch. Only for frozen encoders: the cache would go
 * stale as trainable weights change, so an encoder with trainable variables is refused.
 */
export class CachedTextEncoder implements TextEncoder {
  readonly name: string;
  readonly contextDim: number;
  readonly pooledDim: number;
  /** The key under which this encoder's entries are stored. */
  readonly identity: string;

  constructor(
    readonly encoder: TextEncoder,
    readonly cache: EmbeddingCache = new EmbeddingCache(),
    identity?: string,
  ) {
    if ((encoder.trainableVariables?.().length ?? 0) > 0) {
      throw new ValidationError('encoder', encoder.name, 'a frozen encoder (its cached encodings would go stale while it trains)');
    }
    this.name = encoder.name;
    this.contextDim = encoder.contextDim;
    this.pooledDim = encoder.pooledDim;
    this.identity = identity ?? encoderIdentity(encoder);
  }

  encode(prompts: readonly string[]): TextEncoding {
    if (!Array.isArray(prompts) || prompts.length === 0) throw new ValidationError('prompts', prompts, 'a non-empty array of strings');
    const found = new Map<string, CachedEncoding>();
    const missing: string[] = [];
    for (const p of prompts) {
      if (typeof p !== 'string') throw new ValidationError('prompt', p, 'a string');
      if (found.has(p) || missing.includes(p)) continue;
      const entry = this.cache.get(this.identity, p);
      if (entry) found.set(p, entry);
      else missing.push(p);
    }
    if (missing.length) {
      const fresh = this.encoder.encode(missing);
      try {
        const [, L, D] = fresh.context.shape;
        const P = fresh.pooled.shape[1];
        const context = fresh.context.dataSync() as Float32Array;
        const pooled = fresh.pooled.dataSync() as Float32Array;
        const mask = fresh.mask?.dataSync() as Float32Array | undefined;
        missing.forEach((p, b) => {
          const entry: CachedEncoding = {
            context: context.slice(b * L * D, (b + 1) * L * D),
            contextShape: [L, D],
            pooled: pooled.slice(b * P, (b + 1) * P),
          };
          if (mask) entry.mask = mask.slice(b * L, (b + 1) * L);
          found.set(p, entry);
          this.cache.set(this.identity, p, entry);
        });
      } finally {
        tf.dispose(Object.values(fresh).filter((v) => v instanceof tf.Tensor));
      }
    }
    const rows = prompts.map((p) => found.get(p) as CachedEncoding);
    const [L, D] = rows[0].contextShape;
    const B = rows.length;
    const context = new Float32Array(B * L * D);
    const pooled = new Float32Array(B * this.pooledDim);
    rows.forEach((r, b) => {
      context.set(r.context, b * L * D);
      pooled.set(r.pooled, b * this.pooledDim);
    });
    const out: TextEncoding = { context: tf.tensor3d(context, [B, L, D]), pooled: tf.tensor2d(pooled, [B, this.pooledDim]) };
    if (rows[0].mask) {
      const mask = new Float32Array(B * L);
      rows.forEach((r, b) => {
        mask.set(r.mask as Float32Array, b * L);
      });
      out.mask = tf.tensor2d(mask, [B, L]);
    }
    return out;
  }

  /** Drop this encoder's cache entries and dispose the wrapped encoder. */
  dispose(): void {
    this.cache.clear(this.identity);
    this.encoder.dispose();
  }
}
