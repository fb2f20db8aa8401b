import { create, createRng, register, tf } from '@rectiflow/core';
import { CosineProcess, EdmProcess, LdmLinearProcess, RectifiedFlowProcess } from '@rectiflow/schedules';
import { CosMapSampler, LogitNormalSampler, ModeSampler, UniformSampler } from '@rectiflow/timesteps';
import { describe, expect, it } from 'vitest';
import { createFormulation, FormulationSpecError, validFormulations } from './formulation-plugins';

describe('formulation specs as the paper writes them', () => {
  it('creates every formulation of the paper with the right parts', () => {
    const cases: [string, unknown, unknown, string, string][] = [
      ['rf', RectifiedFlowProcess, UniformSampler, 'rf', 'velocity'],
      ['rf/lognorm(0.00, 1.00)', RectifiedFlowProcess, LogitNormalSampler, 'rf', 'velocity'],
      ['rf/lognorm(0.50, 0.60)', RectifiedFlowProcess, LogitNormalSampler, 'rf', 'velocity'],
      ['rf/mode(1.29)', RectifiedFlowProcess, ModeSampler, 'rf', 'velocity'],
      ['rf/cosmap', RectifiedFlowProcess, CosMapSampler, 'rf', 'velocity'],
      ['eps/linear', LdmLinearProcess, UniformSampler, 'eps/linear', 'eps'],
      ['v/linear', LdmLinearProcess, UniformSampler, 'v/linear', 'velocity'],
      ['eps/cos', CosineProcess, UniformSampler, 'eps/cos', 'eps'],
      ['v/cos', CosineProcess, UniformSampler, 'v/cos', 'velocity'],
      ['edm(-1.20, 1.20)', EdmProcess, UniformSampler, 'edm(-1.2, 1.2)', 'F'],
    ];
    for (const [spec, process, sampler, weighting, output] of cases) {
      const f = createFormulation(spec);
      expect(f.name).toBe(spec);
      expect(f.process).toBeInstanceOf(process as typeof RectifiedFlowProcess);
      expect(f.sampler).toBeInstanceOf(sampler as typeof UniformSampler);
      expect(f.weighting.name).toBe(weighting);
      expect(f.output).toBe(output);
    }
    expect(create('formulation', 'rf/mode(1.29)').sampler.name).toBe('mode(1.29)');
  });

  it('passes the arguments through: lognorm(m, s), mode(s), shift, EDM P_m and P_s, LDM convention', () => {
    const ln = createFormulation('rf/lognorm(0.50, 0.60, shift=3)').sampler as LogitNormalSampler;
    expect([ln.m, ln.s, ln.shift]).toEqual([0.5, 0.6, 3]);
    expect((createFormulation('rf/mode(-0.5)').sampler as ModeSampler).s).toBe(-0.5);
    const edm = createFormulation('edm(0.60, 1.20)').process as EdmProcess;
    expect([edm.pMean, edm.pStd]).toEqual([0.6, 1.2]);
    expect((createFormulation('eps/linear(convention=discrete)').process as LdmLinearProcess).convention).toBe('discrete');
    const draws = createFormulation('rf/lognorm(1.00, 1.00)').sampler.sampleNumbers(1000, createRng(1));
    expect(draws.reduce((a, b) => a + b) / 1000).toBeGreaterThan(0.6);
  });

  it('unknown and malformed specs fail with a message listing the valid forms', () => {
    const list =
      /Valid formulations: custom\(process=rf, sampler=uniform, weighting=rf, output=velocity\), diffusers\(scheme=logit_normal, logitMean=0, logitStd=1, modeScale=1.29, shift=3, preconditionOutputs=false\), edm\(pMean=-1.2, pStd=1.2\), eps\/cos, eps\/linear\(convention=continuous\), rf\(shift=1\), rf\/cosmap\(shift=1\), rf\/lognorm\(m=0, s=1, shift=1\), rf\/mode\(s=1.29, shift=1\), v\/cos, v\/linear\(convention=continuous\)/;
    for (const bad of ['rf/lognormal(0, 1)', 'rf/lognorm(0, 1', 'rf/lognorm(0, -1)', 'rf/mode(3)', 'x0/cos', '']) {
      expect(() => createFormulation(bad), bad).toThrow(FormulationSpecError);
      expect(() => createFormulation(bad), bad).toThrow(list);
    }
    expect(() => createFormulation('rf/lognormal(0, 1)')).toThrow(/^unknown formulation "rf\/lognormal"/);
    expect(() => createFormulation('rf/lognorm(0, 1')).toThrow(/^invalid spec "rf\/lognorm\(0, 1": expected "," or "\)" at column 16/);
    expect(() => createFormulation('rf/mode(3)')).toThrow(/argument "s" got 3; expected a number >= -1 and <= 1.75/);
    expect(validFormulations()).toHaveLength(11);
  });
});

describe('custom formulations and parts from the registry', () => {
  it('builds a formulation from any registered process, sampler and weighting', () => {
    const f = createFormulation('custom(process=cosine, sampler=lognorm(0.5, 1), weighting=eps/cos, output=eps)');
    expect(f.process).toBeInstanceOf(CosineProcess);
    expect(f.sampler).toBeInstanceOf(LogitNormalSampler);
    expect((f.sampler as LogitNormalSampler).m).toBe(0.5);
    expect(f.weighting.name).toBe('eps/cos');
    expect(f.output).toBe('eps');
    // The defaults are the plain rectified flow.
    const d = createFormulation('custom');
    expect([d.process.name, d.sampler.name, d.weighting.name, d.output]).toEqual(['rf', 'uniform', 'rf', 'velocity']);
    expect(() => createFormulation('custom(output=noise)')).toThrow(/output.*one of velocity, eps, x0, F/);
    expect(() => createFormulation('custom(sampler=nosuch)')).toThrow(/unknown timestep-sampler "nosuch"/);
  });

  it('uses a user-registered timestep sampler', () => {
    register('timestep-sampler', 'test-half', {
      description: 'always t = 0.5 (test)',
      create: () => ({
        name: 'test-half',
        sample: (n: number) => tf.fill([n], 0.5) as tf.Tensor1D,
        sampleNumbers: (n: number) => new Float64Array(n).fill(0.5),
        density: (t: number) => (t === 0.5 ? Number.POSITIVE_INFINITY : 0),
      }),
    });
    const f = createFormulation('custom(sampler=test-half)');
    expect(Array.from(f.sampler.sampleNumbers(3, createRng(0)))).toEqual([0.5, 0.5, 0.5]);
  });
});
