import { tf } from '@rectiflow/core';
import { expectClose, expectNoTensorLeak, fixturePath } from '@rectiflow/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T5Encoder } from './t5-encoder';
import { fixtureInfo, ioTensor, ioTokens } from './test-helpers';

describe('T5Encoder against the t5 fixture', () => {
  let model: T5Encoder;
  let tokens: number[][];
  beforeAll(async () => {
    model = await T5Encoder.load(fixturePath('text_encoders_tiny_t5.safetensors'));
    tokens = await ioTokens('t5.tokens');
  });
  afterAll(() => model.dispose());

  it('infers the whole configuration from the tensor shapes', () => {
    const c = fixtureInfo().configs.t5;
    expect(model.config).toEqual({
      vocabSize: c.vocab_size,
      dModel: c.d_model,
      dFf: c.d_ff,
      numHeads: c.num_heads,
      numLayers: c.num_layers,
      relativeAttentionNumBuckets: 32,
      relativeAttentionMaxDistance: 128,
      layerNormEps: 1e-6,
    });
  });

  it('matches the position bias and the last hidden state within 1e-4', async () => {
    const bias = model.positionBias(77);
    const out = model.forward(tokens);
    const expectedBias = await ioTensor('t5.position_bias');
    const expectedOut = await ioTensor('t5.last_hidden_state');
    try {
      expectClose(bias, expectedBias, { atol: 1e-4, rtol: 0, label: 't5.position_bias' });
      expectClose(out, expectedOut, { atol: 1e-4, rtol: 0, label: 't5.last_hidden_state' });
    } finally {
      tf.dispose([bias, out, expectedBias, expectedOut]);
    }
  });

  it('masks padding keys when given an attention mask', () => {
    const row = tokens[0];
    const real = row.indexOf(1) + 1;
    const mask = [row.map((_, i) => (i < real ? 1 : 0))];
    const changedPad = [row.map((id, i) => (i < real ? id : 5))];
    const a = model.forward([row], { attentionMask: mask });
    const b = model.forward(changedPad, { attentionMask: mask });
    const unmasked = model.forward(changedPad);
    try {
      const head = (t: tf.Tensor3D) => tf.slice(t, [0, 0, 0], [1, real, -1]);
      expectClose(head(a), head(b), { atol: 1e-5, rtol: 0 });
      expect(tf.max(tf.abs(tf.sub(head(a), head(unmasked)))).dataSync()[0]).toBeGreaterThan(1e-3);
    } finally {
      tf.dispose([a, b, unmasked]);
    }
    expect(() => model.forward([row], { attentionMask: [[1]] })).toThrow(/attentionMask\[0\]\.length/);
  });

  it('leaks no tensors', async () => {
    await expectNoTensorLeak(() => model.forward(tokens).dispose(), { iterations: 2 });
  });
});

describe('T5Encoder weights', () => {
  it('accepts shared.weight and a prefix, and names misshaped keys', async () => {
    const { readSafetensors } = await import('@rectiflow/safetensors');
    const file = await readSafetensors(fixturePath('text_encoders_tiny_t5.safetensors'));
    const tensors = await file.tensors();
    await file.close();
    const renamed = new Map<string, tf.Tensor>();
    for (const [k, v] of tensors)
      renamed.set(`text_encoders.t5xxl.transformer.${k === 'encoder.embed_tokens.weight' ? 'shared.weight' : k}`, v);
    const model = await T5Encoder.load(renamed);
    expect(model.config.numLayers).toBe(2);
    model.dispose();
    const wrong = tf.zeros([96, 127]);
    const bad = new Map(tensors).set('encoder.block.1.layer.1.DenseReluDense.wo.weight', wrong);
    const before = tf.memory().numTensors;
    await expect(T5Encoder.load(bad)).rejects.toThrow(
      /"encoder\.block\.1\.layer\.1\.DenseReluDense\.wo\.weight" has shape \[96, 127\]; expected \[96, 128\]/,
    );
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...tensors.values(), wrong]);
  });
});
