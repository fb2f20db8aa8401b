import { NonFiniteError, type OdeSolver, tf, ValidationError, type VelocityFn, type VelocityModel } from '@rectiflow/core';
import { expectClose, expectNoTensorLeak } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { solveFixedStep } from './fixed-step';
import { noiseLatent, truncateGrid } from './img2img';
import { sample, sampleWithStats } from './sample';
import { sd3Sigmas } from './sd3-sigmas';
import { gaussianFlowToData, gaussianVelocity } from './test-helpers';
import { shiftedGrid, uniformGrid } from './time-grid';

const S = 0.5;
const MU = [
  [1, -2, 0.5, 3],
  [-1, 0, 2, -0.5],
];
const NOISE = [
  [0.3, -1.2, 0.8, 1.5],
  [-0.7, 0.1, -2.1, 0.4],
];

function gaussianRun(solver: string, grid: number[], mu = MU, extra: Partial<Parameters<typeof sample>[0]> = {}) {
  return tf.tidy(() => {
    const out = sample({
      model: gaussianVelocity(S),
      noise: tf.tensor2d(NOISE),
      cond: { pooled: tf.tensor2d(mu) },
      grid,
      solver,
      ...extra,
    });
    return out.arraySync() as number[][];
  });
}

describe('sample on Gaussian data (exact flow x0 = μ + s ε)', () => {
  const exact = NOISE.map((n, b) => gaussianFlowToData(n, MU[b], S, 1));
  it.each([
    // Measured max errors: euler 7.8e-3, heun 1.1e-3, midpoint 3.1e-5, rk4 4.8e-7 (float32),
    // dpmpp-2m 8.8e-3, dpmpp-2m-sd3 1.6e-2, dopri5 3.0e-6.
    ['euler', uniformGrid(200), 1e-2],
    ['heun', uniformGrid(20), 2e-3],
    ['midpoint', uniformGrid(20), 1e-4],
    ['rk4', uniformGrid(10), 1e-5],
    // DPM-Solver++'s final step to t = 0 is x = D, first order (the λ interval is infinite).
    ['dpmpp-2m', shiftedGrid(40, 3), 2e-2],
    ['dpmpp-2m-sd3', shiftedGrid(40, 3), 3e-2],
    ['dopri5(rtol=1e-5, atol=1e-5)', [1, 0], 1e-5],
  ] as const)('%s reaches the exact data point', (solver, grid, atol) => {
    expectClose(gaussianRun(solver, [...grid]).flat(), exact.flat(), { atol, rtol: 0, label: solver });
  });

  it('CFG combines cond and uncond in one batch: the guided flow is the Gaussian flow of μ_u + w (μ_c - μ_u)', () => {
    const w = 3;
    const muU = [
      [0, 0, 0, 0],
      [0.5, 0.5, 0.5, 0.5],
    ];
    const batches: number[] = [];
    const model: VelocityFn = (x, t, cond) => {
      batches.push(x.shape[0]);
      return gaussianVelocity(S)(x, t, cond);
    };
    const out = tf.tidy(() =>
      sample({
        model,
        noise: tf.tensor2d(NOISE),
        cond: { pooled: tf.tensor2d(MU) },
        uncond: { pooled: tf.tensor2d(muU) },
        grid: uniformGrid(10),
        solver: 'rk4',
        guidance: w,
      }).arraySync(),
    ) as number[][];
    const muGuided = MU.map((row, b) => row.map((m, d) => muU[b][d] + w * (m - muU[b][d])));
    const expected = NOISE.map((n, b) => gaussianFlowToData(n, muGuided[b], S, 1));
    expectClose(out.flat(), expected.flat(), { atol: 1e-4, rtol: 0 });
    expect(batches).toEqual(Array(40).fill(4));
  });

  it('img2img starts from the latent noised to grid[floor(N (1 - strength))] and follows the exact flow', () => {
    const latent = [
      [0.2, 0.4, -0.3, 1],
      [2, -1, 0, 0.5],
    ];
    const grid = uniformGrid(10);
    const t0 = grid[4]; // floor(10 * (1 - 0.6)) = 4
    expect(truncateGrid(grid, 0.6)).toEqual(grid.slice(4));
    const start = latent.map((l, b) => l.map((v, d) => t0 * NOISE[b][d] + (1 - t0) * v));
    const out = tf.tidy(() =>
      sample({
        model: gaussianVelocity(S),
        noise: tf.tensor2d(NOISE),
        cond: { pooled: tf.tensor2d(MU) },
        grid,
        solver: 'rk4',
        init: { latent: tf.tensor2d(latent), strength: 0.6 },
      }).arraySync(),
    ) as number[][];
    const expected = start.map((x, b) => gaussianFlowToData(x, MU[b], S, t0));
    expectClose(out.flat(), expected.flat(), { atol: 1e-4, rtol: 0 });
    const noised = tf.tidy(() => noiseLatent(tf.tensor2d(latent), tf.tensor2d(NOISE), t0).arraySync()) as number[][];
    expectClose(noised.flat(), start.flat(), { atol: 1e-6, rtol: 0 });
  });
});

