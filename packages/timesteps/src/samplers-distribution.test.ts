import { createRng, tf } from '@rectiflow/core';
import { expectNoTensorLeak } from '@rectiflow/core/testing';
import { shiftTime } from '@rectiflow/schedules';
import { describe, expect, it } from 'vitest';
import type { BaseTimestepSampler } from './base-sampler';
import { integrate01, ksStatistic } from './test-helpers';
import { createTimestepSampler } from './timestep-sampler-plugins';

const SPECS = [
  'uniform',
  'lognorm(0, 1)',
  'lognorm(1, 1)',
  'lognorm(-0.5, 1)',
  'lognorm(0, 0.6)',
  'mode(-0.5)',
  'mode(0)',
  'mode(1.29)',
  'cosmap',
  'uniform(shift=3)',
  'lognorm(0, 1, shift=3)',
  'mode(1.29, shift=3)',
  'cosmap(shift=4)',
];
const N = 100_000;
// KS critical value at significance 0.001: 1.949 / sqrt(n).
const KS_CRITICAL = 1.949 / Math.sqrt(N);

describe.each(SPECS)('%s', (spec) => {
  const sampler = createTimestepSampler(spec) as BaseTimestepSampler;

  it('density integrates to 1 (Gauss–Legendre quadrature) and is the derivative of the CDF', () => {
    expect(Math.abs(integrate01((t) => sampler.density(t)) - 1)).toBeLessThan(1e-8);
    expect(sampler.cdf(0)).toBe(0);
    expect(sampler.cdf(1)).toBeCloseTo(1, 14);
    for (const t of [0.1, 0.37, 0.5, 0.81]) {
      const h = 1e-5;
      const slope = (sampler.cdf(t + h) - sampler.cdf(t - h)) / (2 * h);
      expect(Math.abs(slope - sampler.density(t))).toBeLessThan(1e-6 * Math.max(1, sampler.density(t)));
    }
  });

  it('100k samples from a fixed seed pass a Kolmogorov–Smirnov test against the CDF', () => {
    const samples = sampler.sampleNumbers(N, createRng(20240305));
    const d = ksStatistic(samples, (t) => sampler.cdf(t));
    expect(d).toBeLessThan(KS_CRITICAL);
  });
});

describe('sampling', () => {
  it('is deterministic for a seed; tensors are float32 [n] in [0, 1] and leak nothing', async () => {
    const sampler = createTimestepSampler('lognorm(0, 1, shift=3)');
    expect(sampler.sampleNumbers(5, createRng(1))).toEqual(sampler.sampleNumbers(5, createRng(1)));
    const t = sampler.sample(1000, createRng(2));
    expect(t.shape).toEqual([1000]);
    expect(t.dtype).toBe('float32');
    expect(tf.min(t).dataSync()[0]).toBeGreaterThanOrEqual(0);
    expect(tf.max(t).dataSync()[0]).toBeLessThanOrEqual(1);
    t.dispose();
    const rng = createRng(3);
    await expectNoTensorLeak(() => sampler.sample(16, rng).dispose());
  });

  it('composes with the shift: every draw is shift(t) of the unshifted draw', () => {
    const base = createTimestepSampler('mode(1.29)').sampleNumbers(100, createRng(9));
    const shifted = createTimestepSampler('mode(1.29, shift=3)').sampleNumbers(100, createRng(9));
    expect(Array.from(shifted)).toEqual(Array.from(base, (t) => shiftTime(t, 3)));
  });

  it('paper semantics: t is the noise level, m > 0 biases toward noise', () => {
    const rng = createRng(5);
    const mean = (spec: string) =>
      createTimestepSampler(spec)
        .sampleNumbers(20_000, rng)
        .reduce((a, b) => a + b) / 20_000;
    expect(mean('lognorm(1, 1)')).toBeGreaterThan(0.65);
    expect(mean('lognorm(-1, 1)')).toBeLessThan(0.35);
  });
});

describe('bad input', () => {
  it('rejects mode scales outside [-1, 2/(pi-2)] with a clear error', () => {
    expect(() => createTimestepSampler('mode(2)')).toThrow(/argument "s" got 2; expected a number >= -1 and <= 1.75193/);
    expect(() => createTimestepSampler('mode(-1.5)')).toThrow(/argument "s" got -1.5/);
    expect(() => createTimestepSampler('mode(1.75)')).not.toThrow();
  });

  it('rejects bad parameters, t outside [0, 1], NaN and bad n, naming the argument', async () => {
    const { ModeSampler } = await import('./mode');
    const { LogitNormalSampler } = await import('./logit-normal');
    expect(() => new ModeSampler(1.8)).toThrow(
      /^s: got 1.8; expected a number in \[-1, 2\/\(pi-2\) = 1.751938\]: outside it f_mode is not monotone/,
    );
    expect(() => new LogitNormalSampler(0, 0)).toThrow(/^s: got 0; expected a finite number > 0/);
    expect(() => new LogitNormalSampler(Number.NaN, 1)).toThrow(/^m: got NaN/);
    expect(() => createTimestepSampler('lognorm(0, 1, shift=0)')).toThrow(/argument "shift" got 0/);
    const sampler = createTimestepSampler('cosmap');
    expect(() => sampler.density(1.2)).toThrow(/^t: got 1.2; expected a number in \[0, 1\]/);
    expect(() => sampler.density(Number.NaN)).toThrow(/^t: got NaN/);
    expect(() => sampler.sampleNumbers(-1, createRng(1))).toThrow(/^n: got -1; expected an integer >= 0/);
    expect(() => createTimestepSampler('gaussian')).toThrow(
      /unknown timestep-sampler "gaussian". Registered timestep-sampler plugins: .*cosmap, diffusers, logit-normal, lognorm, mode, uniform/,
    );
  });
});
