// Parity with the official SD3.5 sampling loops without the MM-DiT: a replay model returns
// v = (x - D_i) / σ_i, where D_i is the recorded CFG-combined denoised value at step i, so
// the sampler must reproduce the recorded trajectory and final latent.
import { tf, type VelocityFn } from '@rectiflow/core';
import { expectClose, fixturePath, readFixtureJson } from '@rectiflow/core/testing';
import { readSafetensors } from '@rectiflow/safetensors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sample } from './sample';
import { sd3Sigmas } from './sd3-sigmas';

interface Recorded {
  sigmas: number[];
  noise: tf.Tensor;
  trajectoryX: tf.Tensor[];
  trajectoryDenoised: tf.Tensor[];
  finalLatent: tf.Tensor;
}

async function load(name: string): Promise<Recorded> {
  const file = await readSafetensors(fixturePath(`${name}.safetensors`));
  try {
    const json = readFixtureJson<{ sigmas: number[] }>(`${name}.json`);
    const x = await file.tensor('trajectory_x');
    const d = await file.tensor('trajectory_denoised');
    const rec: Recorded = {
      sigmas: json.sigmas,
      noise: await file.tensor('noise'),
      trajectoryX: tf.unstack(x),
      trajectoryDenoised: tf.unstack(d),
      finalLatent: await file.tensor('final_latent'),
    };
    tf.dispose([x, d]);
    return rec;
  } finally {
    await file.close();
  }
}

/** v = (x - D_i)/σ_i for the step whose σ equals t; with `cfgScale`, split into cond and uncond halves. */
function replayModel(rec: Recorded, calls: number[][], cfgScale = 1): VelocityFn {
  return (x, t) =>
    tf.tidy(() => {
      const times = [...t.dataSync()];
      calls.push(times);
      const i = rec.sigmas.indexOf(times[0]);
      if (i < 0 || i >= rec.trajectoryDenoised.length) throw new Error(`replay model: no recorded step at t = ${times[0]}`);
      if (cfgScale === 1) return tf.div(tf.sub(x, rec.trajectoryDenoised[i]), rec.sigmas[i]);
      // x is [x; x]: uncond gets an arbitrary velocity, cond the one that makes the CFG result exact.
      const [xc] = tf.split(x, 2, 0);
      const target = tf.div(tf.sub(xc, rec.trajectoryDenoised[i]), rec.sigmas[i]);
      const vUncond = tf.mul(xc, 0.3);
      const vCond = tf.add(vUncond, tf.div(tf.sub(target, vUncond), cfgScale));
      return tf.concat([vCond, vUncond], 0);
    });
}

describe.each([
  ['sample_euler_tiny', 'euler'],
  ['sample_dpmpp_2m_tiny', 'dpmpp-2m-sd3'],
])('%s replayed through sample() with the %s solver', (name, solver) => {
  let rec: Recorded;
  beforeAll(async () => {
    rec = await load(name);
  });
  afterAll(() => tf.dispose([rec.noise, rec.finalLatent, ...rec.trajectoryX, ...rec.trajectoryDenoised]));

  it('uses the official grid', () => {
    expect(sd3Sigmas(8, 3)).toEqual(rec.sigmas);
  });

  it.each([1, 5])('reproduces trajectory_x, trajectory_denoised and final_latent within 5e-4 (CFG scale %s)', (scale) => {
    const calls: number[][] = [];
    const seen: number[] = [];
    const pooled = tf.ones([1, 4]);
    const uncondPooled = tf.zeros([1, 4]);
    const out = sample({
      model: replayModel(rec, calls, scale),
      noise: rec.noise,
      cond: { pooled },
      uncond: { pooled: uncondPooled },
      grid: sd3Sigmas(8, 3),
      solver,
      guidance: scale,
      callback: (step, t, x, denoised) => {
        seen.push(step);
        expect(t).toBe(rec.sigmas[step]);
        expectClose(x, rec.trajectoryX[step], { atol: 5e-4, rtol: 0, label: `trajectory_x[${step}]` });
        expectClose(denoised, rec.trajectoryDenoised[step], { atol: 5e-4, rtol: 0, label: `trajectory_denoised[${step}]` });
      },
    });
    expectClose(out, rec.finalLatent, { atol: 5e-4, rtol: 0, label: 'final_latent' });
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // One model call per step; with CFG, cond and uncond share one batch of 2.
    expect(calls.map((c) => c.length)).toEqual(Array(8).fill(scale === 1 ? 1 : 2));
    tf.dispose([out, pooled, uncondPooled]);
  });
});

describe('the two DPM-Solver++(2M) variants', () => {
  it('differ on the recorded run in the second-order steps (the last step lands on D either way)', async () => {
    const rec = await load('sample_dpmpp_2m_tiny');
    const xBeforeLast = (solver: string) => {
      let kept: tf.Tensor | undefined;
      const out = sample({
        model: replayModel(rec, []),
        noise: rec.noise,
        cond: {},
        grid: rec.sigmas,
        solver,
        callback: (step, _t, x) => {
          if (step === 7) kept = x.clone();
        },
      });
      out.dispose();
      return kept as tf.Tensor;
    };
    const official = xBeforeLast('dpmpp-2m-sd3');
    const flow = xBeforeLast('dpmpp-2m');
    expectClose(official, rec.trajectoryX[7], { atol: 5e-4, rtol: 0 });
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(official, flow))).dataSync()[0]);
    expect(diff).toBeGreaterThan(1e-2);
    tf.dispose([official, flow, rec.noise, rec.finalLatent, ...rec.trajectoryX, ...rec.trajectoryDenoised]);
  });
});
