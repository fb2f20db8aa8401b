import { isSerialisable, isTrainable, tf } from '@rectiflow/core';
import { expectNoTensorLeak } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { MMDiT } from './mmdit';
import { MMDiTVelocityModel } from './velocity-model';

const tiny = { depth: 2, hidden: 32, heads: 2, patchSize: 2, inChannels: 4, contextDim: 16, pooledDim: 8, posEmbedMaxSize: 4 };

describe('MMDiTVelocityModel capabilities', () => {
  it('is Trainable: the trainable variables by official key', () => {
    const m = new MMDiTVelocityModel(new MMDiT(tiny, { seed: 1 }));
    expect(isTrainable(m)).toBe(true);
    const named = m.trainableWeights();
    expect([...named.values()]).toEqual(m.trainableVariables());
    expect(named.has('x_embedder.proj.weight')).toBe(true);
    expect(named.has('pos_embed')).toBe(false);
    m.dispose();
  });

  it('is Serialisable: stateDict -> loadStateDict copies a model exactly, without leaks', async () => {
    const a = new MMDiTVelocityModel(new MMDiT(tiny, { seed: 1 }));
    const b = new MMDiTVelocityModel(new MMDiT(tiny, { seed: 2 }));
    expect(isSerialisable(a)).toBe(true);
    expect(a.spec()).toMatchObject({ name: 'mmdit', config: { depth: 2, hidden: 32 } });
    const state = a.stateDict();
    await expectNoTensorLeak(() => b.loadStateDict(state));
    const again = b.stateDict();
    for (const [k, t] of state) expect(Array.from(again.get(k)?.dataSync() ?? [])).toEqual(Array.from(t.dataSync()));
    tf.dispose([...state.values(), ...again.values()]);
    a.dispose();
    b.dispose();
  });

  it('names a missing or misshaped tensor', () => {
    const a = new MMDiTVelocityModel(new MMDiT(tiny, { seed: 1 }));
    const state = a.stateDict();
    const bad = new Map(state);
    bad.delete('final_layer.linear.bias');
    expect(() => a.loadStateDict(bad)).toThrow(/final_layer\.linear\.bias/);
    tf.dispose([...state.values()]);
    a.dispose();
  });
});
