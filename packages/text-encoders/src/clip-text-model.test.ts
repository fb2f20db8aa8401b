import { tf, ValidationError } from '@rectiflow/core';
import { expectClose, expectNoTensorLeak, fixturePath } from '@rectiflow/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipTextModel } from './clip-text-model';
import { fixtureInfo, ioTensor, ioTokens } from './test-helpers';

const ATOL = 1e-4;

async function expectMatches(actual: tf.Tensor | undefined, key: string) {
  const expected = await ioTensor(key);
  try {
    expect(actual).toBeDefined();
    expectClose(actual as tf.Tensor, expected, { atol: ATOL, rtol: 0, label: key });
  } finally {
    expected.dispose();
  }
}

describe.each([
  ['clip_l', 2],
  ['clip_g', 3],
] as const)('ClipTextModel against the %s fixture', (name, numHeads) => {
  let model: ClipTextModel;
  let tokens: number[][];
  beforeAll(async () => {
    model = await ClipTextModel.load(fixturePath(`text_encoders_tiny_${name}.safetensors`), {
      numHeads,
      hiddenAct: fixtureInfo().configs[name].hidden_act as 'gelu',
    });
    tokens = await ioTokens(`${name}.tokens`);
  });
  afterAll(() => model.dispose());

  it('infers the configuration from the tensor shapes', () => {
    const c = fixtureInfo().configs[name];
    expect(model.config).toMatchObject({
      hiddenSize: c.hidden_size,
      intermediateSize: c.intermediate_size,
      numLayers: c.num_hidden_layers,
      numHeads: c.num_attention_heads,
      vocabSize: 1000,
      maxPositions: 77,
      projectionDim: c.hidden_size,
    });
  });

  it('matches embeddings, penultimate (with and without final LN), last hidden state and both pooled outputs', async () => {
    const out = model.forward(tokens, { returnEmbeddings: true, returnLastHiddenState: true });
    const withLn = model.forward(tokens, { finalLayerNormOnHidden: true });
    const last = model.forward(tokens, { layer: -1, finalLayerNormOnHidden: true });
    try {
      await expectMatches(out.embeddings, `${name}.embeddings`);
      await expectMatches(out.hidden, `${name}.penultimate_hidden_state`);
      await expectMatches(out.hidden, `${name}.sd3_hidden`);
      await expectMatches(withLn.hidden, `${name}.penultimate_hidden_state_final_ln`);
      await expectMatches(out.lastHiddenState, `${name}.last_hidden_state`);
      await expectMatches(last.hidden, `${name}.last_hidden_state`);
      await expectMatches(out.pooled, `${name}.pooled`);
      await expectMatches(out.pooledProjected, `${name}.pooled_projected`);
      await expectMatches(name === 'clip_l' ? out.pooled : out.pooledProjected, `${name}.sd3_pooled`);
    } finally {
      tf.dispose([out, withLn, last] as unknown as tf.TensorContainer);
    }
  });

  it('is causal: a token never sees the tokens after it', () => {
    const changed = tokens.map((row) => row.map((id, i) => (i > 10 ? (id + 7) % 1000 : id)));
    const a = model.forward(tokens);
    const b = model.forward(changed);
    try {
      const prefix = (t: tf.Tensor3D) => tf.slice(t, [0, 0, 0], [-1, 11, -1]);
      expectClose(prefix(a.hidden), prefix(b.hidden), { atol: 1e-6, rtol: 0 });
      expect(tf.max(tf.abs(tf.sub(a.hidden, b.hidden))).dataSync()[0]).toBeGreaterThan(1e-3);
    } finally {
      tf.dispose([a, b] as unknown as tf.TensorContainer);
    }
  });

  it('leaks no tensors', async () => {
    await expectNoTensorLeak(() => tf.dispose(model.forward(tokens) as unknown as tf.TensorContainer), { iterations: 2 });
  });
});

