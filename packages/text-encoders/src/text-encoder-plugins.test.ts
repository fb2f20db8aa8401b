import { create, PluginArgumentError, registry, tf } from '@rectiflow/core';
import { describe, expect, it } from 'vitest';
import { CachedTextEncoder } from './embedding-cache';
import { SmallTextEncoder } from './small-text-encoder';
import { TEXT_ENCODER_PLUGINS } from './text-encoder-plugins';

describe('text-encoder plugins', () => {
  it('registers small-text and cached', () => {
    expect(TEXT_ENCODER_PLUGINS).toEqual(['small-text', 'cached']);
    for (const name of TEXT_ENCODER_PLUGINS) expect(registry.has('text-encoder', name)).toBe(true);
  });

  it('creates a small encoder from a spec, and a cached frozen one', () => {
    const enc = create('text-encoder', "small-text(captions=['a red circle', 'a blue square'], dim=8, heads=2, length=4, pooledDim=6)");
    expect(enc).toBeInstanceOf(SmallTextEncoder);
    expect([enc.contextDim, enc.pooledDim]).toEqual([8, 6]);
    enc.dispose();
    const cached = create('text-encoder', "cached(small-text(captions=['a b'], dim=4, heads=1, length=3, trainable=false), maxEntries=10)");
    expect(cached).toBeInstanceOf(CachedTextEncoder);
    const out = cached.encode(['a b', 'a b']);
    expect(out.context.shape).toEqual([2, 3, 4]);
    tf.dispose(Object.values(out));
    cached.dispose();
  });

  it('explains bad arguments', () => {
    expect(() => create('text-encoder', 'small-text(captions=3)')).toThrow(/captions: got 3; expected a non-empty list of strings/);
    expect(() => create('text-encoder', "small-text(captions=['a'], dim=0)")).toThrow(PluginArgumentError);
    expect(() => create('text-encoder', "cached(small-text(captions=['a'], dim=4, heads=1))")).toThrow(/frozen encoder/);
  });
});
