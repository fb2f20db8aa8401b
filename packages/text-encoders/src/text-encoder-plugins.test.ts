import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, createAsync, PluginArgumentError, registry, tf } from '@rectiflow/core';
import { fixturePath } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { CachedTextEncoder } from './embedding-cache';
import { Sd3TextEncoder } from './sd3-conditioning';
import { SmallTextEncoder } from './small-text-encoder';
import { tinyClipTokenizerJson, tinyT5TokenizerJson } from './test-helpers';
import { TEXT_ENCODER_PLUGINS } from './text-encoder-plugins';

describe('text-encoder plugins', () => {
  it('registers small-text, sd3-text and cached', () => {
    expect(TEXT_ENCODER_PLUGINS).toEqual(['small-text', 'sd3-text', 'cached']);
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

  it('loads the SD3 stack asynchronously from a spec, as Sd3TextEncoder.load does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rectiflow-sd3-text-'));
    writeFileSync(join(dir, 'clip.json'), JSON.stringify(tinyClipTokenizerJson()));
    writeFileSync(join(dir, 't5.json'), JSON.stringify(tinyT5TokenizerJson()));
    const paths = {
      clipL: fixturePath('text_encoders_tiny_clip_l.safetensors'),
      clipG: fixturePath('text_encoders_tiny_clip_g.safetensors'),
      t5: fixturePath('text_encoders_tiny_t5.safetensors'),
    };
    const q = (v: string) => JSON.stringify(v);
    const spec = `sd3-text(clipL=${q(paths.clipL)}, clipG=${q(paths.clipG)}, tokenizer=${q(join(dir, 'clip.json'))}, t5=${q(paths.t5)}, t5Tokenizer=${q(
      join(dir, 't5.json'),
    )}, t5Length=16, clipLHeads=2, clipLAct=quick_gelu, clipGHeads=3, clipGAct=gelu)`;
    expect(() => create('text-encoder', spec)).toThrow(/loads asynchronously: use createAsync/);
    const stack = await createAsync('text-encoder', spec);
    expect(stack).toBeInstanceOf(Sd3TextEncoder);
    const direct = await Sd3TextEncoder.load(
      {
        ...paths,
        tokenizers: { clip: tinyClipTokenizerJson(), t5: tinyT5TokenizerJson() },
        clipLOptions: { numHeads: 2, hiddenAct: 'quick_gelu' },
        clipGOptions: { numHeads: 3, hiddenAct: 'gelu' },
      },
      { t5Length: 16 },
    );
    const a = stack.encode(['a photo of a cat']);
    const b = direct.encode(['a photo of a cat']);
    expect(a.context.shape).toEqual([1, 77 + 16, 96]);
    expect(a.pooled.shape).toEqual([1, 80]);
    expect([...a.context.dataSync()]).toEqual([...b.context.dataSync()]);
    expect([...a.pooled.dataSync()]).toEqual([...b.pooled.dataSync()]);
    tf.dispose([a.context, a.pooled, b.context, b.pooled]);
    stack.dispose();
    direct.dispose();
    await expect(createAsync('text-encoder', `sd3-text(clipL="a", clipG="b", tokenizer="c", t5="d")`)).rejects.toThrow(/t5Tokenizer/);
  });
});
