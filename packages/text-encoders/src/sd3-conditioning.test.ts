import { createRng, tf } from '@rectiflow/core';
import { expectClose, expectNoTensorLeak, fixturePath } from '@rectiflow/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipTextModel } from './clip-text-model';
import { clipTokenizer, t5Tokenizer } from './prompt-tokenizer';
import { assembleSd3Context, Sd3TextEncoder } from './sd3-conditioning';
import { T5Encoder } from './t5-encoder';
import { ioTensor, ioTokens, tinyClipTokenizerJson, tinyT5TokenizerJson } from './test-helpers';

const load = async () => ({
  clipL: await ClipTextModel.load(fixturePath('text_encoders_tiny_clip_l.safetensors'), { numHeads: 2, hiddenAct: 'quick_gelu' }),
  clipG: await ClipTextModel.load(fixturePath('text_encoders_tiny_clip_g.safetensors'), { numHeads: 3, hiddenAct: 'gelu' }),
  t5: await T5Encoder.load(fixturePath('text_encoders_tiny_t5.safetensors')),
});

// The tiny tokenizers, with the fixture's stand-in ids for the CLIP specials (998, 999).
const tokenizers = () => ({
  clipL: clipTokenizer(tinyClipTokenizerJson(), { padWithEnd: true, start: 998, end: 999 }),
  clipG: clipTokenizer(tinyClipTokenizerJson(), { padWithEnd: false, start: 998, end: 999 }),
  t5: t5Tokenizer(tinyT5TokenizerJson()),
});

async function expectFixture(actual: tf.Tensor, key: string) {
  const expected = await ioTensor(key);
  try {
    expectClose(actual, expected, { atol: 1e-4, rtol: 0, label: key });
  } finally {
    expected.dispose();
  }
}

describe('Sd3TextEncoder', () => {
  let stack: Sd3TextEncoder;
  beforeAll(async () => {
    stack = new Sd3TextEncoder({ ...(await load()), tokenizers: tokenizers() });
  });
  afterAll(() => stack.dispose());

  it('reports its sizes and layout', () => {
    expect([stack.contextDim, stack.pooledDim, stack.t5Length]).toEqual([96, 80, 77]);
    expect(stack.blocks.map((b) => [b.name, b.rows, b.columns])).toEqual([
      ['clipL', [0, 77], [0, 32]],
      ['clipG', [0, 77], [32, 80]],
      ['t5', [77, 154], [0, 96]],
    ]);
  });

  it('matches sd3_cond from the fixture tokens of prompt 0', async () => {
    const row0 = async (key: string) => [(await ioTokens(key))[0]];
    const out = stack.encodeTokens({ clipL: await row0('clip_l.tokens'), clipG: await row0('clip_g.tokens'), t5: await row0('t5.tokens') });
    try {
      await expectFixture(out.context, 'sd3_cond.context');
      await expectFixture(out.pooled, 'sd3_cond.pooled');
    } finally {
      tf.dispose([out.context, out.pooled]);
    }
  });

  it('matches sd3_uncond from the empty prompt, through the tokenizers', async () => {
    const out = stack.encode(['']);
    try {
      await expectFixture(out.context, 'sd3_uncond.context');
      await expectFixture(out.pooled, 'sd3_uncond.pooled');
    } finally {
      tf.dispose([out.context, out.pooled]);
    }
    const t = tokenizers();
    expect(t.clipL.encode('').ids).toEqual((await ioTokens('sd3_uncond.clip_l_tokens'))[0]);
    expect(t.clipG.encode('').ids).toEqual((await ioTokens('sd3_uncond.clip_g_tokens'))[0]);
    expect(t.t5.encode('').ids).toEqual((await ioTokens('sd3_uncond.t5_tokens'))[0]);
  });

  it('encodes a batch row by row the same as one by one', () => {
    const both = stack.encode(['a photo of a cat', 'the dog']);
    const one = stack.encode(['the dog']);
    try {
      expect(both.context.shape).toEqual([2, 154, 96]);
      expectClose(tf.slice(both.context, [1, 0, 0], [1, -1, -1]), one.context, { atol: 1e-5, rtol: 0 });
      expectClose(tf.slice(both.pooled, [1, 0], [1, -1]), one.pooled, { atol: 1e-5, rtol: 0 });
    } finally {
      tf.dispose([both.context, both.pooled, one.context, one.pooled]);
    }
  });

  it('leaks no tensors', async () => {
    await expectNoTensorLeak(() => tf.dispose(Object.values(stack.encode(['a cat']))), { iterations: 2 });
  });
});

