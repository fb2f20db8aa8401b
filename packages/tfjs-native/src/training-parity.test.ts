import { createRng, tf } from '@rectiflow/core';
import { afterAll, expect, it } from 'vitest';
import { MMDiT } from '../../mmdit/src/index';
import { disableNativeKernels } from './index';
import { enableForTests } from './test-helpers';

afterAll(() => disableNativeKernels());

/** Losses of 20 Adam steps of a small MM-DiT from a fixed seed. */
function trainLosses(): number[] {
  const model = new MMDiT(
    { depth: 2, hidden: 64, heads: 2, inChannels: 4, contextDim: 32, pooledDim: 32, posEmbedMaxSize: 4, qkNorm: true },
    { seed: 3 },
  );
  const data = createRng(4);
  const x = data.normal([2, 4, 8, 8]);
  const t = data.uniform([2], 0, 1000);
  const y = data.normal([2, 32]);
  const context = data.normal([2, 5, 32]);
  const target = data.normal([2, 4, 8, 8]);
  const optimizer = tf.train.adam(1e-3);
  const vars = model.trainableVariables();
  const losses: number[] = [];
  for (let step = 0; step < 20; step++) {
    const loss = optimizer.minimize(() => tf.losses.meanSquaredError(target, model.forward(x, t, y, context)), true, vars)!;
    losses.push(loss.dataSync()[0]);
    loss.dispose();
  }
  optimizer.dispose();
  tf.dispose([x, t, y, context, target]);
  model.dispose();
  return losses;
}

it('MM-DiT training losses over 20 steps stay within 1e-5 of stock wasm, with no tensor leak', async () => {
  disableNativeKernels();
  const before = tf.memory().numTensors;
  const stock = trainLosses();
  await enableForTests();
  const native = trainLosses();
  expect(tf.memory().numTensors).toBe(before);
  for (let i = 0; i < stock.length; i++) {
    expect(Math.abs(native[i] - stock[i])).toBeLessThanOrEqual(1e-5 * Math.abs(stock[i]));
  }
  expect(native[19]).toBeLessThan(native[0]);
});

it('MM-DiT inference (no gradient recorded: the in-place GELU path) matches stock wasm', async () => {
  const forward = () => {
    const model = new MMDiT(
      { depth: 2, hidden: 64, heads: 2, inChannels: 4, contextDim: 32, pooledDim: 32, posEmbedMaxSize: 4, qkNorm: true },
      { seed: 5 },
    );
    // adaLN-zero starts every block (and the output) at zero: random weights so the MLPs count.
    const init = createRng(8);
    tf.tidy(() => {
      for (const v of model.trainableVariables()) v.assign(init.normal(v.shape, 0, 0.2));
    });
    const data = createRng(7);
    const [x, t, y, context] = [data.normal([2, 4, 8, 8]), data.uniform([2], 0, 1000), data.normal([2, 32]), data.normal([2, 5, 32])];
    const out = tf.tidy(() => Float32Array.from(model.forward(x, t, y, context).dataSync()));
    tf.dispose([x, t, y, context]);
    model.dispose();
    return out;
  };
  disableNativeKernels();
  const stock = forward();
  await enableForTests();
  const native = forward();
  let worst = 0;
  for (let i = 0; i < stock.length; i++) worst = Math.max(worst, Math.abs(native[i] - stock[i]) / Math.max(1, Math.abs(stock[i])));
  expect(Math.max(...stock.map(Math.abs))).toBeGreaterThan(0.1);
  expect(worst).toBeLessThan(1e-5);
});