describe('ClipTextModel bad input', () => {
  it('names the key and the shapes when a weight is misshaped', async () => {
    const { readSafetensors } = await import('@rectiflow/safetensors');
    const file = await readSafetensors(fixturePath('text_encoders_tiny_clip_l.safetensors'));
    const tensors = await file.tensors();
    await file.close();
    const bad = new Map(tensors);
    const wrong = tf.zeros([32, 64]);
    bad.set('text_model.encoder.layers.1.mlp.fc2.weight', wrong);
    const before = tf.memory().numTensors;
    await expect(ClipTextModel.load(bad, { numHeads: 2, hiddenAct: 'quick_gelu' })).rejects.toThrow(
      /"text_model\.encoder\.layers\.1\.mlp\.fc2\.weight" has shape \[32, 64\]; expected \[32, 128\]/,
    );
    expect(tf.memory().numTensors).toBe(before);
    const missing = new Map(tensors);
    missing.delete('text_model.final_layer_norm.bias');
    await expect(ClipTextModel.load(missing, { numHeads: 2, hiddenAct: 'quick_gelu' })).rejects.toThrow(
      /"text_model\.final_layer_norm\.bias": is missing/,
    );
    tf.dispose([...tensors.values(), wrong]);
  });

  it('requires hiddenAct where the width does not tell it, and rejects ids outside the vocabulary', async () => {
    const path = fixturePath('text_encoders_tiny_clip_l.safetensors');
    await expect(ClipTextModel.load(path, { numHeads: 2 })).rejects.toThrow(ValidationError);
    const model = await ClipTextModel.load(path, { numHeads: 2, hiddenAct: 'quick_gelu' });
    try {
      expect(() => model.forward([[998, 1000, 999]])).toThrow(/tokens\[0\]\[1\]: got 1000; expected a token id/);
      expect(() => model.forward([[998, 5], [998]])).toThrow(/tokens\[1\]\.length/);
      expect(() => model.forward([new Array(78).fill(1)])).toThrow(/tokens\[0\]\.length/);
    } finally {
      model.dispose();
    }
    expect(() => model.forward([[1]])).toThrow(/disposed/);
  });
});

/** Random one-layer CLIP weights of width `D` in the Hugging Face layout; the caller disposes them. */
function randomClip(D: number): Map<string, tf.Tensor> {
  const I = 8;
  const w = new Map<string, tf.Tensor>();
  const r = (shape: number[]) => tf.randomNormal(shape, 0, 0.2, 'float32', 7);
  w.set('text_model.embeddings.token_embedding.weight', r([16, D]));
  w.set('text_model.embeddings.position_embedding.weight', r([77, D]));
  const p = 'text_model.encoder.layers.0.';
  for (const n of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) {
    w.set(`${p}self_attn.${n}.weight`, r([D, D]));
    w.set(`${p}self_attn.${n}.bias`, r([D]));
  }
  for (const n of ['layer_norm1', 'layer_norm2']) {
    w.set(`${p}${n}.weight`, tf.ones([D]));
    w.set(`${p}${n}.bias`, tf.zeros([D]));
  }
  w.set(`${p}mlp.fc1.weight`, r([I, D]));
  w.set(`${p}mlp.fc1.bias`, r([I]));
  w.set(`${p}mlp.fc2.weight`, r([D, I]));
  w.set(`${p}mlp.fc2.bias`, r([D]));
  w.set('text_model.final_layer_norm.weight', tf.ones([D]));
  w.set('text_model.final_layer_norm.bias', tf.zeros([D]));
  return w;
}

describe('ClipTextModel head count', () => {
  it('requires numHeads for a width other than CLIP-L 768 or CLIP-G 1280, naming the field and what is allowed', async () => {
    const weights = randomClip(64);
    try {
      const before = tf.memory().numTensors;
      const load = ClipTextModel.load(weights, { hiddenAct: 'gelu' });
      await expect(load).rejects.toThrow(ValidationError);
      await expect(load).rejects.toThrow(/numHeads: got undefined; expected .*hidden size 64.*768 -> 12 and 1280 -> 20/);
      expect(tf.memory().numTensors).toBe(before);
      // A 4-head CLIP of width 64 given its head count loads with it.
      const model = await ClipTextModel.load(weights, { hiddenAct: 'gelu', numHeads: 4 });
      expect(model.config.numHeads).toBe(4);
      model.dispose();
    } finally {
      tf.dispose([...weights.values()]);
    }
  });

  it.each([
    [768, 12],
    [1280, 20],
  ])('infers the head count of the known width %i as %i', async (D, heads) => {
    const weights = randomClip(D);
    try {
      const model = await ClipTextModel.load(weights);
      expect(model.config.numHeads).toBe(heads);
      model.dispose();
    } finally {
      tf.dispose([...weights.values()]);
    }
  });
});