describe('Sd3TextEncoder without T5, and with dropout', () => {
  it('uses zeros for T5 with the configured length and width', async () => {
    const { clipL, clipG, t5 } = await load();
    t5.dispose();
    const stack = new Sd3TextEncoder({ clipL, clipG, tokenizers: { ...tokenizers(), t5: null } }, { t5Length: 5, contextDim: 96 });
    const withT5 = new Sd3TextEncoder({ ...(await load()), tokenizers: tokenizers() });
    try {
      expect(stack.hasT5).toBe(false);
      const out = stack.encode(['', 'a cat']);
      const ref = withT5.encode(['', 'a cat']);
      expect(out.context.shape).toEqual([2, 82, 96]);
      expectClose(tf.slice(out.context, [0, 0, 0], [-1, 77, -1]), tf.slice(ref.context, [0, 0, 0], [-1, 77, -1]), { atol: 1e-6, rtol: 0 });
      expect(tf.max(tf.abs(tf.slice(out.context, [0, 77, 0], [-1, -1, -1]))).dataSync()[0]).toBe(0);
      expectClose(out.pooled, ref.pooled, { atol: 1e-6, rtol: 0 });
      tf.dispose([out.context, out.pooled, ref.context, ref.pooled]);
      expect(() => new Sd3TextEncoder({ clipL, clipG }, { contextDim: 79 })).toThrow(/contextDim: got 79; expected an integer >= 80/);
      expect(() => new Sd3TextEncoder({ clipL, clipG, tokenizers: tokenizers() }, { t5Length: 256 })).toThrow(
        /t5Length: got 256; expected 77, the length of the T5 tokenizer/,
      );
    } finally {
      stack.dispose();
      withT5.dispose();
    }
  });

  it('drops each encoder independently, replacing it by the empty-prompt share (or zeros)', async () => {
    const parts = { ...(await load()), tokenizers: tokenizers() };
    const all = new Sd3TextEncoder(parts, { dropout: { probability: { clipL: 1, clipG: 0, t5: 1 }, rng: createRng(1) } });
    const prompts = ['a photo of a cat', 'the dog'];
    const clean = all.encode(prompts);
    const uncond = all.unconditionalEncoding();
    const trained = all.encodeForTraining(prompts);
    const rows = (t: tf.Tensor3D, r: [number, number], c: [number, number]) => tf.slice(t, [0, r[0], c[0]], [-1, r[1] - r[0], c[1] - c[0]]);
    const tile = (t: tf.Tensor) => tf.concat([t, t]);
    try {
      expect(trained.dropped).toEqual([
        [true, false, true],
        [true, false, true],
      ]);
      expectClose(rows(trained.context, [0, 77], [0, 32]), tile(rows(uncond.context, [0, 77], [0, 32])), { atol: 1e-6, rtol: 0 });
      expectClose(rows(trained.context, [0, 77], [32, 80]), rows(clean.context, [0, 77], [32, 80]), { atol: 1e-6, rtol: 0 });
      expectClose(rows(trained.context, [77, 154], [0, 96]), tile(rows(uncond.context, [77, 154], [0, 96])), { atol: 1e-6, rtol: 0 });
      expectClose(tf.slice(trained.pooled, [0, 0], [-1, 32]), tile(tf.slice(uncond.pooled, [0, 0], [-1, 32])), { atol: 1e-6, rtol: 0 });
      expectClose(tf.slice(trained.pooled, [0, 32], [-1, 48]), tf.slice(clean.pooled, [0, 32], [-1, 48]), { atol: 1e-6, rtol: 0 });
    } finally {
      tf.dispose([clean.context, clean.pooled, trained.context, trained.pooled]);
    }
    const zeros = new Sd3TextEncoder(
      { clipL: parts.clipL, clipG: parts.clipG, t5: parts.t5, tokenizers: parts.tokenizers },
      { dropout: { probability: 1, rng: createRng(2), replaceWith: 'zeros' } },
    );
    const z = zeros.encodeForTraining(['a cat']);
    expect(tf.max(tf.abs(z.context)).dataSync()[0]).toBe(0);
    expect(tf.max(tf.abs(z.pooled)).dataSync()[0]).toBe(0);
    tf.dispose([z.context, z.pooled]);
    await expectNoTensorLeak(() => tf.dispose(Object.values(all.encodeForTraining(['a cat'])).filter((v) => v instanceof tf.Tensor)), {
      iterations: 2,
    });
    all.dispose();
    expect(() => new Sd3TextEncoder(parts).encodeForTraining(['x'])).toThrow(/dropout/);
  });
});

describe('Sd3TextEncoder.load', () => {
  it('reads the checkpoints and tokenizer files, and frees everything when one is bad', async () => {
    const before = tf.memory().numTensors;
    const sources = {
      clipL: fixturePath('text_encoders_tiny_clip_l.safetensors'),
      clipG: fixturePath('text_encoders_tiny_clip_g.safetensors'),
      t5: fixturePath('text_encoders_tiny_t5.safetensors'),
      tokenizers: { clip: JSON.stringify(tinyClipTokenizerJson()), t5: tinyT5TokenizerJson() },
      clipLOptions: { numHeads: 2, hiddenAct: 'quick_gelu' as const },
      clipGOptions: { numHeads: 3, hiddenAct: 'gelu' as const },
    };
    const stack = await Sd3TextEncoder.load(sources, { t5Length: 16 });
    const out = stack.encode(['a photo of a cat']);
    expect(out.context.shape).toEqual([1, 77 + 16, 96]);
    expect(out.pooled.shape).toEqual([1, 80]);
    tf.dispose([out.context, out.pooled]);
    stack.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(Sd3TextEncoder.load({ ...sources, t5: sources.clipL })).rejects.toThrow(/relative_attention_bias/);
    await expect(Sd3TextEncoder.load({ ...sources, clipGOptions: { numHeads: 5, hiddenAct: 'gelu' } })).rejects.toThrow(/numHeads: got 5/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('assembleSd3Context', () => {
  it('pads the CLIP features to the T5 width and appends the T5 tokens', () => {
    const l = tf.ones([1, 2, 1]) as tf.Tensor3D;
    const g = tf.fill([1, 2, 2], 2) as tf.Tensor3D;
    const t5 = tf.fill([1, 1, 4], 3) as tf.Tensor3D;
    const c = assembleSd3Context(l, g, t5, 4);
    expect(c.arraySync()).toEqual([
      [
        [1, 2, 2, 0],
        [1, 2, 2, 0],
        [3, 3, 3, 3],
      ],
    ]);
    expect(() => assembleSd3Context(l, g, t5, 2)).toThrow(/contextDim/);
    tf.dispose([l, g, t5, c]);
  });
});
