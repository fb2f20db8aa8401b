import { tf } from '@rectiflow/core';
import { expectClose } from '@rectiflow/core/testing';
import { describe, it } from 'vitest';
import { gelu, geluTanh, quickGelu, silu } from './activations';

const xs = [-4, -1.5, -0.3, 0, 0.2, 1, 2.5, 6];

/** erf by its Maclaurin series (converges fast for |x| <= 4.3 in float64). */
function erf(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

describe('activations', () => {
  it('match their float64 definitions', () => {
    const x = tf.tensor1d(xs);
    const check = (f: (t: tf.Tensor) => tf.Tensor, ref: (v: number) => number, label: string) => {
      const y = f(x);
      expectClose(y, xs.map(ref), { atol: 1e-6, rtol: 1e-6, label });
      y.dispose();
    };
    check(quickGelu, (v) => v / (1 + Math.exp(-1.702 * v)), 'quick_gelu');
    check(gelu, (v) => 0.5 * v * (1 + erf(v / Math.SQRT2)), 'gelu');
    check(geluTanh, (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))), 'gelu_tanh');
    check(silu, (v) => v / (1 + Math.exp(-v)), 'silu');
    x.dispose();
  });
});
