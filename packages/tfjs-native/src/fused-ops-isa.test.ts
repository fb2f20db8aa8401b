/**
 * The vectorised fused kernels (GELU, SiLU, the gated residual, softmax, LayerNorm + modulation,
 * RMSNorm, Adam) on every
 * instruction set this CPU runs (avx512, avx2, portable), at 1 and 2 threads: against stock wasm, against finite differences of their own forward,
 * against float64 Adam, and with NaN and extreme inputs.
 */
import { createRng, tf } from '@rectiflow/core';
import { afterAll, describe, expect, it } from 'vitest';
import { FUSED_OPS } from './fused-op-names';
import { disableNativeKernels, FusedAdamOptimizer, geluTanh, layerNormModulate, softmax } from './index';
import { expectMatch, readValues, supportedIsas, useIsa } from './test-helpers';

const rng = createRng(33);

afterAll(() => disableNativeKernels());

/** RMSNorm with a gain: the fused kernel, and the plain tfjs expression (as `@rectiflow/nn`'s). */
const rmsNormNative = (x: tf.Tensor, gain: tf.Tensor) => tf.engine().runKernel(FUSED_OPS.rmsNorm, { x, gain }, { eps: 1e-6 }) as tf.Tensor;
const rmsNormStock = (x: tf.Tensor, gain: tf.Tensor) => tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.mul(x, x), -1, true), 1e-6))), gain);
/** SiLU and the gated residual `x + gate * y` (gate [B, C] over the tokens), fused and plain. */
const siluNative = (x: tf.Tensor) => tf.engine().runKernel(FUSED_OPS.silu, { x }) as tf.Tensor;
const siluStock = (x: tf.Tensor) => tf.mul(x, tf.sigmoid(x));
const gatedNative = (x: tf.Tensor, gate: tf.Tensor, y: tf.Tensor) =>
  tf.engine().runKernel(FUSED_OPS.gatedResidual, { x, gate, y }) as tf.Tensor;
const gatedStock = (x: tf.Tensor, gate: tf.Tensor, y: tf.Tensor) => tf.add(x, tf.mul(tf.expandDims(gate, 1), y));

const isas = await supportedIsas();
disableNativeKernels();