describe('skip-layer guidance', () => {
  it('adds slg (v_c - v_skip) with a cond-only call on the steps start·N < i < end·N only', () => {
    // Velocities independent of x: cond 1, uncond 0, cond with skipped layers 0.25.
    const skipCalls: { step: number; layers: readonly number[] | undefined; batch: number }[] = [];
    let step = 0;
    const model: VelocityFn = (x, _t, _cond, options) => {
      if (options?.skipLayers) {
        skipCalls.push({ step, layers: options.skipLayers, batch: x.shape[0] });
        return tf.fill(x.shape, 0.25);
      }
      const half = [x.shape[0] / 2, ...x.shape.slice(1)];
      return tf.concat([tf.ones(half), tf.zeros(half)], 0);
    };
    const grid = uniformGrid(10);
    const w = 2;
    const slg = 3;
    const out = tf.tidy(() =>
      sample({
        model,
        noise: tf.zeros([1, 3]),
        cond: { pooled: tf.ones([1, 2]) },
        uncond: { pooled: tf.zeros([1, 2]) },
        grid,
        solver: 'euler',
        guidance: { scale: w, skipLayers: { layers: [7, 8, 9], scale: slg, start: 0.1, end: 0.35 } },
        callback: (i) => {
          step = i + 1;
        },
      }).arraySync(),
    ) as number[][];
    // Steps 2 and 3 satisfy 0.1 * 10 < i < 0.35 * 10.
    expect(skipCalls.map((c) => c.step)).toEqual([2, 3]);
    expect(skipCalls.every((c) => c.batch === 1 && c.layers?.join() === '7,8,9')).toBe(true);
    // Euler from 0: x = sum over steps of (t_{i+1} - t_i) v_i, v_i = w (+ slg * 0.75 on steps 2 and 3).
    const expected = -(10 * w + 2 * slg * 0.75) / 10;
    expectClose(out[0], [expected, expected, expected], { atol: 1e-6, rtol: 0 });
  });

  it('counts grid steps, not model calls: a two-stage solver skips layers in both stages of steps 2 and 3', () => {
    const steps: number[] = [];
    let current = 0;
    const model: VelocityFn = (x, _t, _cond, options) => {
      if (options?.skipLayers) steps.push(current);
      return tf.zerosLike(x);
    };
    tf.tidy(() => {
      sample({
        model,
        noise: tf.zeros([1, 3]),
        cond: {},
        grid: uniformGrid(10),
        solver: 'heun',
        guidance: { scale: 1, skipLayers: { layers: [0], scale: 1, start: 0.1, end: 0.35 } },
        callback: (i) => {
          current = i + 1;
        },
      });
    });
    expect(steps).toEqual([2, 2, 3, 3]);
  });
});

describe('skip-layer guidance with user solvers', () => {
  // A user's solver written against the exported loop: as short as euler.ts, no callback.
  const userEuler: OdeSolver = {
    name: 'user-euler',
    solve: (field, x0, grid, ops) =>
      solveFixedStep(
        'user-euler',
        (_f, g, o) => ({
          step: (x, f0, i) =>
            o.combine([
              [1, x],
              [g[i + 1] - g[i], f0],
            ]),
          dispose: () => {},
        }),
        field,
        x0,
        grid,
        ops,
      ),
  };
  // A solver with its own loop that never calls back and never says which step it is on.
  const bareEuler: OdeSolver = {
    name: 'bare-euler',
    solve: (field, x0, grid, ops) => {
      let x = ops.combine([[1, x0]]);
      for (let i = 0; i + 1 < grid.length; i++) {
        const f = field(x, grid[i]);
        const next = ops.combine([
          [1, x],
          [grid[i + 1] - grid[i], f],
        ]);
        ops.dispose(f);
        ops.dispose(x);
        x = next;
      }
      return { x, nfe: grid.length - 1, accepted: grid.length - 1, rejected: 0 };
    },
  };

  it.each([
    ['built on solveFixedStep', userEuler],
    ['with its own loop and no callback', bareEuler],
  ])('keeps skip-layer guidance on for a solver %s (steps 2 and 3)', (_label, solver) => {
    const times: number[] = [];
    const model: VelocityFn = (x, t, _cond, options) => {
      if (options?.skipLayers) times.push(t.dataSync()[0]);
      return tf.zerosLike(x);
    };
    const grid = uniformGrid(10);
    tf.tidy(() => {
      sample({
        model,
        noise: tf.zeros([1, 3]),
        cond: {},
        grid,
        solver,
        guidance: { scale: 1, skipLayers: { layers: [0], scale: 1, start: 0.1, end: 0.35 } },
      });
    });
    expect(times.map((t) => Math.round(t * 10) / 10)).toEqual([grid[2], grid[3]].map((t) => Math.round(t * 10) / 10));
  });
});

