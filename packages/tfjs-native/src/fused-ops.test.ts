import { createRng, tf } from '@rectiflow/core';
import { expectNoTensorLeak } from '@rectiflow/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { disableNativeKernels, FUSED_OPS, FusedAdamOptimizer, geluTanh, hasFusedKernel, layerNormModulate, softmax } from './index';
import { enableForTests, expectMatch, stockAndNative } from './test-helpers';

const rng = createRng(21);

afterAll(() => disableNativeKernels());

describe('fused ops', () => {
  it('are native only while enabled', async () => {
    await enableForTests();
    expect(hasFusedKernel(FUSED_OPS.geluTanh)).toBe(true);
    disableNativeKernels();
    expect(hasFusedKernel(FUSED_OPS.geluTanh)).toBe(false);
  });

  it('geluTanh and its gradient match the plain expression on stock wasm', async () => {
    for (const shape of [[1], [7, 13], [2, 80, 512], [0, 3]]) {
      const x = rng.normal(shape, 0, 3);
      const w = rng.normal(shape);
      const f = () => [geluTanh(x), tf.grad((y: tf.Tensor) => tf.sum(tf.mul(geluTanh(y), w)))(x)];
      const result = await stockAndNative(f);
      expect(result.native[0].length).toBe(result.stock[0].length);
      expectMatch(result, `gelu ${shape}`);
      tf.dispose([x, w]);
    }
  });

  it('geluTanh and its gradient match float64 math over the whole range, split over 1 and 2 threads', async () => {
    const n = 1 << 17; // above the pool threshold
    const xs = Float32Array.from({ length: n }, (_, i) => -40 + (80 * i) / (n - 1));
    const c = Math.sqrt(2 / Math.PI);
    const sig = (z: number) => 1 / (1 + Math.exp(-z));
    const want = Array.from(xs, (v) => v * sig(2 * c * (v + 0.044715 * v ** 3)));
    const wantGrad = Array.from(xs, (v) => {
      const s = sig(2 * c * (v + 0.044715 * v ** 3));
      return s + v * s * (1 - s) * 2 * c * (1 + 3 * 0.044715 * v * v);
    });
    for (const threads of [1, 2]) {
      const { enableNativeKernels } = await import('./index');
      await enableNativeKernels({ threads });
      const x = tf.tensor1d(xs);
      const [y, g] = tf.tidy(() => [geluTanh(x), tf.grad((t: tf.Tensor) => tf.sum(geluTanh(t)))(x)]);
      const [yd, gd] = [await y.data(), await g.data()];
      for (let i = 0; i < n; i += 97) {
        expect(Math.abs(yd[i] - want[i])).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs(want[i])));
        expect(Math.abs(gd[i] - wantGrad[i])).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs(wantGrad[i])));
      }
      tf.dispose([x, y, g]);
    }
    disableNativeKernels();
  });

  it('silu and its gradient match float64 math; the gated residual checks its shapes and leaks nothing', async () => {
    await enableForTests();
    const n = 4099;
    const xs = Float32Array.from({ length: n }, (_, i) => -90 + (180 * i) / (n - 1));
    const silu = (t: tf.Tensor) => tf.engine().runKernel(FUSED_OPS.silu, { x: t }) as tf.Tensor;
    const x = tf.tensor1d(xs);
    const [y, g] = tf.tidy(() => [silu(x), tf.grad((t: tf.Tensor) => tf.sum(silu(t)))(x)]);
    const [yd, gd] = [y.dataSync(), g.dataSync()];
    for (let i = 0; i < n; i++) {
      const s = 1 / (1 + Math.exp(-xs[i]));
      expect(Math.abs(yd[i] - xs[i] * s)).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs(xs[i] * s)));
      expect(Math.abs(gd[i] - (s + xs[i] * s * (1 - s)))).toBeLessThanOrEqual(2e-6);
    }
    tf.dispose([x, y, g]);

    const gated = (a: tf.Tensor, gate: tf.Tensor, b: tf.Tensor) =>
      tf.engine().runKernel(FUSED_OPS.gatedResidual, { x: a, gate, y: b }) as tf.Tensor;
    const [a, b, gate] = [rng.normal([2, 3, 4]), rng.normal([2, 3, 4]), rng.normal([2, 4])];
    expect(() => gated(a, rng.normal([2, 5]), b)).toThrow(/RectiflowGatedResidual gate/);
    expect(() => gated(a, gate, rng.normal([2, 3, 5]))).toThrow(/RectiflowGatedResidual y/);
    const step = () => tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => tf.sum(tf.square(gated(p, q, r))))([a, gate, b]);
    await expectNoTensorLeak(() => tf.dispose(step()), { label: 'gated residual forward and backward' });
    tf.dispose([a, b, gate]);
  });

  it('layerNormModulate and its gradients match the plain expression on stock wasm', async () => {
    for (const [b, l, c] of [
      [1, 1, 8],
      [2, 5, 33],
      [8, 80, 128],
    ]) {
      const x = rng.normal([b, l, c], 0.5, 2);
      const shift = rng.normal([b, c]);
      const scale = rng.normal([b, c], 0, 0.3);
      const w = rng.normal([b, l, c]);
      const f = () => [
        layerNormModulate(x as tf.Tensor3D, shift as tf.Tensor2D, scale as tf.Tensor2D),
        ...tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) =>
          tf.sum(tf.mul(layerNormModulate(p as tf.Tensor3D, q as tf.Tensor2D, r as tf.Tensor2D), w)),
        )([x, shift, scale]),
      ];
      expectMatch(await stockAndNative(f), `layerNormModulate ${b}x${l}x${c}`);
      tf.dispose([x, shift, scale, w]);
    }
  });

  it('softmax and its gradient match tf.softmax on stock wasm', async () => {
    for (const shape of [[1], [5, 1], [3, 7], [32, 80, 80], [0, 4]]) {
      const x = rng.normal(shape, 0, 4);
      const w = rng.normal(shape);
      const f = () => [softmax(x), tf.grad((y: tf.Tensor) => tf.sum(tf.mul(softmax(y), w)))(x)];
      const g = () => [tf.softmax(x), tf.grad((y: tf.Tensor) => tf.sum(tf.mul(tf.softmax(y), w)))(x)];
      const result = await stockAndNative(f, g);
      expect(result.native[0].length).toBe(result.stock[0].length);
      expectMatch(result, `softmax ${shape}`);
      tf.dispose([x, w]);
    }
  });

  it('layerNormModulate rejects mismatched modulation shapes', async () => {
    await enableForTests();
    const x = tf.zeros([2, 3, 4]) as tf.Tensor3D;
    expect(() => layerNormModulate(x, tf.zeros([2, 5]) as tf.Tensor2D, tf.zeros([2, 4]) as tf.Tensor2D)).toThrow(/shift/);
    x.dispose();
  });
});

