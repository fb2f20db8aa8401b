import { tf } from '@rectiflow/core';
import { expectClose, expectNoTensorLeak, readFixtureJson } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { float64Ops } from './float64-ops';
import { createSolver, SOLVER_NAMES } from './solver-plugins';
import { tensorOps } from './tensor-ops';
import type { OdeFixture } from './test-helpers';

const fixture = readFixtureJson<OdeFixture>('ode.json');
const A = fixture.linear.A;

describe('tensorOps', () => {
  it('combine, errorNorm and countNonFinite agree with float64Ops', () => {
    const a = [1, -2, 3.5];
    const b = [0.5, 4, -1];
    const ta = tf.tensor1d(a);
    const tb = tf.tensor1d(b);
    const sum = tensorOps.combine([
      [2, ta],
      [-0.5, tb],
    ]);
    const ref = float64Ops.combine([
      [2, Float64Array.from(a)],
      [-0.5, Float64Array.from(b)],
    ]);
    expectClose(sum, ref, { atol: 1e-6 });
    expect(tensorOps.errorNorm(ta, tb, ta, 1e-2, 1e-3)).toBeCloseTo(
      float64Ops.errorNorm(Float64Array.from(a), Float64Array.from(b), Float64Array.from(a), 1e-2, 1e-3),
      3,
    );
    const bad = tf.tensor1d([1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(tensorOps.countNonFinite(bad)).toEqual({ nan: 1, inf: 2 });
    expect(float64Ops.countNonFinite(Float64Array.of(1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY))).toEqual({
      nan: 1,
      inf: 2,
    });
    tf.dispose([ta, tb, sum, bad]);
  });

  // dy/dt = A y on a batch of 2 states: rows are states, y A^T as a 2-D matmul.
  const tensorField = (at: tf.Tensor2D) => (y: tf.Tensor, _t: number) => tf.tidy(() => tf.matMul(y as tf.Tensor2D, at));
  const y0 = [fixture.linear.y0, fixture.linear.y0.map((v) => -2 * v)];

  it.each(SOLVER_NAMES.filter((n) => !n.startsWith('dpmpp')))(
    '%s gives the same result on tensors and Float64Array, without leaks',
    async (name) => {
      const solver = createSolver(name);
      const grid = [0, 0.25, 0.5, 0.75, 1];
      const at = tf.tensor2d(A[0].map((_, j) => A.map((row) => row[j])));
      const x0 = tf.tensor2d(y0);
      const field64 = (y: Float64Array) => {
        const out = new Float64Array(y.length);
        for (let b = 0; b < 2; b++) for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out[3 * b + i] += A[i][j] * y[3 * b + j];
        return out;
      };
      const ref = solver.solve(field64, Float64Array.from(y0.flat()), grid, float64Ops);
      const out = solver.solve(tensorField(at), x0, grid, tensorOps);
      expectClose(out.x, ref.x, { atol: 1e-5, rtol: 1e-5, label: name });
      expect(out.nfe).toBe(ref.nfe);
      out.x.dispose();
      await expectNoTensorLeak(() => solver.solve(tensorField(at), x0, grid, tensorOps, { callback: () => {} }).x.dispose(), {
        iterations: 2,
        label: name,
      });
      tf.dispose([at, x0]);
    },
  );
});
