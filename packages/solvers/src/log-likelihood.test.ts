import { createRng, tf, ValidationError, type VelocityFn } from '@rectiflow/core';
import { describe, expect, it } from 'vitest';
import { logLikelihood } from './log-likelihood';

// Data N(μ, Σ), Σ = Q diag(s²) Qᵀ with a rotation Q, so ∂v/∂x is not diagonal. In rotated
// coordinates y = x Q each dimension is an independent Gaussian flow.
const S = [0.5, 1.5, 0.8];
const MU = [1, -0.5, 2];
const c = Math.cos(0.7);
const sn = Math.sin(0.7);
const Q = [
  [c, -sn, 0],
  [sn * 0.6, c * 0.6, -0.8],
  [sn * 0.8, c * 0.8, 0.6],
];
const QT = Q[0].map((_, j) => Q.map((row) => row[j]));
const muY = [0, 1, 2].map((j) => MU.reduce((acc, m, i) => acc + m * Q[i][j], 0));

const rotatedGaussian: VelocityFn = (x, t) =>
  tf.tidy(() => {
    const y = tf.matMul(x as tf.Tensor2D, tf.tensor2d(Q));
    const tt = t.reshape([-1, 1]);
    const one = tf.sub(1, tt);
    const s2 = tf.tensor1d(S.map((s) => s * s));
    const mu = tf.tensor1d(muY);
    const variance = tf.add(tf.mul(tf.square(one), s2), tf.square(tt));
    const gain = tf.div(tf.sub(tt, tf.mul(one, s2)), variance);
    const vy = tf.sub(tf.mul(gain, tf.sub(y, tf.mul(one, mu))), mu);
    return tf.matMul(vy, tf.tensor2d(QT));
  });

function trueLogDensity(x: number[]): number {
  let total = 0;
  for (let j = 0; j < 3; j++) {
    const y = x.reduce((acc, xi, i) => acc + xi * Q[i][j], 0);
    total += -0.5 * ((y - muY[j]) / S[j]) ** 2 - Math.log(S[j]) - 0.5 * Math.log(2 * Math.PI);
  }
  return total;
}

const POINTS = [
  [1.2, -0.3, 2.5],
  [0, 0, 0],
  [2, -2, 1],
];

describe('logLikelihood', () => {
  it('matches the true Gaussian log-density with the exact divergence', () => {
    const data = tf.tensor2d(POINTS);
    const result = logLikelihood({ model: rotatedGaussian, data, divergence: 'exact', solver: 'dopri5(rtol=1e-6, atol=1e-6)' });
    data.dispose();
    expect(result.exact).toBe(true);
    result.logLikelihood.forEach((ll, b) => {
      // Measured errors: 4e-7, 1.5e-6, 1.1e-6.
      expect(Math.abs(ll - trueLogDensity(POINTS[b]))).toBeLessThan(1e-4);
    });
    expect(result.nfe).toBeGreaterThan(2);
  });

  it("Hutchinson's estimate is unbiased: its mean over probes matches the true log-density", () => {
    const copies = 256;
    const data = tf.tensor2d(Array.from({ length: copies }, () => POINTS[0]));
    const before = tf.memory().numTensors;
    const result = logLikelihood({
      model: rotatedGaussian,
      data,
      divergence: 'hutchinson',
      solver: 'rk4',
      grid: Array.from({ length: 21 }, (_, i) => i / 20),
      rng: createRng(7),
    });
    expect(tf.memory().numTensors).toBe(before);
    data.dispose();
    expect(result.exact).toBe(false);
    const n = result.logLikelihood.length;
    const mean = result.logLikelihood.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(result.logLikelihood.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    expect(sd).toBeGreaterThan(0.01); // the probes really differ: ∂v/∂x is not diagonal
    expect(Math.abs(mean - trueLogDensity(POINTS[0]))).toBeLessThan(4 * (sd / Math.sqrt(n)) + 2e-3);
  });

  it('rejects a grid that does not run from 0 to 1', () => {
    const data = tf.tensor2d(POINTS);
    expect(() => logLikelihood({ model: rotatedGaussian, data, grid: [1, 0] })).toThrow(ValidationError);
    expect(() => logLikelihood({ model: rotatedGaussian, data, grid: [0, 0.5] })).toThrow(
      /grid: got \[0, 0.5\]; expected increasing times from 0/,
    );
    data.dispose();
  });
});
