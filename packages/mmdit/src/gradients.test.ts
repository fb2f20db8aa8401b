import { createRng, tf } from '@rectiflow/core';
import { describe, expect, it } from 'vitest';
import { MMDiT } from './mmdit';
import { randomizeWeights, TINY, tinyInputs } from './test-helpers';

describe('gradients', () => {
  it('every trainable parameter gets a gradient that matches finite differences', () => {
    const model = new MMDiT(TINY, { seed: 3 });
    randomizeWeights(model);
    const inputs = tinyInputs();
    const weights = createRng(4).normal([2, 2, 4, 4]);
    const loss = () => tf.tidy(() => tf.sum(tf.mul(model.forward(inputs.x, inputs.t, inputs.y, inputs.context), weights)) as tf.Scalar);
    const vars = model.trainableVariables();
    const { value, grads } = tf.variableGrads(loss, vars);
    value.dispose();
    const keyOf = new Map(model.parameters().map((e) => [e.variable.name, e.key]));
    expect(Object.keys(grads).length).toBe(vars.length);

    const rng = createRng(5);
    const eps = 1e-2;
    const failures: string[] = [];
    for (const v of vars) {
      const key = keyOf.get(v.name)!;
      const g = grads[v.name].dataSync() as Float32Array;
      let worst = 0;
      for (let i = 1; i < g.length; i++) if (Math.abs(g[i]) > Math.abs(g[worst])) worst = i;
      if (g[worst] === 0) failures.push(`${key}: zero gradient`);
      const original = Float32Array.from(v.dataSync() as Float32Array);
      for (const i of [worst, rng.integer(0, g.length)]) {
        const at = (delta: number) => {
          const data = Float32Array.from(original);
          data[i] += delta;
          const t = tf.tensor(data, v.shape);
          v.assign(t);
          t.dispose();
          const l = loss();
          const out = l.dataSync()[0];
          l.dispose();
          return out;
        };
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        const restored = tf.tensor(original, v.shape);
        v.assign(restored);
        restored.dispose();
        if (Math.abs(numeric - g[i]) > 5e-4 + 2e-3 * Math.abs(g[i])) failures.push(`${key}[${i}]: analytic ${g[i]}, numeric ${numeric}`);
      }
    }
    expect(failures).toEqual([]);
    // Every tensor except the position buffer and the never-used q norm of the pre-only block is trainable.
    const frozen = model
      .parameters()
      .filter((e) => !e.variable.trainable)
      .map((e) => e.key);
    expect(frozen).toEqual(['pos_embed', 'joint_blocks.1.context_block.attn.ln_q.weight']);
    tf.dispose([...Object.values(grads), weights, ...Object.values(inputs)]);
    model.dispose();
  });
});
