import { expectRelClose, readFixtureJson } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { CosMapSampler } from './cosmap';
import { LogitNormalSampler } from './logit-normal';
import { ModeSampler } from './mode';
import { createTimestepSampler } from './timestep-sampler-plugins';

interface Samplers {
  t_grid: number[];
  u_grid: number[];
  logit_normal: { cases: { m: number; s: number; density_on_t_grid: number[] }[] };
  mode: {
    cases: {
      s: number;
      f_mode_on_u_grid: number[];
      df_du_on_u_grid: number[];
      density_at_t_equals_f_mode_u: number[];
      f_mode_inverse_on_t_grid: number[];
      density_on_t_grid: number[];
    }[];
  };
  cosmap: { f_on_u_grid: number[]; density_on_t_grid: number[]; density_at_t_equals_f_u: number[] };
}
const fx = readFixtureJson<Samplers>('samplers.json');

describe('samplers against samplers.json (rtol 1e-12)', () => {
  it.each(fx.logit_normal.cases.map((c) => [c.m, c.s, c] as const))('logit-normal(%s, %s) density', (m, s, c) => {
    const sampler = new LogitNormalSampler(m, s);
    expectRelClose(
      fx.t_grid.map((t) => sampler.density(t)),
      c.density_on_t_grid,
      1e-12,
      `lognorm(${m}, ${s})`,
    );
    const viaSpec = createTimestepSampler(`lognorm(${m}, ${s})`);
    expectRelClose(
      fx.t_grid.map((t) => viaSpec.density(t)),
      c.density_on_t_grid,
      1e-12,
      'via spec',
    );
  });

  it.each(fx.mode.cases.map((c) => [c.s, c] as const))('mode(%s): map, derivative, inverse and density', (s, c) => {
    const sampler = new ModeSampler(s);
    expectRelClose(
      fx.u_grid.map((u) => sampler.map(u)),
      c.f_mode_on_u_grid.map((v) => v),
      1e-12,
      'f_mode',
    );
    expectRelClose(
      fx.u_grid.map((u) => sampler.mapDerivative(u)),
      c.df_du_on_u_grid,
      1e-12,
      "f_mode'",
    );
    expectRelClose(
      fx.t_grid.map((t) => sampler.inverseMap(t)),
      c.f_mode_inverse_on_t_grid,
      1e-12,
      'f_mode^-1',
    );
    expectRelClose(
      fx.t_grid.map((t) => sampler.density(t)),
      c.density_on_t_grid,
      1e-12,
      'density on t grid',
    );
    const atMapped = fx.u_grid.map((u) => sampler.density(Math.min(1, Math.max(0, sampler.map(u)))));
    expectRelClose(atMapped, c.density_at_t_equals_f_mode_u, 1e-12, 'density at f_mode(u)');
  });

  it('cosmap: map and density', () => {
    const sampler = new CosMapSampler();
    expectRelClose(
      fx.u_grid.map((u) => sampler.map(u)),
      fx.cosmap.f_on_u_grid,
      1e-12,
      'f',
    );
    expectRelClose(
      fx.t_grid.map((t) => sampler.density(t)),
      fx.cosmap.density_on_t_grid,
      1e-12,
      'density',
    );
    expectRelClose(
      fx.u_grid.map((u) => sampler.density(sampler.map(u))),
      fx.cosmap.density_at_t_equals_f_u,
      1e-12,
      'density at f(u)',
    );
    expect(sampler.map(1)).toBe(1);
  });
});