describe('FusedAdamOptimizer', () => {
  /** Parameters after `steps` steps of `make()` on a small least-squares problem. */
  function train(make: () => tf.Optimizer, steps = 10): Float32Array[] {
    const data = createRng(5);
    const a = data.normal([16, 7]);
    const target = data.normal([16, 3]);
    const w = tf.variable(data.normal([7, 3]));
    const bias = tf.variable(data.normal([3]));
    const optimizer = make();
    for (let i = 0; i < steps; i++) {
      optimizer.minimize(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(a, w), bias), target))) as tf.Scalar, false, [w, bias]);
    }
    const out = [w.dataSync() as Float32Array, bias.dataSync() as Float32Array];
    optimizer.dispose();
    tf.dispose([a, target, w, bias]);
    return out;
  }

  it('matches tf.train.adam on stock wasm, fused and unfused', async () => {
    disableNativeKernels();
    const reference = train(() => tf.train.adam(0.05));
    const plain = train(() => new FusedAdamOptimizer(0.05));
    await enableForTests();
    const fused = train(() => new FusedAdamOptimizer(0.05));
    expectMatch({ stock: reference, native: plain }, 'unfused vs tf.train.adam');
    expectMatch({ stock: reference, native: fused }, 'fused vs tf.train.adam');
  });

  it('AdamW: the fused update matches the unfused one', async () => {
    disableNativeKernels();
    const plain = train(() => new FusedAdamOptimizer(0.05, { weightDecay: 0.1 }));
    await enableForTests();
    const fused = train(() => new FusedAdamOptimizer(0.05, { weightDecay: 0.1 }));
    expectMatch({ stock: plain, native: fused }, 'AdamW');
    const noDecay = train(() => new FusedAdamOptimizer(0.05));
    expect(Math.abs(noDecay[0][0] - fused[0][0])).toBeGreaterThan(1e-4);
  });

  it('updates in place only when nothing else shares the memory: a clone keeps its values', async () => {
    await enableForTests();
    const w = tf.variable(rng.normal([6, 5])); // the initial tensor shares w's memory: the first step allocates
    const optimizer = new FusedAdamOptimizer(0.1);
    const loss = () => tf.sum(tf.square(w)) as tf.Scalar;
    optimizer.minimize(loss, false, [w]);
    const memory = w.dataId;
    optimizer.minimize(loss, false, [w]);
    expect(w.dataId).toBe(memory);
    const snapshot = tf.clone(w); // zero-copy: shares w's memory
    const saved = Array.from(snapshot.dataSync());
    optimizer.minimize(loss, false, [w]);
    expect(w.dataId).not.toBe(snapshot.dataId);
    expect(Array.from(snapshot.dataSync())).toEqual(saved);
    expect(Array.from(w.dataSync())).not.toEqual(saved);
    optimizer.dispose();
    tf.dispose([snapshot, w]);
  });

  it('leaks no tensors over steps, and saves and restores its state', async () => {
    await enableForTests();
    const w = tf.variable(rng.normal([5, 4]));
    const optimizer = new FusedAdamOptimizer(0.01, { weightDecay: 0.01 });
    const loss = () => tf.sum(tf.square(w)) as tf.Scalar;
    optimizer.minimize(loss, false, [w]);
    await expectNoTensorLeak(() => optimizer.minimize(loss, false, [w]), { iterations: 20, label: 'FusedAdam step' });
    const weights = await optimizer.getWeights();
    expect(weights.map((x) => x.name)).toEqual(['iter', `${w.name}/m`, `${w.name}/v`]);
    const copy = new FusedAdamOptimizer(0.01, { weightDecay: 0.01 });
    await copy.setWeights(weights);
    expect(copy.iterations).toBe(22); // 1 + 1 warm-up + 20 measured steps
    optimizer.dispose();
    copy.dispose();
    w.dispose();
  });
});
