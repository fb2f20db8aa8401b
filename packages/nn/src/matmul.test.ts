import { createRng, tf } from '@rectiflow/core';
import { expectClose } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { FUSED_KERNELS } from './fused-kernels';
import { batchMatMul, batchMatMulTransposedB, matMul2d } from './matmul';

const rng = createRng(4);

/** Values and gradients of `sum(sin(f(a, b)) * w)` with ours and with plain tf.matMul. */
function check(
  ours: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  stock: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  a: tf.Tensor,
  b: tf.Tensor,
) {
  tf.tidy(() => {
    const out = stock(a, b);
    const w = rng.normal(out.shape);
    const loss = (f: typeof ours) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.sin(f(x, y)), w));
    expectClose(ours(a, b), out, { atol: 1e-5, rtol: 1e-5, label: 'value' });
    const got = tf.grads(loss(ours))([a, b]);
    const want = tf.grads(loss(stock))([a, b]);
    for (const [i, g] of got.entries()) expectClose(g, want[i], { atol: 1e-5, rtol: 1e-5, label: ['da', 'db'][i] });
  });
}

function checkAll() {
  const a2 = rng.normal([7, 5]);
  const b2 = rng.normal([5, 9]);
  check(
    (x, y) => matMul2d(x as tf.Tensor2D, y as tf.Tensor2D),
    (x, y) => tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D),
    a2,
    b2,
  );
  const a3 = rng.normal([3, 6, 8]);
  const b3 = rng.normal([3, 8, 4]);
  check(
    (x, y) => batchMatMul(x as tf.Tensor3D, y as tf.Tensor3D),
    (x, y) => tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D),
    a3,
    b3,
  );
  const k = rng.normal([3, 10, 8]);
  check(
    (x, y) => batchMatMulTransposedB(x as tf.Tensor3D, y as tf.Tensor3D),
    (x, y) => tf.matMul(x as tf.Tensor3D, tf.transpose(y, [0, 2, 1]) as tf.Tensor3D),
    a3,
    k,
  );
  tf.dispose([a2, b2, a3, b3, k]);
}

describe('matmuls with fast gradients', () => {
  it('match tf.matMul and its gradients, on the registered kernels', () => {
    const before = tf.memory().numTensors;
    checkAll();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('match them with explicit transposes when no native matmul kernel is registered', () => {
    const native = tf.getKernel(FUSED_KERNELS.matMul, tf.getBackend());
    if (native) tf.unregisterKernel(FUSED_KERNELS.matMul, tf.getBackend());
    try {
      checkAll();
    } finally {
      if (native) tf.registerKernel(native);
    }
  });
});
