import { tf } from '@rectiflow/core';
import { expectClose } from '@rectiflow/core/testing';
import { describe, it } from 'vitest';
import { layerNorm } from './layer-norm';
import { rmsNorm } from './rms-norm';

describe('norms over the last axis', () => {
  const rows = [
    [1, 2, 3, 6],
    [-2, 0, 0.5, 4],
  ];
  const x = () => tf.tensor2d(rows);

  it('layerNorm: (x - mean) / sqrt(var + eps), then gain and bias', () => {
    const eps = 1e-5;
    const want = rows.map((r) => {
      const mean = r.reduce((a, b) => a + b) / r.length;
      const v = r.reduce((a, b) => a + (b - mean) ** 2, 0) / r.length;
      return r.map((e) => (e - mean) / Math.sqrt(v + eps));
    });
    tf.tidy(() => {
      expectClose(layerNorm(x(), eps), want.flat(), { atol: 1e-6 });
      const gain = tf.tensor1d([1, 2, 3, 4]);
      const bias = tf.tensor1d([0, -1, 1, 0.5]);
      expectClose(
        layerNorm(x(), eps, gain, bias),
        want.flatMap((r) => r.map((e, i) => e * [1, 2, 3, 4][i] + [0, -1, 1, 0.5][i])),
        {
          atol: 1e-5,
        },
      );
    });
  });

  it('rmsNorm: x / sqrt(mean(x^2) + eps), times gain', () => {
    const want = rows.map((r) => r.map((e) => e / Math.sqrt(r.reduce((a, b) => a + b * b, 0) / r.length + 1e-6)));
    tf.tidy(() => {
      expectClose(rmsNorm(x()), want.flat(), { atol: 1e-6 });
      expectClose(
        rmsNorm(x(), tf.tensor1d([2, 2, 2, 2])),
        want.flat().map((e) => 2 * e),
        { atol: 1e-5 },
      );
    });
  });
});
