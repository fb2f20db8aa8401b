import { createRng, tf } from '@rectiflow/core';
import { expectNoTensorLeak } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { loadMMDiT, serializeMMDiT } from './load-mmdit';
import { MMDiT } from './mmdit';
import { bitEqual, TINY, tinyInputs } from './test-helpers';

describe('training', () => {
  it('starts adaLN-zero: zero output, identity blocks, zero modulations', () => {
    const model = new MMDiT(TINY, { seed: 7 });
    const { x, t, y, context } = tinyInputs();
    const out = model.forward(x, t, y, context);
    expect(out.shape).toEqual([2, 2, 4, 4]);
    expect(tf.max(tf.abs(out)).dataSync()[0]).toBe(0);
    const zeroKeys = model.parameters().filter((e) => /adaLN_modulation|final_layer\.linear/.test(e.key));
    expect(zeroKeys.length).toBe(2 * 2 * 2 + 2 + 2);
    for (const e of zeroKeys) expect(tf.max(tf.abs(e.variable)).dataSync()[0]).toBe(0);
    // The rest is initialised with non-zero values (Xavier, normal, sin-cos, ones for the norms).
    const qkv = model.parameters().find((e) => e.key === 'joint_blocks.0.x_block.attn.qkv.weight')!;
    expect(tf.max(tf.abs(qkv.variable)).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([out, x, t, y, context]);
    model.dispose();
  });

  it('trains with Adam for 50 steps without leaking tensors, and saves/loads exactly', async () => {
    const model = new MMDiT(TINY, { seed: 8 });
    const { x, t, y, context } = tinyInputs(9);
    const target = createRng(10).normal([2, 2, 4, 4]);
    const optimizer = tf.train.adam(1e-2);
    const vars = model.trainableVariables();
    const losses: number[] = [];
    const step = () => {
      const loss = optimizer.minimize(() => tf.losses.meanSquaredError(target, model.forward(x, t, y, context)) as tf.Scalar, true, vars);
      losses.push(loss!.dataSync()[0]);
      loss!.dispose();
    };
    await expectNoTensorLeak(step, { warmup: 2, iterations: 48, label: 'MMDiT training step' });
    expect(losses.length).toBe(50);
    expect(losses[49]).toBeLessThan(0.5 * losses[0]);

    const bytes = await serializeMMDiT(model, { prefix: 'model.diffusion_model.' });
    const loaded = await loadMMDiT(bytes);
    expect(loaded.config).toEqual(model.config);
    const a = model.stateDict();
    const b = loaded.stateDict();
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [key, value] of a) {
      expect(bitEqual(b.get(key)!, value), key).toBe(true);
    }
    const o1 = model.forward(x, t, y, context);
    const o2 = loaded.forward(x, t, y, context);
    expect(bitEqual(o2, o1)).toBe(true);
    tf.dispose([...a.values(), ...b.values(), o1, o2, x, t, y, context, target]);
    optimizer.dispose();
    loaded.dispose();
    model.dispose();
  });
});
