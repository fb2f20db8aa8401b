import { createRng, tf } from '@rectiflow/core';
import { expectClose, expectRelClose, readFixtureJson } from '@rectiflow/core/testing';
import { CosineProcess, createForwardProcess, EdmProcess, LdmLinearProcess, RectifiedFlowProcess } from '@rectiflow/schedules';
import { createTimestepSampler } from '@rectiflow/timesteps';
import { describe, expect, it } from 'vitest';
import { lossMultiplier } from './loss-multiplier';
import { createLossWeighting } from './loss-weighting-plugins';
import {
  densityWeighting,
  edmWeighting,
  epsCosineWeighting,
  epsLinearWeighting,
  rfWeighting,
  vCosineWeighting,
  vLinearWeighting,
} from './weightings';

interface Schedules {
  t: number[];
  rectified_flow: { w_rf: number[]; loss_multiplier: number[] };
  edm: { P_m: number; P_s: number; w_edm: number[]; loss_multiplier: number[] };
  cosine: { w_eps: number[]; w_v: number[]; loss_multiplier_eps: number[]; loss_multiplier_v: number[] };
}
const fx = readFixtureJson<Schedules>('schedules.json');
const samplers = readFixtureJson<{ t_grid: number[]; logit_normal: { cases: { m: number; s: number; density_on_t_grid: number[] }[] } }>(
  'samplers.json',
);

describe('weightings against schedules.json', () => {
  const { t } = fx;
  it("rf: w = t/(1-t) and -1/2 w lambda' (rtol 1e-12)", () => {
    const w = rfWeighting();
    const rf = new RectifiedFlowProcess();
    expectRelClose(
      t.map((s) => w.weight(s)),
      fx.rectified_flow.w_rf,
      1e-12,
      'w_rf',
    );
    expectRelClose(
      t.map((s) => lossMultiplier(w, rf, 'eps', s)),
      fx.rectified_flow.loss_multiplier,
      1e-12,
      'rf multiplier',
    );
  });

  it("edm(-1.2, 1.2): w and -1/2 w lambda' (rtol 1e-10)", () => {
    const w = edmWeighting(fx.edm.P_m, fx.edm.P_s);
    const edm = new EdmProcess({ pMean: fx.edm.P_m, pStd: fx.edm.P_s });
    expectRelClose(
      t.map((s) => w.weight(s)),
      fx.edm.w_edm,
      1e-10,
      'w_edm',
    );
    expectRelClose(
      t.map((s) => lossMultiplier(w, edm, 'eps', s)),
      fx.edm.loss_multiplier,
      1e-10,
      'edm multiplier',
    );
  });

  it('eps/cos and v/cos: w and multipliers (rtol 1e-12)', () => {
    const cos = new CosineProcess();
    expectRelClose(
      t.map((s) => epsCosineWeighting().weight(s)),
      fx.cosine.w_eps,
      1e-12,
      'w_eps',
    );
    expectRelClose(
      t.map((s) => vCosineWeighting().weight(s)),
      fx.cosine.w_v,
      1e-12,
      'w_v',
    );
    expectRelClose(
      t.map((s) => lossMultiplier(epsCosineWeighting(), cos, 'eps', s)),
      fx.cosine.loss_multiplier_eps,
      1e-12,
      'eps multiplier',
    );
    expectRelClose(
      t.map((s) => lossMultiplier(vCosineWeighting(), cos, 'eps', s)),
      fx.cosine.loss_multiplier_v,
      1e-12,
      'v multiplier',
    );
  });

  it('in the network output, rf/velocity has m = 1, eps/cos m = pi, v/cos (velocity) m = 2/pi, edm/F m = 1/8', () => {
    const rf = new RectifiedFlowProcess();
    const cos = new CosineProcess();
    const edm = new EdmProcess();
    for (const s of [0, 1e-6, 0.2, 0.5, 0.9, 1 - 1e-6, 1]) {
      expect(lossMultiplier(rfWeighting(), rf, 'velocity', s)).toBeCloseTo(1, 6);
      expect(lossMultiplier(epsCosineWeighting(), cos, 'eps', s)).toBeCloseTo(Math.PI, 6);
      expect(lossMultiplier(vCosineWeighting(), cos, 'velocity', s)).toBeCloseTo(2 / Math.PI, 6);
      expect(lossMultiplier(edmWeighting(), edm, 'F', s)).toBeCloseTo(0.125, 6);
    }
  });

  it('eps/linear is the plain eps MSE and v/linear the plain v MSE (m = 1/a^2)', () => {
    for (const convention of ['continuous', 'discrete'] as const) {
      const ldm = new LdmLinearProcess({ convention });
      for (const s of [0.01, 0.3, 0.7, 0.99]) {
        expect(lossMultiplier(epsLinearWeighting(ldm), ldm, 'eps', s)).toBeCloseTo(1, 12);
        expect(lossMultiplier(vLinearWeighting(ldm), ldm, 'eps', s) * ldm.a(s) ** 2).toBeCloseTo(1, 10);
      }
    }
    expect(() => epsLinearWeighting(createForwardProcess('rf'))).toThrow(/^process: got "rf"; expected a variance-preserving process/);
  });

  it('w^pi = t/(1-t) pi(t) for the logit-normal densities of samplers.json', () => {
    for (const c of samplers.logit_normal.cases) {
      const w = densityWeighting(createTimestepSampler(`lognorm(${c.m}, ${c.s})`));
      const want = samplers.t_grid.map((s, i) => (s / (1 - s)) * c.density_on_t_grid[i]);
      expectRelClose(
        samplers.t_grid.map((s) => w.weight(s)),
        want,
        1e-12,
        `w^pi lognorm(${c.m}, ${c.s})`,
      );
    }
  });

  it('weightings are plugins of kind loss-weighting', () => {
    expect(createLossWeighting('rf').weight(0.5)).toBe(1);
    expect(createLossWeighting('edm(-1.2, 1.2)').weight(0.3)).toBe(edmWeighting().weight(0.3));
    expect(createLossWeighting('v/linear(process=cosine)').weight(0.3)).toBeCloseTo(vCosineWeighting().weight(0.3) / (Math.PI / 2), 12);
    expect(createLossWeighting('density(lognorm(0, 1))').weight(0.5)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI) / 0.25, 14);
    expect(() => createLossWeighting('eps/linear(process=rf)')).toThrow(/^process: got "rf"; expected a variance-preserving process/);
  });

  it('weightTensor matches weight in float32 and validates t', () => {
    const w = edmWeighting();
    const times = createRng(1).uniformArray(8);
    const t = tf.tensor1d(Float32Array.from(times));
    const f32 = Float32Array.from(times);
    expectClose(
      w.weightTensor(t),
      Array.from(f32, (s) => w.weight(s)),
      { rtol: 1e-6, atol: 0 },
    );
    const bad = tf.tensor1d([0.5, 2]);
    expect(() => w.weightTensor(bad)).toThrow(/^t\[1\]: got 2; expected a time in \[0, 1\]/);
    expect(() => w.weight(Number.NaN)).toThrow(/^t: got NaN/);
    tf.dispose([t, bad]);
  });
});
