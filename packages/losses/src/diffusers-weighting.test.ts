import { createRng, tf } from '@rectiflow/core';
import { expectClose, expectRelClose, readFixtureJson } from '@rectiflow/core/testing';
import { RectifiedFlowProcess } from '@rectiflow/schedules';
import { DiffusersSampler } from '@rectiflow/timesteps';
import { describe, expect, it } from 'vitest';
import { diffusersWeighting } from './diffusers-weighting';
import { flowMatchingLoss, type LossModel } from './flow-matching-loss';
import { createFormulation } from './formulation-plugins';
import { lossMultiplier } from './loss-multiplier';

const samplers = readFixtureJson<{ t_grid: number[]; cosmap: { density_on_t_grid: number[] } }>('samplers.json');
const rf = new RectifiedFlowProcess();

describe("diffusers' SD3 training-script loss (explicit option)", () => {
  it("its cosmap weight is compute_loss_weighting_for_sd3('cosmap') = the CosMap density (samplers.json)", () => {
    const w = diffusersWeighting('cosmap');
    const m = samplers.t_grid.map((t) => lossMultiplier(w, rf, 'velocity', t));
    expectRelClose(m, samplers.cosmap.density_on_t_grid, 1e-12, 'cosmap multiplier');
  });

  it('sigma_sqrt weighs by 1/sigma^2, preconditionOutputs multiplies by sigma^2, the others by 1', () => {
    for (const t of [0.1, 0.5, 0.8]) {
      expect(lossMultiplier(diffusersWeighting('sigma_sqrt'), rf, 'velocity', t)).toBeCloseTo(1 / (t * t), 10);
      expect(lossMultiplier(diffusersWeighting('logit_normal', true), rf, 'velocity', t)).toBeCloseTo(t * t, 12);
      expect(lossMultiplier(diffusersWeighting('none'), rf, 'velocity', t)).toBeCloseTo(1, 12);
    }
    expect(() => diffusersWeighting('uniform' as 'none')).toThrow(
      /^scheme: got "uniform"; expected one of logit_normal, mode, sigma_sqrt, cosmap, none/,
    );
  });

  it('the diffusers formulation samples on the table and gives mean(d(sigma) sigma^2 ||v_hat - v||^2)', () => {
    const f = createFormulation('diffusers(scheme=logit_normal, shift=3, preconditionOutputs=true)');
    expect(f.sampler).toBeInstanceOf(DiffusersSampler);
    expect((createFormulation('diffusers(scheme=cosmap)').sampler as DiffusersSampler).scheme).toBe('uniform');
    const model: LossModel = (z) => tf.mul(z, 0.5);
    const x0 = createRng(1).normal([16, 3]);
    const r = flowMatchingLoss({ ...f, model, x0, rng: createRng(2) });
    const table = new Set((f.sampler as DiffusersSampler).sigmas);
    expect(Array.from(r.t).every((t) => table.has(t))).toBe(true);
    // Replay: x0-space MSE of the denoised estimate z - sigma v_hat, as diffusers computes it.
    const rng = createRng(2);
    f.sampler.sampleNumbers(16, rng);
    const eps = rng.normal([16, 3]);
    const sigma = tf.tensor2d(Float32Array.from(r.t), [16, 1]);
    const z = tf.add(tf.mul(tf.sub(1, sigma), x0), tf.mul(sigma, eps));
    const denoised = tf.sub(z, tf.mul(sigma, model(z, tf.reshape(sigma, [-1]) as tf.Tensor1D, {})));
    const reference = tf.mean(tf.square(tf.sub(denoised, x0)));
    expectClose(r.loss, reference, { rtol: 1e-4, atol: 1e-6 });
    tf.dispose([r.loss, r.perSample, x0, eps, sigma, z, denoised, reference]);
  });
});