describe('skip-layer guidance with img2img', () => {
  it('counts steps from the start of the shortened run against the full step count, as SD3.5 does', () => {
    const steps: number[] = [];
    let current = 0;
    const model: VelocityFn = (x, _t, _cond, options) => {
      if (options?.skipLayers) steps.push(current);
      return tf.zerosLike(x);
    };
    tf.tidy(() => {
      sample({
        model,
        noise: tf.zeros([1, 3]),
        cond: {},
        grid: uniformGrid(10),
        solver: 'euler',
        guidance: { scale: 1, skipLayers: { layers: [0], scale: 1, start: 0.1, end: 0.35 } },
        init: { latent: tf.ones([1, 3]), strength: 0.5 },
        callback: (i) => {
          current = i + 1;
        },
      });
    });
    // 5 steps run (from t = 0.5); steps 2 and 3 of them satisfy 0.1 * 10 < i < 0.35 * 10.
    expect(steps).toEqual([2, 3]);
  });
});

describe('sample bookkeeping and bad input', () => {
  const model = gaussianVelocity(S);

  it('does not leak tensors over a 50-step guided loop with callback', async () => {
    const noise = tf.tensor2d(NOISE);
    const cond = { pooled: tf.tensor2d(MU) };
    const uncond = { pooled: tf.zerosLike(cond.pooled) };
    let calls = 0;
    await expectNoTensorLeak(
      () =>
        sample({
          model,
          noise,
          cond,
          uncond,
          grid: sd3Sigmas(50),
          solver: 'dpmpp-2m-sd3',
          guidance: { scale: 4, skipLayers: { layers: [1], scale: 2, start: 0.01, end: 0.5 } },
          callback: () => {
            calls++;
          },
        }).dispose(),
      { warmup: 1, iterations: 2, label: 'sample' },
    );
    expect(calls).toBe(150);
    tf.dispose([noise, cond.pooled, uncond.pooled]);
  });

  it('rejects bad grids, guidance and init', () => {
    const base = { model, noise: tf.tensor2d(NOISE), cond: { pooled: tf.tensor2d(MU) }, solver: 'euler' };
    expect(() => sample({ ...base, grid: [0, 0.5, 1] })).toThrow(
      /grid\[1\]: got 0.5; expected a time < 0: the grid must decrease strictly/,
    );
    expect(() => sample({ ...base, grid: [1, 0.5, 0.6, 0] })).toThrow(/grid\[2\]: got 0.6; expected a time < grid\[1\] = 0.5/);
    expect(() => sample({ ...base, grid: [1.5, 0.5, 0] })).toThrow(/grid\[0\]: got 1.5; expected a time in \[0, 1\]/);
    expect(() => sample({ ...base, grid: [1, -0.1] })).toThrow(ValidationError);
    expect(() => sample({ ...base, grid: [1, 0], guidance: 5 })).toThrow(
      /uncond: got undefined; expected conditioning for the CFG scale 5/,
    );
    expect(() => sample({ ...base, grid: [1, 0], guidance: { scale: 1, skipLayers: { layers: [], scale: 2 } } })).toThrow(
      /guidance.skipLayers.layers/,
    );
    expect(() =>
      sample({ ...base, grid: [1, 0], guidance: { scale: 1, skipLayers: { layers: [1], scale: 2, start: 0.5, end: 0.2 } } }),
    ).toThrow(/guidance.skipLayers.end: got 0.2; expected a fraction > start = 0.5/);
    expect(() => sample({ ...base, grid: [1, 0], init: { latent: base.noise, strength: 0 } })).toThrow(/strength: got 0/);
    tf.dispose([base.noise, base.cond.pooled]);
  });

  it('names the step at which the state becomes NaN, and frees its tensors', () => {
    const noise = tf.tensor2d(NOISE);
    const pooled = tf.tensor2d(MU);
    const broken: VelocityFn = (x, t, cond) =>
      tf.tidy(() => (t.dataSync()[0] < 0.45 ? tf.fill(x.shape, Number.NaN) : gaussianVelocity(S)(x, t, cond)));
    const before = tf.memory().numTensors;
    expect(() => sample({ model: broken, noise, cond: { pooled }, grid: uniformGrid(10), solver: 'euler' })).toThrow(NonFiniteError);
    expect(() => sample({ model: broken, noise, cond: { pooled }, grid: uniformGrid(10), solver: 'heun' })).toThrow(
      /heun: state after step 5 \(t = 0.5 -> 0.4\): contains 8 NaN/,
    );
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([noise, pooled]);
  });
});

