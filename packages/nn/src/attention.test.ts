import { createRng, tf } from '@rectiflow/core';
import { expectClose } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { attendHeads, causalMask, multiHeadAttention, NEGATIVE_LARGE, scaledDotProductAttention } from './attention';
import { FUSED_KERNELS } from './fused-kernels';

/** Heads of `[B, L, H*d]` as `[B, H, L, d]`. */
const heads = (t: tf.Tensor, b: number, h: number) => tf.transpose(tf.reshape(t, [b, t.shape[1] as number, h, -1]), [0, 2, 1, 3]);

describe('attention', () => {
  const rng = createRng(4);

  it('scaledDotProductAttention equals a straightforward batched softmax(q k^T / sqrt(d)) v', () => {
    const [q, k, v] = [rng.normal([2, 5, 12]), rng.normal([2, 7, 12]), rng.normal([2, 7, 12])] as tf.Tensor3D[];
    const before = tf.memory().numTensors;
    const got = scaledDotProductAttention(q, k, v, 3);
    expect(tf.memory().numTensors).toBe(before + 1);
    const want = tf.tidy(() => {
      const p = tf.softmax(tf.div(tf.matMul(heads(q, 2, 3), heads(k, 2, 3), false, true), 2));
      return tf.reshape(tf.transpose(tf.matMul(p, heads(v, 2, 3)), [0, 2, 1, 3]), [2, 5, 12]);
    });
    expectClose(got, want, { atol: 1e-5 });
    expect(() => scaledDotProductAttention(q, k, v, 5)).toThrow(/attention width: got 12; expected a multiple of the head count 5/);
    tf.dispose([q, k, v, got, want]);
  });

  it('multiHeadAttention on 2-D projections applies its scale and an additive (causal) bias', () => {
    const [b, l, h, dim] = [2, 4, 2, 6];
    const [q, k, v] = [rng.normal([b * l, dim]), rng.normal([b * l, dim]), rng.normal([b * l, dim])] as tf.Tensor2D[];
    const mask = causalMask(l);
    const got = multiHeadAttention(q, k, v, b, l, h, { scale: 0.5, bias: mask });
    const want = tf.tidy(() => {
      const as3 = (t: tf.Tensor) => tf.reshape(t, [b, l, dim]);
      const scores = tf.add(tf.mul(tf.matMul(heads(as3(q), b, h), heads(as3(k), b, h), false, true), 0.5), mask);
      return tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), heads(as3(v), b, h)), [0, 2, 1, 3]), [b * l, dim]);
    });
    expectClose(got, want, { atol: 1e-5 });
    // The first position attends only to itself: its output is its own value row.
    expectClose(tf.slice(got, [0, 0], [1, dim]), tf.slice(v, [0, 0], [1, dim]), { atol: 1e-6 });
    expect(mask.arraySync()[0]).toEqual([0, NEGATIVE_LARGE, NEGATIVE_LARGE, NEGATIVE_LARGE]);
    expect(() => multiHeadAttention(q, k, v, b, l + 1, h, { scale: 1 })).toThrow(/attention q rows: got 8; expected batch \* length = 10/);
    tf.dispose([q, k, v, mask, got, want]);
  });

  it('attendHeads: the fused kernel pair (when registered) matches the plain ops, values and gradients', () => {
    const [q, k, v] = [rng.normal([6, 37, 16]), rng.normal([6, 41, 16]), rng.normal([6, 41, 16])] as tf.Tensor3D[];
    const w = rng.normal([6, 37, 16]);
    const run = () =>
      tf.tidy(() => {
        const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
          tf.sum(tf.mul(attendHeads(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D), w));
        return [attendHeads(q, k, v), ...tf.grads(loss)([q, k, v])].map((t) => t.dataSync() as Float32Array);
      });
    const before = tf.memory().numTensors;
    const fused = run();
    expect(tf.memory().numTensors).toBe(before);
    const kernels = [FUSED_KERNELS.attention, FUSED_KERNELS.attentionGrad].map((name) => tf.getKernel(name, tf.getBackend()));
    for (const kernel of kernels) if (kernel) tf.unregisterKernel(kernel.kernelName, kernel.backendName);
    try {
      const plain = run();
      for (const [i, values] of fused.entries())
        expectClose(values, plain[i], { atol: 1e-5, rtol: 1e-4, label: ['o', 'dq', 'dk', 'dv'][i] });
    } finally {
      for (const kernel of kernels) if (kernel) tf.registerKernel(kernel);
    }
    tf.dispose([q, k, v, w]);
  });
});
