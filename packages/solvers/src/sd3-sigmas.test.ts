import { ValidationError } from '@rectiflow/core';
import { readFixtureJson } from '@rectiflow/core/testing';
import { shiftTime } from '@rectiflow/schedules';
import { describe, expect, it } from 'vitest';
import { correctedSd3Sigmas, diffusersSigmas, sd3Sigmas } from './sd3-sigmas';

interface ShiftFixture {
  flow_match_euler_discrete: {
    cases: { num_inference_steps: number; shift: number; sigmas: number[]; timesteps: number[]; 'official_sd3.5_get_sigmas': number[] }[];
  };
}
const shift = readFixtureJson<ShiftFixture>('shift.json');
const euler = readFixtureJson<{ sigmas: number[] }>('sample_euler_tiny.json');
const dpm = readFixtureJson<{ sigmas: number[] }>('sample_dpmpp_2m_tiny.json');

describe('SD3 sigma grids', () => {
  it.each(shift.flow_match_euler_discrete.cases.map((c) => [c.num_inference_steps, c] as const))(
    'diffusersSigmas(%i) is bit-identical to FlowMatchEulerDiscreteScheduler (shift.json), timesteps too',
    (_n, c) => {
      const sigmas = diffusersSigmas(c.num_inference_steps, c.shift);
      expect(sigmas).toEqual(c.sigmas);
      expect(sigmas.slice(0, -1).map((s) => Math.fround(s * 1000))).toEqual(c.timesteps);
    },
  );

  it.each(shift.flow_match_euler_discrete.cases.map((c) => [c.num_inference_steps, c] as const))(
    'sd3Sigmas(%i) is bit-identical to the official sd3.5 get_sigmas values in shift.json',
    (_n, c) => {
      expect(sd3Sigmas(c.num_inference_steps, c.shift)).toEqual(c['official_sd3.5_get_sigmas']);
    },
  );

  it('sd3Sigmas(8) is bit-identical to the sigmas of both sample fixtures', () => {
    expect(sd3Sigmas(8, 3)).toEqual(euler.sigmas);
    expect(sd3Sigmas(8, 3)).toEqual(dpm.sigmas);
    // diffusers' float64 linspace differs from torch's float32 one by up to 1 ulp.
    const ulps = diffusersSigmas(8, 3).map((s, i) => Math.abs(s - euler.sigmas[i]));
    expect(Math.max(...ulps)).toBeLessThanOrEqual(6e-8);
  });

  it('shifts the low end twice: the last non-zero sigma is 0.0089286 for shift 3, any N', () => {
    for (const n of [1, 2, 4, 8, 28, 50]) {
      const sigmas = sd3Sigmas(n, 3);
      expect(sigmas).toHaveLength(n + 1);
      expect(sigmas[0]).toBe(1);
      expect(sigmas[n]).toBe(0);
      if (n > 1) expect(sigmas[n - 1]).toBe(Math.fround(0.008928571827709675));
      if (n > 1) expect(diffusersSigmas(n, 3)[n - 1]).toBe(Math.fround(0.008928571827709675));
    }
    expect(Math.fround(0.008928571827709675)).toBeCloseTo(shiftTime(shiftTime(0.001, 3), 3), 8);
  });

  it('the corrected grid shifts once: its last non-zero sigma is shift(0.001)', () => {
    for (const n of [2, 8, 28]) {
      const sigmas = correctedSd3Sigmas(n, 3);
      expect(sigmas).toHaveLength(n + 1);
      expect(sigmas[0]).toBe(1);
      expect(sigmas[n]).toBe(0);
      expect(sigmas[n - 1]).toBeCloseTo(0.002994011976047904, 15);
      for (let i = 1; i <= n; i++) expect(sigmas[i]).toBeLessThan(sigmas[i - 1]);
    }
    expect(correctedSd3Sigmas(28, 3)[10]).toBe(shiftTime(1 + ((0.001 - 1) * 10) / 27, 3));
  });

  it('validates steps and shift', () => {
    expect(() => sd3Sigmas(0)).toThrow(ValidationError);
    expect(() => diffusersSigmas(2.5)).toThrow(/steps: got 2.5; expected an integer >= 1/);
    expect(() => correctedSd3Sigmas(4, -1)).toThrow(/shift: got -1/);
  });
});
