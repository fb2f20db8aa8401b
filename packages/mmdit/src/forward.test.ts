import { create, tf } from '@rectiflow/core';
import { expectClose, expectNoTensorLeak, fixturePath } from '@rectiflow/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveMMDiTConfig } from './config';
import { loadMMDiT } from './load-mmdit';
import type { MMDiT } from './mmdit';
import './model-plugins';
import { readTensors } from '@rectiflow/safetensors';
import { MMDiTVelocityModel } from './velocity-model';

describe('forward, skip layers, velocity adapter and bad input', () => {
  let weights: Map<string, tf.Tensor>;
  let io: Map<string, tf.Tensor>;
  let model: MMDiT;
  beforeAll(async () => {
    weights = await readTensors(fixturePath('mmdit_tiny.safetensors'));
    io = await readTensors(fixturePath('mmdit_tiny_io.safetensors'));
    model = await loadMMDiT(weights);
  });
  afterAll(() => {
    tf.dispose([...weights.values(), ...io.values()]);
    model.dispose();
  });
  const x = () => io.get('x')!;
  const y = () => io.get('y')!;
  const ctx = () => io.get('context')!;

  it('skipping block 0 equals a depth-1 model made of block 1', async () => {
    const single = new Map<string, tf.Tensor>();
    for (const [k, t] of weights) {
      if (k.startsWith('joint_blocks.0.')) continue;
      single.set(k.replace(/^joint_blocks\.1\./, 'joint_blocks.0.'), t);
    }
    const small = await loadMMDiT(single, { config: { heads: 2 } });
    const skipped = model.forward(x(), io.get('t')!, y(), ctx(), { skipLayers: [0] });
    const reference = small.forward(x(), io.get('t')!, y(), ctx());
    expectClose(skipped, reference, { atol: 1e-6 });
    const full = model.forward(x(), io.get('t')!, y(), ctx());
    expect(tf.max(tf.abs(tf.sub(full, skipped))).dataSync()[0]).toBeGreaterThan(1e-2);
    tf.dispose([skipped, reference, full]);
    small.dispose();
  });

  it('the VelocityModel adapter feeds t * 1000 and passes skip layers', async () => {
    const velocity = new MMDiTVelocityModel(model);
    const t = tf.tensor1d([0.3, 0.85]);
    const v = velocity.predict(x(), t, { context: ctx(), pooled: y() });
    expectClose(v, io.get('out')!, { atol: 1e-4, rtol: 1e-4 });
    const s1 = velocity.predict(x(), t, { context: ctx(), pooled: y() }, { skipLayers: [1] });
    const s2 = model.forward(x(), io.get('t')!, y(), ctx(), { skipLayers: [1] });
    expectClose(s1, s2, { atol: 1e-5 });
    await expectNoTensorLeak(() => velocity.predict(x(), t, { context: ctx(), pooled: y() }).dispose(), { iterations: 2 });
    expect(velocity.trainableVariables().length).toBe(model.trainableVariables().length);
    tf.dispose([t, v, s1, s2]);
  });

  it('is registered as the model plugin `mmdit`', () => {
    const m = create('model', 'mmdit(depth=1, channels=4, contextDim=8, pooledDim=6, posGrid=4, qkNorm=true)');
    expect(m).toBeInstanceOf(MMDiTVelocityModel);
    expect(m.name).toBe('mmdit(depth=1, channels=4, contextDim=8, pooledDim=6, posGrid=4, qkNorm=true)');
    const v = m.predict(tf.ones([1, 4, 8, 8]), tf.tensor1d([0.5]), { context: tf.ones([1, 3, 8]), pooled: tf.ones([1, 6]) });
    expect(v.shape).toEqual([1, 4, 8, 8]);
    expect((m as MMDiTVelocityModel).model.config).toMatchObject({ hidden: 64, heads: 1, mlpHidden: 256, qkNorm: true });
    expect(() => create('model', 'mmdit(depth=0)')).toThrow(/depth/);
    v.dispose();
    m.dispose();
  });

  it('rejects bad latents, timesteps, pooled vectors, context and skip layers with clear errors', () => {
    const t = io.get('t')!;
    const run = (xx: tf.Tensor, tt: tf.Tensor, yy: tf.Tensor | undefined, cc: tf.Tensor | undefined, skipLayers?: number[]) => () =>
      model.forward(xx, tt, yy, cc, { skipLayers });
    const before = tf.memory().numTensors;
    const odd = tf.zeros([2, 16, 7, 8]);
    const big = tf.zeros([2, 16, 34, 8]);
    const channels = tf.zeros([2, 4, 8, 8]);
    const narrow = tf.zeros([2, 7, 40]);
    const created = tf.memory().numTensors;
    expect(run(odd, t, y(), ctx())).toThrow('x.shape: got [2, 16, 7, 8]; expected height and width divisible by the patch size 2');
    expect(run(big, t, y(), ctx())).toThrow(
      'x.shape: got [2, 16, 34, 8]; expected at most 32 x 32 (the 16 x 16 position grid times patch 2)',
    );
    expect(run(channels, t, y(), ctx())).toThrow('x.shape: got [2, 4, 8, 8]; expected [B, 16, H, W] (NCHW latents)');
    expect(run(x(), t, y(), narrow)).toThrow('context.shape: got [2, 7, 40]; expected [2, L, 48] (the context width of this model is 48)');
    expect(run(x(), t, undefined, ctx())).toThrow('y: got undefined; expected a pooled vector [2, 32]');
    expect(run(x(), tf.tensor1d([1]), y(), ctx())).toThrow('t.shape: got [1]; expected [2] (one timestep per sample)');
    expect(run(x(), t, y(), ctx(), [2])).toThrow('skipLayers: got [2]; expected block indices in [0, 1]');
    expect(tf.memory().numTensors).toBe(created + 1); // only the tensor1d made inline above
    tf.dispose([odd, big, channels, narrow]);
    expect(tf.memory().numTensors).toBe(before + 1);
  });

  it('validates configurations', () => {
    expect(resolveMMDiTConfig({ depth: 24 })).toMatchObject({
      hidden: 1536,
      heads: 24,
      mlpHidden: 6144,
      posEmbedMaxSize: 192,
      contextDim: 4096,
      pooledDim: 2048,
    });
    expect(resolveMMDiTConfig({ depth: 2, hidden: 96, heads: 3 })).toMatchObject({ hidden: 96, heads: 3, mlpHidden: 384 });
    expect(() => resolveMMDiTConfig({})).toThrow('config.depth');
    expect(() => resolveMMDiTConfig({ depth: 2, hidden: 100 })).toThrow(/config.heads/);
    expect(() => resolveMMDiTConfig({ depth: 2, hidden: 96, heads: 5 })).toThrow('config.heads: got 5; expected a divisor of hidden 96');
    expect(() => resolveMMDiTConfig({ depth: 2, dualAttentionLayers: [2] })).toThrow(/dualAttentionLayers/);
  });
});
