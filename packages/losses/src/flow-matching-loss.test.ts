import { createRng, NonFiniteError, tf } from '@rectiflow/core';
import { expectClose, expectNoTensorLeak } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { flowMatchingLoss, type LossModel } from './flow-matching-loss';
import { createFormulation } from './formulation-plugins';
import { weightedObjective } from './weighted-objective';

/** A small model with variables: out = z W + t b (per feature), x [B, 4]. */
function linearModel(seed: number) {
  const rng = createRng(seed);
  const W = tf.variable(rng.normal([4, 4], 0, 0.3));
  const bias = tf.variable(rng.normal([1, 4], 0, 0.3));
  const model: LossModel = (z, t) => tf.add(tf.matMul(z as tf.Tensor2D, W), tf.mul(tf.reshape(t, [-1, 1]), bias));
  return { model, W, bias };
}

describe('flowMatchingLoss', () => {
  it('for rf it equals the plain velocity MSE against eps - x0', () => {
    const { model, W, bias } = linearModel(1);
    const x0 = createRng(2).normal([64, 4]);
    const rf = createFormulation('rf');
    const result = flowMatchingLoss({ ...rf, model, x0, rng: createRng(3) });
    // Replay the draws: t from the sampler, then eps.
    const rng = createRng(3);
    const t = rf.sampler.sampleNumbers(64, rng).map(Math.fround);
    expect(Array.from(result.t)).toEqual(Array.from(t));
    const eps = rng.normal([64, 4]);
    const tT = tf.tensor1d(Float32Array.from(t));
    const z = tf.add(tf.mul(x0, tf.reshape(tf.sub(1, tT), [-1, 1])), tf.mul(eps, tf.reshape(tT, [-1, 1])));
    const mse = tf.mean(tf.square(tf.sub(model(z, tT, {}), tf.sub(eps, x0))));
    expectClose(result.loss, mse, { rtol: 1e-5, atol: 1e-6 });
    expect(Array.from(result.multipliers).every((m) => Math.abs(m - 1) < 1e-9)).toBe(true);
    tf.dispose([result.loss, result.perSample, x0, eps, tT, z, mse, W, bias]);
  });

  it.each(['rf', 'rf/lognorm(0.00, 1.00)', 'eps/cos', 'v/cos', 'v/linear', 'eps/linear', 'edm(-1.20, 1.20)'])(
    "%s: equals the general objective -1/2 w lambda' ||eps_hat - eps||^2 in eps form",
    (spec) => {
      const f = createFormulation(spec);
      const { model, W, bias } = linearModel(4);
      const x0 = createRng(5).normal([32, 4]);
      const times = Float64Array.from({ length: 32 }, (_, i) => 0.02 + (0.96 * i) / 31);
      const eps = createRng(6).normal([32, 4]);
      const result = flowMatchingLoss({ ...f, model, x0, rng: createRng(7), t: times, eps });
      const t = tf.tensor1d(Float32Array.from(times));
      const z = f.process.addNoise(x0, eps, t);
      const epsHat = f.process.convert(model(z, t, {}), f.output as 'eps', 'eps', z, t);
      const reference = weightedObjective(f.process, f.weighting, epsHat, eps, t);
      expectClose(result.perSample, reference, { rtol: 2e-3, atol: 1e-5, label: spec });
      tf.dispose([result.loss, result.perSample, x0, eps, t, z, epsHat, reference, W, bias]);
    },
  );

  it('is differentiable: gradients reach the model variables and match finite differences', () => {
    const { model, W, bias } = linearModel(8);
    const x0 = createRng(9).normal([16, 4]);
    const f = createFormulation('rf/lognorm(0.00, 1.00)');
    const lossAt = () => flowMatchingLoss({ ...f, model, x0, rng: createRng(10), diagnostics: false }).loss;
    const { value, grads } = tf.variableGrads(lossAt);
    expect(Object.keys(grads).sort()).toEqual([W.name, bias.name].sort());
    for (const g of Object.values(grads)) {
      const data = g.dataSync();
      expect(data.every(Number.isFinite)).toBe(true);
      expect(data.some((v) => v !== 0)).toBe(true);
    }
    // Finite difference in one entry of the bias.
    const h = 1e-2;
    const shifted = (delta: number) => {
      bias.assign(tf.tidy(() => tf.add(bias, tf.tensor2d([[delta, 0, 0, 0]]))));
      const l = lossAt();
      const v = l.dataSync()[0];
      l.dispose();
      bias.assign(tf.tidy(() => tf.sub(bias, tf.tensor2d([[delta, 0, 0, 0]]))));
      return v;
    };
    const fd = (shifted(h) - shifted(-h)) / (2 * h);
    expect(grads[bias.name].dataSync()[0]).toBeCloseTo(fd, 3);
    tf.dispose([value, ...Object.values(grads), x0, W, bias]);
  });

  it('leaks no tensors over 100 loss evaluations', async () => {
    const { model, W, bias } = linearModel(11);
    const x0 = createRng(12).normal([8, 4]);
    const f = createFormulation('edm(-1.20, 1.20)');
    const rng = createRng(13);
    await expectNoTensorLeak(
      () => {
        const r = flowMatchingLoss({ ...f, model, x0, rng });
        tf.dispose([r.loss, r.perSample]);
      },
      { iterations: 100, label: 'flowMatchingLoss' },
    );
    const optimizer = tf.train.sgd(0.01);
    await expectNoTensorLeak(() => optimizer.minimize(() => flowMatchingLoss({ ...f, model, x0, rng }).loss)?.dispose(), {
      iterations: 10,
      label: 'a training step',
    });
    tf.dispose([x0, W, bias]);
    optimizer.dispose();
  });

  it('reports the loss by noise level (t-deciles)', () => {
    const { model, W, bias } = linearModel(14);
    const x0 = createRng(15).normal([200, 4]);
    const r = flowMatchingLoss({ ...createFormulation('rf'), model, x0, rng: createRng(16) });
    expect(r.byNoiseLevel.length).toBe(10);
    expect(r.byNoiseLevel.reduce((n, b) => n + b.count, 0)).toBe(200);
    const per = r.perSample.dataSync();
    const first = Array.from(r.t).flatMap((s, i) => (s < 0.1 ? [per[i]] : []));
    expect(r.byNoiseLevel[0].meanLoss).toBeCloseTo(first.reduce((a, b) => a + b) / first.length, 5);
    tf.dispose([r.loss, r.perSample, x0, W, bias]);
  });

  it('stays finite at the ends of [0, 1], EDM included', () => {
    const { model, W, bias } = linearModel(19);
    const x0 = createRng(20).normal([4, 4]);
    for (const spec of ['rf', 'edm(-1.20, 1.20)', 'eps/cos', 'v/linear']) {
      const r = flowMatchingLoss({ ...createFormulation(spec), model, x0, rng: createRng(21), t: [0, 1e-12, 1 - 1e-12, 1] });
      expect(r.perSample.dataSync().every(Number.isFinite), spec).toBe(true);
      expect(r.t[3]).toBe(1 - 2 ** -24);
      tf.dispose([r.loss, r.perSample]);
    }
    tf.dispose([x0, W, bias]);
  });

  it('rejects bad input, naming the argument', () => {
    const { model, W, bias } = linearModel(17);
    const f = createFormulation('rf');
    const x0 = tf.zeros([4, 4]);
    const rng = createRng(18);
    expect(() => flowMatchingLoss({ ...f, model, x0, rng, t: [0.1, 0.2] })).toThrow(/^t.length: got 2; expected 4/);
    expect(() => flowMatchingLoss({ ...f, model, x0, rng, t: [0.1, 0.2, 1.5, 0] })).toThrow(/^t\[2\]: got 1.5/);
    const wrongEps = tf.zeros([4, 3]);
    expect(() => flowMatchingLoss({ ...f, model, x0, rng, eps: wrongEps })).toThrow(
      /^eps: got Tensor of shape \[4, 3\]; expected a tf.Tensor of x0's shape \[4, 4\]/,
    );
    const badModel: LossModel = (z) => tf.sum(z, 1);
    expect(() => flowMatchingLoss({ ...f, model: badModel, x0, rng })).toThrow(
      /^model output: got Tensor of shape \[4\]; expected a tf.Tensor of x0's shape/,
    );
    expect(() => flowMatchingLoss({ ...f, model, x0, rng, output: 'score' as 'eps' })).toThrow(/^output: got "score"/);
    const nanX0 = tf.tensor2d([[Number.NaN, 0, 0, 0]]);
    expect(() => flowMatchingLoss({ ...f, model, x0: nanX0, rng })).toThrow(NonFiniteError);
    expect(() => flowMatchingLoss({ ...f, model, x0: nanX0, rng })).toThrow(/^x0: contains 1 NaN/);
    const nanModel: LossModel = (z) => tf.mul(z, Number.NaN);
    expect(() => flowMatchingLoss({ ...f, model: nanModel, x0, rng })).toThrow(/flowMatchingLoss per-sample loss .* contains 4 NaN/);
    tf.dispose([x0, wrongEps, nanX0, W, bias]);
  });
});
