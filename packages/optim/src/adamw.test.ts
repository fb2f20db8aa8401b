import { tf } from '@rectiflow/core';
import { expectClose, expectNoTensorLeak } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { AdamW } from './adamw';
import { Ema } from './ema';
import { learningRate } from './lr-schedule';

/** Reference AdamW in float64 over named flat parameters, with global-norm clipping. */
function reference(
  params: Record<string, { value: number[]; decay: boolean }>,
  grads: Array<Record<string, number[]>>,
  lr: number,
  wd: number,
  clip: number,
): Record<string, number[]> {
  const names = Object.keys(params);
  const p = Object.fromEntries(names.map((n) => [n, [...params[n].value]]));
  const m = Object.fromEntries(names.map((n) => [n, params[n].value.map(() => 0)]));
  const v = Object.fromEntries(names.map((n) => [n, params[n].value.map(() => 0)]));
  grads.forEach((g, k) => {
    const t = k + 1;
    const norm = Math.sqrt(names.reduce((acc, n) => acc + g[n].reduce((a, x) => a + x * x, 0), 0));
    const s = clip > 0 && norm > clip ? clip / (norm + 1e-6) : 1;
    for (const n of names) {
      for (let i = 0; i < p[n].length; i++) {
        const gi = g[n][i] * s;
        m[n][i] = 0.9 * m[n][i] + 0.1 * gi;
        v[n][i] = 0.999 * v[n][i] + 0.001 * gi * gi;
        const upd = m[n][i] / (1 - 0.9 ** t) / (Math.sqrt(v[n][i] / (1 - 0.999 ** t)) + 1e-8);
        p[n][i] = (params[n].decay ? p[n][i] * (1 - lr * wd) : p[n][i]) - lr * upd;
      }
    }
  });
  return p;
}

describe('AdamW', () => {
  it('matches a float64 reference, with decoupled decay on matrices only and clipping', () => {
    const w = tf.variable(
      tf.tensor2d([
        [0.5, -1],
        [2, 0.25],
      ]),
      true,
      'adamw-test-w',
    );
    const b = tf.variable(tf.tensor1d([0.1, -0.2]), true, 'adamw-test-b');
    const opt = new AdamW(
      new Map<string, tf.Variable>([
        ['w', w],
        ['b', b],
      ]),
      { weightDecay: 0.1, clipNorm: 1 },
    );
    const gw = [
      [0.3, -0.2, 0.5, 1.5],
      [0.1, 0.1, -0.4, 0.2],
      [2, 0, 0, 0],
    ];
    const gb = [
      [0.05, -0.5],
      [0.2, 0.2],
      [0, 0.1],
    ];
    for (let k = 0; k < 3; k++) {
      const grads = { w: tf.tensor2d(gw[k], [2, 2]), b: tf.tensor1d(gb[k]) };
      opt.apply(grads, 0.01);
      tf.dispose(Object.values(grads));
    }
    const want = reference(
      { w: { value: [0.5, -1, 2, 0.25], decay: true }, b: { value: [0.1, -0.2], decay: false } },
      gw.map((g, k) => ({ w: g, b: gb[k] })),
      0.01,
      0.1,
      1,
    );
    expectClose(w, want.w, { atol: 1e-6, rtol: 1e-5, label: 'w' });
    expectClose(b, want.b, { atol: 1e-6, rtol: 1e-5, label: 'b' });
    expect(opt.step).toBe(3);
    opt.dispose();
    tf.dispose([w, b]);
  });

  it('saves and restores its state exactly, and leaks nothing per step', async () => {
    const p = tf.variable(
      tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
      true,
      'adamw-test-p',
    );
    const opt = new AdamW(new Map([['p', p]]));
    const g = {
      p: tf.tensor2d([
        [0.1, 0.2],
        [0.3, 0.4],
      ]),
    };
    opt.apply(g, 0.1);
    const { step, tensors } = opt.state();
    const copy = new Map([...tensors].map(([k, t]) => [k, t.clone()]));
    const q = tf.variable(p.clone(), true, 'adamw-test-q');
    const opt2 = new AdamW(new Map([['p', q]]));
    opt2.load(step, copy);
    opt.apply(g, 0.1);
    opt2.apply(g, 0.1);
    expect([...p.dataSync()]).toEqual([...q.dataSync()]);
    await expectNoTensorLeak(() => opt.apply(g, 0.1), { iterations: 5 });
    expect(() => opt2.load(1, new Map())).toThrow(/optimizer state: 2 weight problem\(s\): "m.p" is missing/);
    tf.dispose([p, q, g.p, ...copy.values()]);
    opt.dispose();
    opt2.dispose();
  });
});

describe('EMA and learning rate', () => {
  it('averages with warm-up decay', () => {
    const p = tf.variable(tf.tensor1d([0]), true, 'ema-test-p');
    const ema = new Ema(new Map([['p', p]]), 0.9);
    p.assign(tf.tensor1d([1]));
    ema.update(); // decay min(0.9, 1/10) = 0.1 -> 0.1*0 + 0.9*1
    expect(ema.shadow.get('p')?.dataSync()[0]).toBeCloseTo(0.9, 6);
    expect(ema.currentDecay()).toBeCloseTo(2 / 11, 9);
    ema.dispose();
    p.dispose();
  });

  it('warms up linearly and decays with a cosine', () => {
    expect(learningRate(1, { lr: 1, warmupSteps: 10 })).toBeCloseTo(0.1);
    expect(learningRate(50, { lr: 1, warmupSteps: 10 })).toBe(1);
    expect(learningRate(10, { lr: 1, warmupSteps: 10, decay: 'cosine', totalSteps: 110 })).toBeCloseTo(1);
    expect(learningRate(60, { lr: 1, warmupSteps: 10, decay: 'cosine', totalSteps: 110 })).toBeCloseTo(0.5);
    expect(learningRate(110, { lr: 1, warmupSteps: 10, decay: 'cosine', totalSteps: 110, minLr: 0.1 })).toBeCloseTo(0.1);
    expect(() => learningRate(0, { lr: 1, warmupSteps: 1 })).toThrow(/step: got 0/);
  });
});
