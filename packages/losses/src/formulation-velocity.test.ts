import { createRng, tf, type VelocityFn } from '@rectiflow/core';
import { type MaybePreconditioned, targetCoefficients } from '@rectiflow/schedules';
import { describe, expect, it } from 'vitest';
import type { Formulation } from './formulation';
import { createFormulation } from './formulation-plugins';
import { formulationVelocity, processTimeOf } from './formulation-velocity';

// Point-mass data x0 = C: from z_t the oracle knows x0 = C and eps = (z - a_t C) / b_t, and
// outputs its formulation's target. On the rf path y_s = (1 - s) C + s eps the velocity is
// eps - C = (y - C) / s, whatever the formulation the network was trained with.
const C = [0.5, -0.25, 1.0, 0.0];

function oracle(f: Formulation): VelocityFn {
  return (z, t) =>
    tf.tidy(() => {
      const times = t.dataSync();
      const rows = Array.from(times, (ti, i) => {
        const a = f.process.a(ti);
        const b = f.process.b(ti);
        const [cx, ce] = targetCoefficients(f.process as MaybePreconditioned, f.output, ti);
        const zi = z.slice([i, 0], [1, C.length]).dataSync();
        return C.map((c, j) => cx * c + ce * ((zi[j] - a * c) / b));
      });
      return tf.tensor2d(rows);
    });
}

const SPECS = ['eps/linear', 'eps/cos', 'v/linear', 'v/cos', 'edm(-1.20, 1.20)'];

describe('formulationVelocity', () => {
  it('returns a rectified-flow velocity network unchanged', () => {
    const net: VelocityFn = (x) => x;
    expect(formulationVelocity(net, createFormulation('rf/lognorm(0.00, 1.00)'))).toBe(net);
    expect(formulationVelocity(net, createFormulation('rf'))).toBe(net);
    expect(formulationVelocity(net, createFormulation('eps/linear'))).not.toBe(net);
  });

  it.each(SPECS)('%s: gives the rf velocity (y - x0) / s of point-mass data', (spec) => {
    const f = createFormulation(spec);
    const field = formulationVelocity(oracle(f), f);
    const eps = createRng(3).normal([4, C.length]);
    const s = [0.05, 0.3, 0.6, 0.9];
    const y = tf.tidy(() =>
      tf.add(
        tf.mul(tf.tensor2d(s, [4, 1]), eps),
        tf.mul(
          tf.tensor2d(
            s.map((v) => 1 - v),
            [4, 1],
          ),
          tf.tensor1d(C),
        ),
      ),
    );
    const v = field(y, tf.tensor1d(s), {});
    const expected = tf.tidy(() => tf.div(tf.sub(y, tf.tensor1d(C)), tf.tensor2d(s, [4, 1])));
    const got = v.arraySync() as number[][];
    const want = expected.arraySync() as number[][];
    got.forEach((row, i) => {
      row.forEach((g, j) => {
        expect(g).toBeCloseTo(want[i][j], 3);
      });
    });
    tf.dispose([eps, y, v, expected]);
  });

  it.each(SPECS)('%s: Euler from unit noise at s = 1 lands on the data, with no leaked tensors', (spec) => {
    const f = createFormulation(spec);
    const field = formulationVelocity(oracle(f), f);
    const before = tf.memory().numTensors;
    let y = createRng(4).normal([2, C.length]);
    const steps = 8;
    for (let i = 0; i < steps; i++) {
      const s = 1 - i / steps;
      const next = 1 - (i + 1) / steps;
      const t = tf.tensor1d([s, s]);
      const v = field(y, t, {});
      const stepped = tf.tidy(() => tf.add(y, tf.mul(v, next - s)));
      tf.dispose([t, v, y]);
      y = stepped;
    }
    for (const row of y.arraySync() as number[][]) {
      row.forEach((g, j) => {
        expect(g).toBeCloseTo(C[j], 4);
      });
    }
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('inverts s = b_t / (a_t + b_t) and clamps at the ends', () => {
    const f = createFormulation('eps/cos');
    for (const s of [0.01, 0.5, 0.99]) {
      const t = processTimeOf(f.process, s);
      expect(f.process.b(t) / (f.process.a(t) + f.process.b(t))).toBeCloseTo(s, 5);
    }
    expect(processTimeOf(f.process, 0)).toBe(0);
    // LDM-linear never reaches pure noise: s beyond its last rf time maps to t = 1 - 2^-24.
    expect(processTimeOf(createFormulation('eps/linear').process, 1)).toBe(1 - 2 ** -24);
    expect(() => processTimeOf(f.process, 1.5)).toThrow(/rf time in \[0, 1\]/);
  });
});
