import { isSerialisable, isTrainable, tf } from '@rectiflow/core';
import { expectClose, expectNoTensorLeak } from '@rectiflow/core/testing';
import { readSafetensors, serializeSafetensors } from '@rectiflow/safetensors';
import { describe, expect, it } from 'vitest';
import { SmallTextEncoder } from './small-text-encoder';
import { WordVocabulary } from './word-vocabulary';

const captions = ['a red circle', 'a blue circle', 'a red square', 'a blue square'];

describe('SmallTextEncoder', () => {
  it('encodes context, pooled and mask with the configured sizes; padding does not matter', () => {
    const enc = SmallTextEncoder.fromCaptions(captions, { dim: 16, depth: 1, heads: 2, length: 8, pooledDim: 12, seed: 3 });
    const out = enc.encode(['a red circle', '', 'a purple circle']);
    try {
      expect(out.context.shape).toEqual([3, 8, 16]);
      expect(out.pooled.shape).toEqual([3, 12]);
      expect(out.mask?.arraySync()).toEqual([
        [1, 1, 1, 1, 0, 0, 0, 0],
        [1, 0, 0, 0, 0, 0, 0, 0],
        [1, 1, 1, 1, 0, 0, 0, 0],
      ]);
      // the same caption at a different length gives the same real-token features and pooled vector
      const longer = new SmallTextEncoder(enc.vocabulary, { dim: 16, depth: 1, heads: 2, length: 12, pooledDim: 12, seed: 3 });
      longer.loadWeights(
        new Map(
          [...enc.weights()].map(([k, v]) => [
            k,
            k === 'position_embedding'
              ? tf.pad(v, [
                  [0, 4],
                  [0, 0],
                ])
              : v,
          ]),
        ),
      );
      const other = longer.encode(['a red circle']);
      expectClose(tf.slice(other.context, [0, 0, 0], [1, 4, -1]), tf.slice(out.context, [0, 0, 0], [1, 4, -1]), { atol: 1e-5, rtol: 0 });
      expectClose(other.pooled, tf.slice(out.pooled, [0, 0], [1, -1]), { atol: 1e-5, rtol: 0 });
      tf.dispose(Object.values(other));
      longer.dispose();
    } finally {
      tf.dispose(Object.values(out));
      enc.dispose();
    }
  });

  it('is deterministic for a seed', () => {
    const a = SmallTextEncoder.fromCaptions(captions, { dim: 8, depth: 1, heads: 2, length: 6, seed: 'x' });
    const b = SmallTextEncoder.fromCaptions(captions, { dim: 8, depth: 1, heads: 2, length: 6, seed: 'x' });
    const ea = a.encode(['a blue square']);
    const eb = b.encode(['a blue square']);
    expect(Array.from(ea.pooled.dataSync())).toEqual(Array.from(eb.pooled.dataSync()));
    tf.dispose([...Object.values(ea), ...Object.values(eb)]);
    a.dispose();
    b.dispose();
  });

  it('trains with Adam on the wasm backend (oneHot embeddings), without leaking tensors', async () => {
    const enc = SmallTextEncoder.fromCaptions(captions, { dim: 16, depth: 1, heads: 2, length: 6, pooledDim: 2, seed: 1 });
    // Target: pooled = (is red, is circle) coordinates, which needs the word identities.
    const target = tf.tensor2d([1, 1, -1, 1, 1, -1, -1, -1], [4, 2]);
    const optimizer = tf.train.adam(0.01);
    const loss = () =>
      tf.tidy(() => {
        const { context, pooled, mask } = enc.encode(captions);
        tf.dispose([context, mask as tf.Tensor]);
        return tf.mean(tf.square(tf.sub(pooled, target))) as tf.Scalar;
      });
    const step = () => {
      const cost = optimizer.minimize(loss, true, enc.trainableVariables()) as tf.Scalar;
      const value = cost.dataSync()[0];
      cost.dispose();
      return value;
    };
    const first = step();
    let last = first;
    await expectNoTensorLeak(
      () => {
        for (let i = 0; i < 6; i++) last = step();
      },
      { warmup: 1, iterations: 2, label: 'training steps' },
    );
    expect(last).toBeLessThan(first * 0.2);
    optimizer.dispose();
    target.dispose();
    enc.dispose();
  });

  it('saves its weights to safetensors and loads them back, vocabulary via JSON', async () => {
    const a = SmallTextEncoder.fromCaptions(captions, { dim: 8, depth: 1, heads: 2, length: 5, seed: 4 });
    const bytes = await serializeSafetensors(Object.fromEntries(a.weights()));
    const file = await readSafetensors(bytes);
    const saved = await file.tensors();
    await file.close();
    const b = new SmallTextEncoder(WordVocabulary.fromJSON(JSON.parse(JSON.stringify(a.vocabulary))), {
      dim: 8,
      depth: 1,
      heads: 2,
      length: 5,
      seed: 99,
    });
    b.loadWeights(saved);
    const ea = a.encode(['a red square', 'a green circle']);
    const eb = b.encode(['a red square', 'a green circle']);
    expectClose(eb.context, ea.context, { atol: 0, rtol: 0 });
    expectClose(eb.pooled, ea.pooled, { atol: 0, rtol: 0 });
    tf.dispose([...Object.values(ea), ...Object.values(eb), ...saved.values()]);
    a.dispose();
    b.dispose();
  });

  it('can be frozen, refuses bad sizes and mismatched weights', () => {
    const frozen = SmallTextEncoder.fromCaptions(captions, { dim: 8, heads: 2, length: 4, trainable: false });
    expect(frozen.trainableVariables()).toEqual([]);
    expect(() => SmallTextEncoder.fromCaptions(captions, { dim: 10, heads: 4 })).toThrow(/heads: got 4; expected a divisor of dim 10/);
    const wrong = tf.zeros([3, 8]);
    expect(() => frozen.loadWeights({ ...Object.fromEntries(frozen.weights()), position_embedding: wrong })).toThrow(
      /weight "position_embedding": got \[3, 8\]; expected shape \[4, 8\]/,
    );
    wrong.dispose();
    frozen.dispose();
    expect(() => frozen.encode(['a'])).toThrow(/disposed/);
  });

  it('warns once about captions longer than its length', () => {
    const messages: string[] = [];
    const enc = SmallTextEncoder.fromCaptions(captions, { dim: 8, heads: 2, length: 3, warn: (m) => messages.push(m) });
    tf.dispose(Object.values(enc.encode(['a red circle', 'a blue square'])));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/3 words; only the first 2/);
    enc.dispose();
  });

  it('is Trainable and Serialisable: spec() and stateDict() rebuild it exactly', () => {
    const enc = SmallTextEncoder.fromCaptions(captions, { dim: 16, depth: 1, heads: 2, length: 8, seed: 3 });
    expect(isTrainable(enc) && isSerialisable(enc)).toBe(true);
    expect([...enc.trainableWeights().values()]).toEqual(enc.trainableVariables());
    const { config, vocabulary } = enc.spec();
    expect(config).toEqual(enc.config);
    const copy = new SmallTextEncoder(WordVocabulary.fromJSON(vocabulary), { ...config, seed: 9 });
    const state = enc.stateDict();
    copy.loadStateDict(state);
    tf.dispose([...state.values()]);
    const a = enc.encode(['a red square']);
    const b = copy.encode(['a red square']);
    expectClose(b.context, a.context, { atol: 0, rtol: 0 });
    tf.dispose([...Object.values(a), ...Object.values(b)]);
    const frozen = new SmallTextEncoder(enc.vocabulary, { ...config, trainable: false });
    expect(frozen.trainableWeights().size).toBe(0);
    for (const e of [enc, copy, frozen]) e.dispose();
  });
});
