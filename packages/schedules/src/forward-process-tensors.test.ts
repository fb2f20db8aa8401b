import { createRng, tf } from '@rectiflow/core';
import { expectClose, expectNoTensorLeak } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import type { BaseForwardProcess } from './base-process';
import { EdmProcess } from './edm';
import { createForwardProcess } from './forward-process-plugins';
import type { ProcessOutput } from './process-output';

const SPECS = ['rf', 'cosine', 'edm(-1.2, 1.2)', 'ldm-linear', 'ldm-linear(convention=discrete)', 'shift(3, rf)', 'shift(2, edm)'];
const T_VALUES = [0.02, 0.3, 0.5, 0.77, 0.95];

function setup(seed: number) {
  const rng = createRng(seed);
  const x0 = rng.normal([5, 2, 3]);
  const eps = rng.normal([5, 2, 3]);
  const t = tf.tensor1d(T_VALUES);
  return { x0, eps, t };
}

describe.each(SPECS)('tensor operations of %s', (spec) => {
  const process = createForwardProcess(spec) as BaseForwardProcess;

  it('coefficients and addNoise use the float64 scalar functions', () => {
    const { x0, eps, t } = setup(1);
    const c = process.coefficients(t);
    expectClose(
      c.a,
      T_VALUES.map((v) => process.a(v)),
      { rtol: 1e-6, atol: 0 },
    );
    expectClose(
      c.b,
      T_VALUES.map((v) => process.b(v)),
      { rtol: 1e-6, atol: 0 },
    );
    expectClose(
      c.da,
      T_VALUES.map((v) => process.da(v)),
      { rtol: 1e-6, atol: 0 },
    );
    expectClose(
      c.db,
      T_VALUES.map((v) => process.db(v)),
      { rtol: 1e-6, atol: 0 },
    );
    const z = process.addNoise(x0, eps, t);
    const x = x0.arraySync() as number[][][];
    const e = eps.arraySync() as number[][][];
    const expected = x.map((row, i) =>
      row.map((r, j) => r.map((v, k) => process.a(T_VALUES[i]) * v + process.b(T_VALUES[i]) * e[i][j][k])),
    );
    expectClose(z, tf.tensor(expected), { atol: 1e-5, rtol: 1e-5 });
    tf.dispose([x0, eps, t, z, c.a, c.b, c.da, c.db]);
  });

  it('the velocity target is dz/dt (finite difference of addNoise)', () => {
    const { x0, eps, t } = setup(2);
    const v = process.target('velocity', x0, eps, t);
    const h = 1e-6;
    const fd = T_VALUES.map((s) => {
      const [a1, b1, a0, b0] = [process.a(s + h), process.b(s + h), process.a(s - h), process.b(s - h)];
      return [(a1 - a0) / (2 * h), (b1 - b0) / (2 * h)];
    });
    const x = x0.arraySync() as number[][][];
    const e = eps.arraySync() as number[][][];
    const expected = x.map((row, i) => row.map((r, j) => r.map((val, k) => fd[i][0] * val + fd[i][1] * e[i][j][k])));
    // discrete LDM: the derivative is the interpolant's central slope, not a finite difference of the step function
    if (!spec.includes('discrete')) expectClose(v, tf.tensor(expected), { atol: 1e-3, rtol: 1e-4 });
    tf.dispose([x0, eps, t, v]);
  });

  it('converts every output parameterisation to every other, recovering the true values', () => {
    const { x0, eps, t } = setup(3);
    const z = process.addNoise(x0, eps, t);
    const outputs: ProcessOutput[] = ['velocity', 'eps', 'x0'];
    if (process.precondition(0.5)) outputs.push('F');
    for (const from of outputs) {
      const out = process.target(from, x0, eps, t);
      for (const to of outputs) {
        const got = process.convert(out, from, to, z, t);
        const want = process.target(to, x0, eps, t);
        expectClose(got, want, { atol: 2e-4, rtol: 2e-4, label: `${spec}: ${from} -> ${to}` });
        tf.dispose([got, want]);
      }
      out.dispose();
    }
    tf.dispose([x0, eps, t, z]);
  });

  it('lambda and dlambda agree with their definitions', () => {
    for (const s of T_VALUES) {
      const [a, b, da, db] = [process.a(s), process.b(s), process.da(s), process.db(s)];
      expect(process.lambda(s)).toBeCloseTo(Math.log((a * a) / (b * b)), 10);
      const dl = 2 * (da / a - db / b);
      expect(Math.abs(process.dlambda(s) - dl) / Math.abs(dl)).toBeLessThan(1e-10);
    }
  });

  it('leaks no tensors', async () => {
    const { x0, eps, t } = setup(4);
    await expectNoTensorLeak(
      () => {
        const z = process.addNoise(x0, eps, t);
        const v = process.target('velocity', x0, eps, t);
        const e = process.convert(v, 'velocity', 'eps', z, t);
        const c = process.coefficients(t);
        tf.dispose([z, v, e, c.a, c.b, c.da, c.db]);
      },
      { label: spec },
    );
    tf.dispose([x0, eps, t]);
  });
});

