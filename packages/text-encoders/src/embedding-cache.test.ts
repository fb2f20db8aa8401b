import { type TextEncoder, type TextEncoding, tf } from '@rectiflow/core';
import { expectClose, expectNoTensorLeak } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { CachedTextEncoder, EmbeddingCache, encoderIdentity } from './embedding-cache';
import { SmallTextEncoder } from './small-text-encoder';

/** A frozen small encoder that counts the prompts it is asked to encode. */
function counting() {
  const inner = SmallTextEncoder.fromCaptions(['a red circle', 'a blue square'], {
    dim: 8,
    heads: 2,
    length: 5,
    trainable: false,
    seed: 2,
  });
  const seen: string[] = [];
  const encoder: TextEncoder = {
    name: 'counting',
    contextDim: inner.contextDim,
    pooledDim: inner.pooledDim,
    encode(prompts: readonly string[]): TextEncoding {
      seen.push(...prompts);
      return inner.encode(prompts);
    },
    dispose: () => inner.dispose(),
  };
  return { inner, encoder, seen };
}

describe('CachedTextEncoder', () => {
  it('encodes each distinct prompt once and returns the same values as the encoder', () => {
    const { inner, encoder, seen } = counting();
    const cached = new CachedTextEncoder(encoder);
    const prompts = ['a red circle', '', 'a red circle', 'a blue square'];
    const first = cached.encode(prompts);
    const second = cached.encode(['a blue square', 'a red circle']);
    const direct = inner.encode(prompts);
    try {
      expect(seen).toEqual(['a red circle', '', 'a blue square']);
      expect(cached.cache.size).toBe(3);
      expect([cached.cache.hits, cached.cache.misses]).toEqual([2, 3]);
      expectClose(first.context, direct.context, { atol: 0, rtol: 0 });
      expectClose(first.pooled, direct.pooled, { atol: 0, rtol: 0 });
      expectClose(first.mask as tf.Tensor, direct.mask as tf.Tensor, { atol: 0, rtol: 0 });
      expectClose(tf.slice(second.pooled, [1, 0], [1, -1]), tf.slice(direct.pooled, [0, 0], [1, -1]), { atol: 0, rtol: 0 });
    } finally {
      tf.dispose([...Object.values(first), ...Object.values(second), ...Object.values(direct)]);
    }
    cached.dispose();
    expect(cached.cache.size).toBe(0);
  });

  it('keys entries by encoder identity, evicts the least recently used, and leaks no tensors', async () => {
    const a = counting();
    const b = counting();
    const shared = new EmbeddingCache({ maxEntries: 2 });
    const ca = new CachedTextEncoder(a.encoder, shared);
    const cb = new CachedTextEncoder(b.encoder, shared);
    expect(ca.identity).not.toBe(cb.identity);
    expect(encoderIdentity(a.encoder)).toBe(ca.identity);
    tf.dispose(Object.values(ca.encode(['x'])));
    tf.dispose(Object.values(cb.encode(['x'])));
    expect(b.seen).toEqual(['x']);
    tf.dispose(Object.values(ca.encode(['y'])));
    expect(shared.size).toBe(2);
    // ca's "x" was the least recently used: it was evicted, cb's "x" was kept
    tf.dispose(Object.values(cb.encode(['x'])));
    expect(b.seen).toEqual(['x']);
    tf.dispose(Object.values(ca.encode(['x'])));
    expect(a.seen).toEqual(['x', 'y', 'x']);
    await expectNoTensorLeak(() => tf.dispose(Object.values(ca.encode(['y', 'z', 'y']))), { iterations: 3 });
    ca.dispose();
    cb.dispose();
  });

  it('refuses a trainable encoder', () => {
    const enc = SmallTextEncoder.fromCaptions(['a'], { dim: 4, heads: 1, length: 2 });
    expect(() => new CachedTextEncoder(enc)).toThrow(/frozen encoder/);
    enc.dispose();
  });
});
