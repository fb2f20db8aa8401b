// End-to-end parity with the official SD3 sampling code: the tiny MM-DiT fixture, run
// through @rectiflow/solvers' `sample` on the official sigma grid with CFG 5, reproduces the
// recorded trajectories and final latents of sample_euler_tiny and sample_dpmpp_2m_tiny.
import { tf } from '@rectiflow/core';
import { expectClose, fixturePath } from '@rectiflow/core/testing';
import { readTensors } from '@rectiflow/safetensors';
import { sample, sd3Sigmas } from '@rectiflow/solvers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMMDiT } from './load-mmdit';
import { MMDiTVelocityModel } from './velocity-model';

describe('end-to-end sampling parity with sd3.5', () => {
  let model: MMDiTVelocityModel;
  beforeAll(async () => {
    model = new MMDiTVelocityModel(await loadMMDiT(fixturePath('mmdit_tiny.safetensors')));
  });
  afterAll(() => model.dispose());

  it.each([
    ['euler', 'sample_euler_tiny.safetensors'],
    ['dpmpp-2m-sd3', 'sample_dpmpp_2m_tiny.safetensors'],
  ])('%s reproduces %s within 5e-4', async (solver, file) => {
    const f = await readTensors(fixturePath(file));
    const get = (k: string) => f.get(k) as tf.Tensor;
    const grid = sd3Sigmas(8, 3);
    expect(Float32Array.from(grid)).toEqual(get('sigmas').dataSync());
    const xs = tf.unstack(get('trajectory_x'));
    const ds = tf.unstack(get('trajectory_denoised'));
    let calls = 0;
    const latent = sample({
      model: model.predict,
      noise: get('noise_scaled'),
      cond: { context: get('cond_context'), pooled: get('cond_y') },
      uncond: { context: get('uncond_context'), pooled: get('uncond_y') },
      grid,
      solver,
      guidance: 5,
      callback: (step, t, x, denoised) => {
        calls++;
        expect(t).toBe(grid[step]);
        expectClose(x, xs[step], { atol: 5e-4, label: `${solver} trajectory_x[${step}]` });
        expectClose(denoised, ds[step], { atol: 5e-4, label: `${solver} trajectory_denoised[${step}]` });
      },
    });
    expect(calls).toBe(8);
    expectClose(latent, get('final_latent'), { atol: 5e-4, label: `${solver} final_latent` });
    const processed = tf.tidy(() => tf.add(tf.div(latent, 1.5305), 0.0609));
    expectClose(processed, get('final_latent_process_out'), { atol: 5e-4, label: `${solver} final_latent_process_out` });
    tf.dispose([latent, processed, ...xs, ...ds, ...f.values()]);
  });
});
