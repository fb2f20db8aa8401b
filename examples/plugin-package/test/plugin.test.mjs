// Tests of the example plugin package, run with `node --test` against the BUILT @rectiflow/*
// packages (their dist/), as an outside user would run them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, initBackend, tf } from '@rectiflow/core';
import { createFormulation, flowMatchingLoss, formulationVelocity } from '@rectiflow/losses';
import { createForwardProcess } from '@rectiflow/schedules';
import { createSolver, float64Ops, sample, uniformGrid } from '@rectiflow/solvers';
import { createTimestepSampler } from '@rectiflow/timesteps';
import '../plugin.mjs';

await initBackend('cpu');

test('the solver: second order on dy/dt = -y', () => {
  const solver = createSolver('ralston');
  const error = (steps) => {
    const grid = Array.from({ length: steps + 1 }, (_, i) => i / steps);
    const r = solver.solve((y) => y.map((v) => -v), Float64Array.of(1), grid, float64Ops);
    assert.equal(r.nfe, 2 * steps);
    return Math.abs(r.x[0] - Math.exp(-1));
  };
  const ratio = error(20) / error(40);
  assert.ok(ratio > 3.6 && ratio < 4.4, `halving the step divides the error by ${ratio}, expected about 4`);
});

test('the timestep sampler: Beta(2, 5) draws, density and shift', () => {
  const sampler = createTimestepSampler('beta(2, 5)');
  const draws = sampler.sampleNumbers(20000, createRng(1));
  const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
  assert.ok(Math.abs(mean - 2 / 7) < 0.01, `mean ${mean}, expected 2/7`);
  let integral = 0;
  for (let i = 0; i < 1000; i++) integral += sampler.density((i + 0.5) / 1000) / 1000;
  assert.ok(Math.abs(integral - 1) < 1e-3, `density integrates to ${integral}`);
  assert.throws(() => createTimestepSampler('beta(0, 2)'), /"a" got 0/);
});

test('the forward process: variance preserving, derivatives match finite differences', () => {
  const p = createForwardProcess('vp-sine(2)');
  for (const t of [0.1, 0.4, 0.8]) {
    assert.ok(Math.abs(p.a(t) ** 2 + p.b(t) ** 2 - 1) < 1e-12);
    const h = 1e-6;
    assert.ok(Math.abs((p.a(t + h) - p.a(t - h)) / (2 * h) - p.da(t)) < 1e-6);
    assert.ok(Math.abs((p.b(t + h) - p.b(t - h)) / (2 * h) - p.db(t)) < 1e-6);
  }
});

test('all three in a formulation: a finite loss, and sampling with the plugin solver lands on the data', () => {
  const f = createFormulation('custom(process=vp-sine(1), sampler=beta(2, 2), weighting=eps/cos, output=eps)');
  const before = tf.memory().numTensors;
  const C = [0.5, -1, 2];
  // An eps network that knows the data is the point C: eps = (z - a C) / b.
  const network = (z, t) =>
    tf.tidy(() => {
      const times = t.dataSync();
      const a = tf.tensor2d(Array.from(times, (s) => [f.process.a(s)]));
      const b = tf.tensor2d(Array.from(times, (s) => [f.process.b(s)]));
      return tf.div(tf.sub(z, tf.mul(a, tf.tensor1d(C))), b);
    });
  const x0 = tf.tidy(() => tf.tile(tf.tensor2d([C]), [8, 1]));
  const { loss, perSample } = flowMatchingLoss({ ...f, model: network, x0, rng: createRng(2) });
  assert.ok(loss.dataSync()[0] < 1e-8, `the exact network has loss ${loss.dataSync()[0]}`);
  const noise = createRng(3).normal([2, 3]);
  const x = sample({ model: formulationVelocity(network, f), noise, cond: {}, grid: uniformGrid(10), solver: 'ralston' });
  for (const row of x.arraySync()) {
    for (const [j, v] of row.entries()) assert.ok(Math.abs(v - C[j]) < 1e-3, `sample ${v}, data ${C[j]}`);
  }
  tf.dispose([x0, loss, perSample, noise, x]);
  assert.equal(tf.memory().numTensors, before);
});
