import { createRng } from '@rectiflow/core';
import { describe, expect, it } from 'vitest';
import { DiffusersSampler } from './diffusers-sampler';
import { integrate01, ksStatistic } from './test-helpers';
import { createTimestepSampler } from './timestep-sampler-plugins';

const mean = (x: Float64Array) => x.reduce((a, b) => a + b) / x.length;

describe("diffusers' training-script sampling (explicit option)", () => {
  it('builds the descending, shifted float32 sigma table of FlowMatchEulerDiscreteScheduler', () => {
    const d = new DiffusersSampler({ shift: 3 });
    expect(d.sigmas.length).toBe(1000);
    expect(d.sigmas[0]).toBe(1);
    // sigma_min = shift(0.001) in float32: shift.json's scheduler_sigma_min.
    expect(d.sigmas[999]).toBe(0.002994012087583542);
    for (let i = 1; i < 1000; i++) expect(d.sigmas[i]).toBeLessThan(d.sigmas[i - 1]);
  });

  it('differs from the paper: a positive logit mean moves training toward data', () => {
    const n = 100_000;
    const paper = createTimestepSampler('lognorm(1, 1)').sampleNumbers(n, createRng(11));
    const diffusers = createTimestepSampler('diffusers(logitMean=1, logitStd=1, shift=1)').sampleNumbers(n, createRng(11));
    expect(mean(paper)).toBeGreaterThan(0.69);
    expect(mean(diffusers)).toBeLessThan(0.31);
    // Same draws, mirrored: diffusers' t = 1 - floor(1000 u)/1000 for the paper's u.
    let worst = 0;
    paper.forEach((u, i) => {
      worst = Math.max(worst, Math.abs(diffusers[i] - (1 - u)));
    });
    expect(worst).toBeLessThanOrEqual(1e-3 + 1e-6);
  });

  it('has mean sigma 0.714 with logit-normal(0, 1) and shift 3, on the table only', () => {
    const d = createTimestepSampler('diffusers(shift=3)') as DiffusersSampler;
    const draws = d.sampleNumbers(100_000, createRng(12));
    const table = new Set(d.sigmas);
    expect(draws.every((t) => table.has(t))).toBe(true);
    const exact = integrate01((t) => t * d.density(t));
    expect(exact).toBeCloseTo(0.714, 3);
    expect(Math.abs(mean(draws) - exact)).toBeLessThan(0.003);
    // The continuous-limit CDF is within the table's 1/1000 discretisation of the draws.
    expect(ksStatistic(draws, (t) => d.cdf(t))).toBeLessThan(0.01);
  });

  it('rejects unknown schemes, naming the argument', () => {
    expect(() => createTimestepSampler('diffusers(scheme=cosmap)')).toThrow(
      /argument "scheme" got "cosmap"; expected one of logit_normal, mode, uniform/,
    );
  });
});
