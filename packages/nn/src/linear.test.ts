import { createRng, tf } from '@rectiflow/core';
import { expectClose } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { FUSED_KERNELS } from './fused-kernels';
import { linear, linearGelu } from './linear';

describe('linear', () => {
  it('computes x W + b with the same gradients as the stock ops', () => {
    tf.tidy(() => {
      const rng = createRng(1);
      const x = rng.normal([5, 3]) as tf.Tensor2D;
      const w = rng.normal([3, 4]) as tf.Tensor2D;
      const b = rng.normal([4]) as tf.Tensor1D;
      const target = rng.normal([5, 4]);
      const loss = (f: (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor) => (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.mul(tf.sin(f(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D)), target));
      const stock = (xx: tf.Tensor2D, ww: tf.Tensor2D, bb: tf.Tensor1D) => tf.add(tf.matMul(xx, ww), bb);
      expectClose(linear(x, w, b), stock(x, w, b), { atol: 1e-6, rtol: 1e-6 });
      const ours = tf.grads(loss((xx, ww, bb) => linear(xx, ww, bb)))([x, w, b]);
      const theirs = tf.grads(loss(stock))([x, w, b]);
      ours.forEach((g, i) => {
        expectClose(g, theirs[i], { atol: 1e-5, rtol: 1e-5, label: ['dx', 'dW', 'db'][i] });
      });
    });
  });
});

describe('linear on any rank', () => {
  it('applies to the last axis of a rank-3 input and without a bias', () => {
    tf.tidy(() => {
      const rng = createRng(2);
      const x = rng.normal([2, 3, 4]);
      const w = rng.normal([4, 5]) as tf.Tensor2D;
      const y = linear(x, w);
      expect(y.shape).toEqual([2, 3, 5]);
      expectClose(y, tf.reshape(tf.matMul(tf.reshape(x, [6, 4]), w), [2, 3, 5]), { atol: 1e-6, rtol: 1e-6 });
    });
  });
});

describe('linearGelu', () => {
  it('equals geluTanh(linear(...)), values and gradients, fused (when registered) and not, on a rank-3 input', () => {
    const rng = createRng(3);
    const x = rng.normal([2, 7, 6]);
    const w = rng.normal([6, 9]) as tf.Tensor2D;
    const b = rng.normal([9]) as tf.Tensor1D;
    const target = rng.normal([2, 7, 9]);
    const run = (f: (x: tf.Tensor, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor) =>
      tf.tidy(() => {
        const loss = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(f(xx, ww as tf.Tensor2D, bb as tf.Tensor1D), target));
        return [f(x, w, b), ...tf.grads(loss)([x, w, b])].map((t) => t.dataSync() as Float32Array);
      });
    // The reference: GELU-tanh written out.
    const gelu = (z: tf.Tensor) => tf.mul(z, tf.sigmoid(tf.mul(tf.add(z, tf.mul(tf.pow(z, 3), 0.044715)), 2 * Math.sqrt(2 / Math.PI))));
    const want = run((xx, ww, bb) => gelu(linear(xx, ww, bb)));
    const before = tf.memory().numTensors;
    const got = run(linearGelu);
    expect(tf.memory().numTensors).toBe(before);
    const fused = tf.getKernel(FUSED_KERNELS.linearGelu, tf.getBackend());
    if (fused) tf.unregisterKernel(fused.kernelName, fused.backendName);
    try {
      const unfused = run(linearGelu);
      for (const [i, values] of want.entries()) {
        const label = ['h', 'dx', 'dW', 'db'][i];
        expectClose(got[i], values, { atol: 1e-5, rtol: 1e-5, label: `fused ${label}` });
        expectClose(unfused[i], values, { atol: 1e-5, rtol: 1e-5, label: `unfused ${label}` });
      }
    } finally {
      if (fused) tf.registerKernel(fused);
    }
    tf.dispose([x, w, b, target]);
  });
});