describe.each(isas)('fused kernels on %s', (isa) => {
  it.each([1, 2])('match stock wasm at %i thread(s), above the pool threshold and with vector tails', async (threads) => {
    // 4 x 131 x 133 = 69,692 elements: above the 65,536 from which the work is split, and
    // rows of 133 leave a tail after every vector width (4, 8, 16).
    const x = rng.normal([4, 131, 133], 0.3, 2.5);
    const w = rng.normal([4, 131, 133]);
    const shift = rng.normal([4, 133]);
    const scale = rng.normal([4, 133], 0, 0.3);
    const gain = rng.normal([133]);
    type Ops = [typeof geluTanh, (t: tf.Tensor) => tf.Tensor, typeof rmsNormNative, typeof siluNative, typeof gatedNative];
    const ops =
      (...[gelu, sm, rms, silu, gated]: Ops) =>
      () => [
        silu(x),
        tf.grad((y: tf.Tensor) => tf.sum(tf.mul(silu(y), w)))(x),
        gated(x, shift, w),
        ...tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => tf.sum(tf.mul(gated(p, q, r), x)))([w, shift, x]),
        rms(x, gain),
        ...tf.grads((p: tf.Tensor, g: tf.Tensor) => tf.sum(tf.mul(rms(p, g), w)))([x, gain]),
        gelu(x),
        tf.grad((y: tf.Tensor) => tf.sum(tf.mul(gelu(y), w)))(x),
        sm(x),
        tf.grad((y: tf.Tensor) => tf.sum(tf.mul(sm(y), w)))(x),
        layerNormModulate(x as tf.Tensor3D, shift as tf.Tensor2D, scale as tf.Tensor2D),
        ...tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) =>
          tf.sum(tf.mul(layerNormModulate(p as tf.Tensor3D, q as tf.Tensor2D, r as tf.Tensor2D), w)),
        )([x, shift, scale]),
      ];
    disableNativeKernels();
    const stock = readValues(ops(geluTanh, tf.softmax, rmsNormStock, siluStock, gatedStock));
    await useIsa(isa, threads);
    const native = readValues(ops(geluTanh, softmax, rmsNormNative, siluNative, gatedNative));
    expectMatch({ stock, native }, `${isa} ${threads}t`, 2e-5);
    tf.dispose([x, w, shift, scale, gain]);
  });

  it('gradients agree with central finite differences of the native forward', async () => {
    await useIsa(isa, 1);
    const cases: [string, number[], (x: tf.Tensor) => tf.Tensor][] = [
      ['gelu', [3, 37], (t) => geluTanh(t)],
      ['silu', [3, 37], (t) => siluNative(t)],
      ['gated residual, x', [2, 3, 37], (t) => gatedNative(t, tf.linspace(-1, 1, 74).reshape([2, 37]), tf.fill([2, 3, 37], 0.7))],
      ['gated residual, gate', [2, 37], (t) => gatedNative(tf.fill([2, 3, 37], 0.3), t, tf.linspace(-2, 2, 222).reshape([2, 3, 37]))],
      ['gated residual, y', [2, 3, 37], (t) => gatedNative(tf.fill([2, 3, 37], 0.3), tf.linspace(-1, 1, 74).reshape([2, 37]), t)],
      ['softmax', [3, 37], (t) => softmax(t)],
      ['rmsNorm', [3, 37], (t) => rmsNormNative(t, tf.linspace(0.5, 1.5, 37))],
      [
        'layerNormModulate',
        [2, 3, 37],
        (t) => layerNormModulate(t as tf.Tensor3D, tf.fill([2, 37], 0.2) as tf.Tensor2D, tf.fill([2, 37], 0.5) as tf.Tensor2D),
      ],
    ];
    for (const [name, shape, op] of cases) {
      const base = rng.normal(shape, 0, 1.5).dataSync() as Float32Array;
      const outShape = tf.tidy(() => op(tf.zeros(shape)).shape);
      const w = rng.normal(outShape);
      const f = (v: Float32Array) => tf.tidy(() => tf.sum(tf.mul(op(tf.tensor(v, shape)), w)).dataSync()[0]);
      const [grad] = readValues(() => [tf.grad((t: tf.Tensor) => tf.sum(tf.mul(op(t), w)))(tf.tensor(base, shape))]);
      const h = 1e-2;
      let worst = 0;
      for (let i = 0; i < base.length; i += 7) {
        const up = Float32Array.from(base);
        const down = Float32Array.from(base);
        up[i] += h;
        down[i] -= h;
        const numeric = (f(up) - f(down)) / (2 * h);
        worst = Math.max(worst, Math.abs(numeric - grad[i]) / Math.max(1, Math.abs(grad[i])));
      }
      expect(worst, `${isa} ${name}`).toBeLessThan(2e-3);
      w.dispose();
    }
  });

  it.each([1, 2])('Adam matches the float64 update at %i thread(s)', async (threads) => {
    await useIsa(isa, threads);
    const n = 70_001; // above the pool threshold, with a tail
    const p0 = rng.normal([n]).dataSync() as Float32Array;
    const g = rng.normal([n], 0, 0.1).dataSync() as Float32Array;
    const p = tf.variable(tf.tensor1d(p0));
    const coeff = tf.tensor1d(g);
    const [lr, beta1, beta2, eps, wd] = [0.01, 0.9, 0.999, 1e-8, 0.05];
    const optimizer = new FusedAdamOptimizer(lr, { beta1, beta2, epsilon: eps, weightDecay: wd });
    // loss = sum(coeff * p): the gradient is coeff, the same at both steps.
    for (let step = 0; step < 2; step++) optimizer.minimize(() => tf.sum(tf.mul(coeff, p)) as tf.Scalar, false, [p]);
    const got = p.dataSync();
    let worst = 0;
    for (let i = 0; i < n; i++) {
      let [pi, m, v] = [p0[i], 0, 0];
      for (let t = 1; t <= 2; t++) {
        m = beta1 * m + (1 - beta1) * g[i];
        v = beta2 * v + (1 - beta2) * g[i] * g[i];
        pi = pi * (1 - lr * wd) - (lr * (m / (1 - beta1 ** t))) / (Math.sqrt(v / (1 - beta2 ** t)) + eps);
      }
      worst = Math.max(worst, Math.abs(got[i] - pi) / Math.max(1, Math.abs(pi)));
    }
    expect(worst).toBeLessThan(1e-6);
    optimizer.dispose();
    tf.dispose([p, coeff]);
  });

  it('keep NaN, and give exact limits at extreme inputs', async () => {
    await useIsa(isa, 1);
    const [gelu, silu, gated, sm, ln, rms] = readValues(() => [
      geluTanh(tf.tensor1d([Number.NaN, -200, -90, 90, 200, 0])),
      siluNative(tf.tensor1d([Number.NaN, -200, -90, 90, 200, 0, Number.POSITIVE_INFINITY])),
      gatedNative(tf.tensor3d([[[1, Number.NaN]]]), tf.tensor2d([[Number.NaN, 0]]), tf.tensor3d([[[2, 3]]])),
      softmax(
        tf.tensor2d([
          [0, -80, -87.5, -200, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
          Array(18)
            .fill(0)
            .map((_, j) => (j === 5 ? Number.NaN : j)),
        ]),
      ),
      layerNormModulate(
        tf.tensor3d([
          [
            [1, 2, Number.NaN, 4],
            [1, 2, 3, 4],
          ],
        ]),
        tf.zeros([1, 4]) as tf.Tensor2D,
        tf.zeros([1, 4]) as tf.Tensor2D,
      ),
      rmsNormNative(
        tf.tensor2d([
          [1, Number.NaN, 3, 4],
          [0, 0, 0, 0],
          [3e19, -4e19, 0, 0],
        ]),
        tf.ones([4]),
      ),
    ]);
    expect(Number.isNaN(gelu[0])).toBe(true);
    expect(Array.from(gelu.slice(1))).toEqual([-0, -0, 90, 200, 0].map((v) => expect.closeTo(v, 5)));
    expect(Number.isNaN(silu[0])).toBe(true);
    expect(Array.from(silu.slice(1))).toEqual([-0, -0, 90, 200, 0, Number.POSITIVE_INFINITY].map((v) => expect.closeTo(v, 5)));
    expect(Array.from(gated).every(Number.isNaN)).toBe(true);
    const row0 = Array.from(sm.slice(0, 18));
    const wantRow = [0, -80, -87.5, -200, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13].map((v) => Math.exp(v - 13));
    const total = wantRow.reduce((a, b) => a + b, 0);
    for (const [j, v] of row0.entries()) expect(Math.abs(v - wantRow[j] / total)).toBeLessThan(1e-7);
    expect(Array.from(sm.slice(18)).every(Number.isNaN)).toBe(true);
    expect(Array.from(ln.slice(0, 4)).every(Number.isNaN)).toBe(true);
    expect(Array.from(ln.slice(4)).every(Number.isFinite)).toBe(true);
    expect(Array.from(rms.slice(0, 4)).every(Number.isNaN)).toBe(true);
    // An all-zero row stays zero (eps keeps the scale finite); squares that overflow float32 give 0, not NaN.
    expect(Array.from(rms.slice(4, 8))).toEqual([0, 0, 0, 0]);
    expect(Array.from(rms.slice(8)).every(Number.isFinite)).toBe(true);
  });
});