describe('EDM preconditioning', () => {
  it("F's target gives D = c_skip z + c_out F = x0 and Karras's coefficients", () => {
    const edm = new EdmProcess();
    const s = 0.4;
    const sigma = edm.b(s);
    const p = edm.precondition(s)!;
    expect(p.cSkip).toBeCloseTo(0.25 / (sigma * sigma + 0.25), 14);
    expect(p.cOut).toBeCloseTo((sigma * 0.5) / Math.sqrt(sigma * sigma + 0.25), 14);
    expect(p.cIn).toBeCloseTo(1 / Math.sqrt(sigma * sigma + 0.25), 14);
    expect(p.cNoise).toBeCloseTo(Math.log(sigma) / 4, 14);
    const [cx, ce] = edm.targetCoefficients('F', s);
    // D = c_skip (x0 + sigma eps) + c_out (cx x0 + ce eps) must equal x0.
    expect(p.cSkip + p.cOut * cx).toBeCloseTo(1, 14);
    expect(p.cSkip * sigma + p.cOut * ce).toBeCloseTo(0, 14);
    // The F target stays finite at both ends: -eps at sigma = 0, x0 / sigma_data at sigma = infinity.
    expect(edm.targetCoefficients('F', 0)).toEqual([0, -1]);
    expect(edm.targetCoefficients('F', 1)).toEqual([2, 0]);
  });
});

describe('bad input', () => {
  const rf = createForwardProcess('rf');
  it('rejects times outside [0, 1] and NaN, naming the argument', () => {
    expect(() => rf.a(1.5)).toThrow(/^t: got 1.5; expected a number in \[0, 1\]/);
    expect(() => rf.lambda(Number.NaN)).toThrow(/^t: got NaN/);
    const x0 = tf.zeros([2, 3]);
    const bad = tf.tensor1d([0.5, Number.NaN]);
    expect(() => rf.addNoise(x0, x0, bad)).toThrow(/t\[1\]: got NaN; expected a time in \[0, 1\]/);
    const out = tf.tensor1d([0.5, -0.1]);
    expect(() => rf.target('velocity', x0, x0, out)).toThrow(/t\[1\]: got -0.1/);
    tf.dispose([x0, bad, out]);
  });

  it('rejects wrong shapes, naming the argument', () => {
    const x0 = tf.zeros([2, 3]);
    const eps = tf.zeros([2, 4]);
    const t3 = tf.tensor1d([0.1, 0.2, 0.3]);
    const t2 = tf.tensor1d([0.1, 0.2]);
    expect(() => rf.addNoise(x0, eps, t2)).toThrow(/^eps.shape: got \[2, 4\]; expected \[2, 3\] \(the shape of x0\)/);
    expect(() => rf.addNoise(x0, x0, t3)).toThrow(/^t.shape: got \[3\]; expected shape \[2\]/);
    expect(() => rf.convert(x0, 'velocity', 'eps', eps, t2)).toThrow(/^z.shape/);
    tf.dispose([x0, eps, t3, t2]);
  });

  it("rejects unknown parameterisations and 'F' outside EDM", () => {
    const x0 = tf.zeros([2, 3]);
    const t = tf.tensor1d([0.1, 0.2]);
    expect(() => rf.target('score' as 'eps', x0, x0, t)).toThrow(
      /^parameterization: got "score"; expected one of 'velocity', 'eps', 'x0', 'F'/,
    );
    expect(() => rf.target('F' as 'eps', x0, x0, t)).toThrow(/'F' is EDM's preconditioned output; rf has none/);
    tf.dispose([x0, t]);
  });

  it('rejects invalid process parameters, naming them', () => {
    expect(() => createForwardProcess('edm(0, -1)')).toThrow(/argument "pStd" got -1; expected a number > 0/);
    expect(() => new EdmProcess({ pStd: 0 })).toThrow(/^pStd: got 0/);
    expect(() => createForwardProcess('ldm-linear(rule=cubic)')).toThrow(
      /argument "rule" got "cubic"; expected one of scaled-linear, linear/,
    );
    expect(() => createForwardProcess('shift(0)')).toThrow(/argument "alpha" got 0/);
    expect(() => createForwardProcess('ddpm')).toThrow(
      /unknown forward-process "ddpm". Registered forward-process plugins: cosine, edm, ldm-linear, rf, shift, shift-tokens/,
    );
  });
});
