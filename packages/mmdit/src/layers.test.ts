import { createRng, tf } from '@rectiflow/core';
import { expectClose } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { DiTBlock } from './dit-block';
import { initSource, ParamStore } from './parameters';
import { PatchEmbed, patchify } from './patch-embed';
import { cropPosEmbed, sincosPosEmbed2d } from './pos-embed';
import { timestepEmbedding } from './timestep-embedder';
import { unpatchify } from './unpatchify';

const rng = createRng(21);

describe('layers', () => {
  it('PatchEmbed equals a stride-p convolution with the official weight layout', () => {
    const store = new ParamStore(initSource(createRng(1)));
    const embed = new PatchEmbed(store, 'x_embedder', 3, 5, 2);
    const x = rng.normal([2, 3, 4, 6]) as tf.Tensor4D;
    const official = store.entries[0];
    expect(official.officialShape).toEqual([5, 3, 2, 2]);
    const got = embed.apply(x);
    const want = tf.tidy(() => {
      const w = tf.reshape(tf.transpose(embed.weight), [5, 3, 2, 2]); // [out, in, kh, kw]
      const conv = tf.conv2d(tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D, tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D, 2, 'valid');
      return tf.add(tf.reshape(conv, [2, 6, 5]), embed.bias);
    });
    expect(got.shape).toEqual([2, 6, 5]);
    expectClose(got, want, { atol: 1e-5 });
    tf.dispose([x, got, want, embed.weight, embed.bias]);
  });

  it('unpatchify places feature (py*p + px)*C + c of token (i, j) at [c, i*p + py, j*p + px]', () => {
    const [b, h, w, p, c] = [2, 2, 3, 2, 3];
    const tokens = tf.range(0, b * h * w * p * p * c).reshape([b, h * w, p * p * c]) as tf.Tensor3D;
    const img = unpatchify(tokens, p, c, h, w);
    expect(img.shape).toEqual([b, c, h * p, w * p]);
    const v = img.arraySync() as number[][][][];
    const t = tokens.arraySync() as number[][][];
    for (let n = 0; n < b; n++)
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++)
          for (let py = 0; py < p; py++)
            for (let px = 0; px < p; px++)
              for (let ch = 0; ch < c; ch++) expect(v[n][ch][i * p + py][j * p + px]).toBe(t[n][i * w + j][(py * p + px) * c + ch]);
    // patchify orders features (c, ky, kx), so for p = 1 the two are inverses.
    const x = rng.normal([1, 3, 2, 2]) as tf.Tensor4D;
    expectClose(unpatchify(patchify(x, 1), 1, 3, 2, 2), x, { atol: 0 });
    expect(() => patchify(rng.normal([1, 3, 3, 4]) as tf.Tensor4D, 2)).toThrow(/divisible by the patch size 2/);
    tf.dispose([tokens, img, x]);
  });

  it('the sin-cos table encodes the column in the first half and the row in the second', () => {
    const dim = 8;
    const table = sincosPosEmbed2d(dim, 3);
    const at = (row: number, col: number) => Array.from(table.slice((row * 3 + col) * dim, (row * 3 + col + 1) * dim));
    const omega = [1, 1 / 100];
    const expected = (row: number, col: number) => [
      ...omega.map((o) => Math.sin(col * o)),
      ...omega.map((o) => Math.cos(col * o)),
      ...omega.map((o) => Math.sin(row * o)),
      ...omega.map((o) => Math.cos(row * o)),
    ];
    expectClose(at(0, 0), [0, 0, 1, 1, 0, 0, 1, 1], { atol: 0 });
    expectClose(at(1, 2), expected(1, 2), { atol: 1e-7 });
    expectClose(at(2, 1), expected(2, 1), { atol: 1e-7 });
  });

  it('crops the position table around the centre (floor)', () => {
    const m = 5;
    const table = tf.range(0, m * m).reshape([1, m * m, 1]);
    const crop = cropPosEmbed(table, m, 2, 3); // top = 1, left = 1
    expect(Array.from(crop.dataSync())).toEqual([6, 7, 8, 11, 12, 13]);
    expect(() => cropPosEmbed(table, m, 6, 2)).toThrow(/at most 5 x 5 patches/);
    tf.dispose([table, crop]);
  });

  it('timestep features are [cos, sin] of t times exp(-ln(10000) i / half)', () => {
    const f = timestepEmbedding(tf.tensor1d([0, 500]), 6);
    const freqs = [0, 1, 2].map((i) => Math.exp((-Math.log(10000) * i) / 3));
    expectClose(f, [1, 1, 1, 0, 0, 0, ...freqs.map((q) => Math.cos(500 * q)), ...freqs.map((q) => Math.sin(500 * q))], { atol: 2e-4 });
    f.dispose();
  });

  it('adaLN modulation has 6 chunks, 2 when pre-only, 9 with dual attention', () => {
    const store = new ParamStore(initSource(createRng(2)));
    const opts = { mlpHidden: 16, qkNorm: true, qkvBias: true };
    const normal = new DiTBlock(store, 'a', 8, 2, opts);
    const pre = new DiTBlock(store, 'b', 8, 2, { ...opts, preOnly: true });
    const dual = new DiTBlock(store, 'c', 8, 2, { ...opts, dualAttention: true });
    expect([normal.modulation.chunks, pre.modulation.chunks, dual.modulation.chunks]).toEqual([6, 2, 9]);
    const keys = store.entries.map((e) => e.key);
    expect(keys.filter((k) => k.startsWith('b.'))).toEqual([
      'b.adaLN_modulation.1.weight',
      'b.adaLN_modulation.1.bias',
      'b.attn.qkv.weight',
      'b.attn.qkv.bias',
      'b.attn.ln_q.weight',
      'b.attn.ln_k.weight',
    ]);
    expect(keys).toContain('c.attn2.qkv.weight');
    expect(keys).toContain('c.attn2.proj.bias');
    const c = rng.normal([3, 8]) as tf.Tensor2D;
    const { raw, mod } = dual.modulate(c);
    expect(raw.shape).toEqual([3, 72]);
    expect(mod.gateMsa2?.shape).toEqual([3, 8]);
    tf.dispose([c, raw, ...Object.values(mod), ...store.entries.map((e) => e.variable)]);
  });
});