/** A `VelocityModel` whose `predict` relies on `this`, as a class-based model does. */
class GaussianModel implements VelocityModel {
  readonly name = 'gaussian';
  calls = 0;
  private readonly velocity = gaussianVelocity(S);
  predict(x: tf.Tensor, t: tf.Tensor1D, cond: { pooled?: tf.Tensor }): tf.Tensor {
    this.calls++;
    return this.velocity(x, t, cond);
  }
  trainableVariables(): tf.Variable[] {
    return [];
  }
  dispose(): void {}
}

describe('sample with a VelocityModel, and sampleWithStats', () => {
  it('accepts a VelocityModel (calling its predict) and gives what the bare function gives', () => {
    const velocityModel = new GaussianModel();
    const grid = uniformGrid(20);
    const fromModel = gaussianRun('heun', grid, MU, { model: velocityModel });
    expect(velocityModel.calls).toBeGreaterThan(0);
    expect(fromModel).toEqual(gaussianRun('heun', grid));
  });

  it('rejects a model that is neither, naming the field and what is allowed', () => {
    const noise = tf.tensor2d(NOISE);
    const pooled = tf.tensor2d(MU);
    const bad = { name: 'x', predict: 3 } as unknown as VelocityModel;
    expect(() => sample({ model: bad, noise, cond: { pooled }, grid: uniformGrid(4), solver: 'euler' })).toThrow(
      /model: got .*; expected a velocity function \(x, t, cond\) => v or a VelocityModel with predict/,
    );
    tf.dispose([noise, pooled]);
  });

  it('reports the fixed-step counts: one evaluation and one accepted step per grid interval, none rejected', () => {
    const velocityModel = new GaussianModel();
    const noise = tf.tensor2d(NOISE);
    const pooled = tf.tensor2d(MU);
    const uncond = { pooled: tf.zerosLike(pooled) };
    const run = sampleWithStats({
      model: velocityModel,
      noise,
      cond: { pooled },
      uncond,
      guidance: 3,
      grid: uniformGrid(12),
      solver: 'euler',
    });
    expect({ nfe: run.nfe, modelCalls: run.modelCalls, accepted: run.accepted, rejected: run.rejected }).toEqual({
      nfe: 12,
      modelCalls: 12, // CFG batches cond and uncond into one call
      accepted: 12,
      rejected: 0,
    });
    expect(velocityModel.calls).toBe(12);
    const plain = sample({ model: velocityModel, noise, cond: { pooled }, uncond, guidance: 3, grid: uniformGrid(12), solver: 'euler' });
    expectClose(run.x, plain, { atol: 0, rtol: 0 });
    tf.dispose([run.x, plain, noise, pooled, uncond.pooled]);
  });

  it("reports an adaptive solver's evaluations and its accepted and rejected steps", () => {
    const noise = tf.tensor2d(NOISE);
    const pooled = tf.tensor2d(MU);
    let calls = 0;
    const model: VelocityFn = (x, t, cond) => {
      calls++;
      return gaussianVelocity(S)(x, t, cond);
    };
    const run = sampleWithStats({ model, noise, cond: { pooled }, grid: [1, 0], solver: 'dopri5(rtol=1e-7, atol=1e-7)' });
    expect(run.accepted).toBeGreaterThan(1);
    expect(run.rejected).toBeGreaterThanOrEqual(0);
    expect(run.nfe).toBeGreaterThanOrEqual(6 * (run.accepted + run.rejected));
    expect(run.modelCalls).toBe(calls);
    expect(run.nfe).toBe(calls);
    const exact = NOISE.map((n, b) => gaussianFlowToData(n, MU[b], S, 1));
    const expected = tf.tensor2d(exact);
    expectClose(run.x, expected, { atol: 1e-4, rtol: 0 });
    tf.dispose([run.x, expected, noise, pooled]);
  });
});
