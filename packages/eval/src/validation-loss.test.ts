import { create, createRng, tf } from '@rectiflow/core';
import '@rectiflow/losses';
import { describe, expect, it } from 'vitest';
import { validationLoss } from './validation-loss';

describe('validationLoss', () => {
  const formulation = create('formulation', 'rf/lognorm(0.00, 1.00)');

  it('matches the closed form for a zero model, is deterministic and leaks no tensors', () => {
    // Velocity target eps - x0; a model that outputs 0 has loss mean((eps - x0)^2) = 1 + x0^2 per element
    // in expectation: with x0 = 0 that is 1 at every t.
    const x0 = tf.zeros([200, 1, 8, 8]);
    const batches = [{ x0: x0.slice([0], [120]) }, { x0: x0.slice([120], [80]) }];
    const model = (x: tf.Tensor) => tf.zerosLike(x);
    const before = tf.memory().numTensors;
    const a = validationLoss({ model, formulation, batches, seed: 3 });
    const b = validationLoss({ model, formulation, batches, seed: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(a).toEqual(b);
    expect(a.examples).toBe(200);
    expect(a.byDecile).toHaveLength(10);
    // 20 examples x 64 elements per bin: the mean of 1280 chi-square(1) draws, standard deviation 0.04.
    for (const v of a.byDecile) expect(Math.abs(v - 1)).toBeLessThan(0.15);
    expect(validationLoss({ model, formulation, batches, seed: 4 }).mean).not.toBe(a.mean);
    tf.dispose([x0, ...batches.map((x) => x.x0)]);
  });

  it('is lower for the better model, bin by bin', () => {
    const x0 = createRng(1).normal([100, 2, 4, 4]);
    const zero = (x: tf.Tensor) => tf.zerosLike(x);
    // The optimal velocity for a point mass at x0 = 0 data is z / t; here data is N(0, 1):
    // E[eps - x0 | z] = z (2t - 1) / (t^2 + (1-t)^2).
    const optimal = (z: tf.Tensor, t: tf.Tensor) =>
      tf.tidy(() => {
        const tt = tf.reshape(t, [-1, 1, 1, 1]);
        return tf.mul(z, tf.div(tf.sub(tf.mul(tt, 2), 1), tf.add(tf.square(tt), tf.square(tf.sub(1, tt)))));
      });
    const worse = validationLoss({ model: zero, formulation, batches: [{ x0 }] });
    const better = validationLoss({ model: optimal, formulation, batches: [{ x0 }] });
    expect(better.mean).toBeLessThan(worse.mean);
    expect(better.byDecile[0]).toBeLessThan(worse.byDecile[0]);
    expect(better.byDecile[9]).toBeLessThan(worse.byDecile[9]);
    x0.dispose();
  });

  it('needs at least one example per bin', () => {
    const x0 = tf.zeros([5, 1, 2, 2]);
    expect(() => validationLoss({ model: (x) => x, formulation, batches: [{ x0 }] })).toThrow(/held-out examples.*5/);
    x0.dispose();
  });
});
