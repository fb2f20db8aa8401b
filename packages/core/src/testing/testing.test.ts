import { describe, expect, it } from 'vitest';
import { tf } from '../tf';
import { expectClose, expectNoTensorLeak } from './index';

describe('testing helpers', () => {
  it('expectClose passes within tolerance and reports the worst entry otherwise', () => {
    const a = tf.tensor([1, 2, 3]);
    expect(expectClose(a, [1, 2, 3.00001], { atol: 1e-4 }).maxAbsError).toBeCloseTo(1e-5, 6);
    expect(() => expectClose(a, [1, 2.5, 3], { atol: 1e-4, rtol: 0, label: 'out' })).toThrow(
      /out: 1 of 3 entries outside atol=0.0001, rtol=0; max abs error 5.000e-1; worst at flat index 1: got 2, expected 2.5/,
    );
    expect(() => expectClose(a, tf.tensor([[1, 2, 3]]))).toThrow(/shape \[3\] differs from expected \[1,3\]/);
    expect(() => expectClose([Number.NaN], [1])).toThrow(/outside/);
    expect(() => expectClose([Number.NaN], [Number.NaN])).not.toThrow();
    a.dispose();
  });

  it('expectNoTensorLeak catches a leak and passes a clean function', async () => {
    await expectNoTensorLeak(() => tf.tidy(() => tf.ones([2]).add(1).sum()).dispose(), { iterations: 3 });
    const leaked: tf.Tensor[] = [];
    await expect(expectNoTensorLeak(() => leaked.push(tf.ones([2])), { iterations: 3, label: 'leaky' })).rejects.toThrow(
      /tensor leak in leaky: numTensors went from \d+ to \d+ over 3 calls/,
    );
    tf.dispose(leaked);
  });
});
