import { createRng, tf } from '@rectiflow/core';
import { expectNoTensorLeak } from '@rectiflow/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { FUSED_OPS } from './fused-op-names';
import { disableNativeKernels, enableNativeKernels, nativeInfo, nativeKernelsEnabled } from './index';
import { enableWith } from './native-kernels';
import { expectMatch, stockAndNative } from './test-helpers';

const rng = createRng(17);

afterAll(() => disableNativeKernels());

describe('enableNativeKernels', () => {
  it('registers the native kernels and disableNativeKernels puts the stock ones back', async () => {
    // initBackend('auto') (the test setup) may have enabled them already: start from stock.
    disableNativeKernels();
    const stock = tf.getKernel('BatchMatMul', 'wasm');
    const status = await enableNativeKernels();
    expect(status.enabled).toBe(true);
    expect(status.kernels).toEqual([
      'BatchMatMul',
      '_FusedMatMul',
      'Sum',
      'Mean',
      'Max',
      'Add',
      'Sub',
      'Multiply',
      'RealDiv',
      'Transpose',
      'Slice',
      'SplitV',
      'Concat',
      'Identity',
      'Cast',
    ]);
    expect(status.message).toMatch(/^tfjs-native: 15 native wasm kernels \+ \d+ fused ops \((avx512|avx2|portable), \d+ threads?\)$/);
    expect(status.message).toContain(`+ ${Object.keys(FUSED_OPS).length} fused ops`);
    expect(nativeKernelsEnabled()).toBe(true);
    expect(tf.getKernel('BatchMatMul', 'wasm')).not.toBe(stock);
    disableNativeKernels();
    expect(nativeKernelsEnabled()).toBe(false);
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(stock);
  });

  it('leaves excluded kernels on stock wasm', async () => {
    const stock = tf.getKernel('Identity', 'wasm');
    const status = await enableNativeKernels({ exclude: ['Identity'] });
    expect(status.kernels).not.toContain('Identity');
    expect(tf.getKernel('Identity', 'wasm')).toBe(stock);
    disableNativeKernels();
  });

  it('says in one line why it cannot load, and leaves stock kernels working', () => {
    disableNativeKernels();
    const stock = tf.getKernel('BatchMatMul', 'wasm');
    const status = enableWith(() => {
      throw new Error('No native build was found for platform=linux arch=x64 runtime=node abi=115\n  loaded from: /x');
    });
    expect(status.enabled).toBe(false);
    expect(status.message).toBe(
      'tfjs-native: not enabled (no native binary: No native build was found for platform=linux arch=x64 runtime=node abi=115)',
    );
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(stock);
    const y = tf.matMul(tf.ones([2, 3]), tf.ones([3, 2]));
    expect(Array.from(y.dataSync())).toEqual([3, 3, 3, 3]);
  });

  it('RECTIFLOW_NATIVE=0 turns it off, saying so', async () => {
    disableNativeKernels();
    process.env.RECTIFLOW_NATIVE = '0';
    try {
      const status = await enableNativeKernels();
      expect(status).toMatchObject({ enabled: false, message: 'tfjs-native: not enabled (RECTIFLOW_NATIVE=0)' });
      expect(nativeKernelsEnabled()).toBe(false);
    } finally {
      delete process.env.RECTIFLOW_NATIVE;
    }
  });

  it('refuses an instruction set this CPU lacks, naming the ones it has', async () => {
    const info = (await enableNativeKernels()).info!;
    disableNativeKernels();
    const missing = (['avx512', 'avx2'] as const).find((isa) => !info.supportedIsas.includes(isa));
    if (missing) {
      const status = await enableNativeKernels({ isa: missing });
      expect(status.enabled).toBe(false);
      expect(status.message).toMatch(/cannot run the/);
    } else {
      expect(info.supportedIsas).toEqual(['avx512', 'avx2', 'portable']);
    }
  });
});

describe.each(['avx512', 'avx2', 'portable'] as const)('the %s kernels', (isa) => {
  it('match stock for matmul, fused matmul and reductions (1 and 2 threads)', async () => {
    const probe = await enableNativeKernels();
    if (!probe.info!.supportedIsas.includes(isa)) return;
    const a = rng.normal([3, 37, 70]);
    const b = rng.normal([3, 70, 45]);
    const bias = rng.normal([45]);
    const x = rng.normal([6, 35, 17]);
    for (const threads of [1, 2]) {
      const compute = () => [
        tf.matMul(a, b),
        tf.matMul(b, a, true, true),
        tf.relu(tf.add(tf.matMul(a, b), bias)),
        tf.sum(x, [0, 2]),
        tf.max(x, 1),
        tf.mean(x, -1),
      ];
      const fused = () => [
        tf.matMul(a, b),
        tf.matMul(b, a, true, true),
        tf.fused.matMul({ a: a as tf.Tensor3D, b: b as tf.Tensor3D, bias, activation: 'relu' }),
        tf.sum(x, [0, 2]),
        tf.max(x, 1),
        tf.mean(x, -1),
      ];
      disableNativeKernels();
      const stock = tf.tidy(() => compute().map((t) => t.dataSync() as Float32Array));
      const status = await enableNativeKernels({ isa, threads });
      expect(status.info).toMatchObject({ isa, threads });
      const native = tf.tidy(() => fused().map((t) => t.dataSync() as Float32Array));
      expectMatch({ stock, native }, `${isa} ${threads} threads`);
    }
    tf.dispose([a, b, bias, x]);
    await enableNativeKernels({ isa: probe.info!.isa as 'avx512', threads: probe.info!.threads });
  });
});

describe('memory', () => {
  it('1000 calls of every kernel leak no tensors and no native memory', async () => {
    await enableNativeKernels();
    const a = rng.normal([2, 9, 33]);
    const b = rng.normal([2, 33, 20]);
    const bias = rng.normal([20]);
    const x = rng.normal([4, 5, 6]);
    const once = () =>
      tf.tidy(() => {
        tf.matMul(a, b, false, false);
        tf.matMul(b, a, true, true);
        tf.fused.matMul({ a: a as tf.Tensor3D, b: b as tf.Tensor3D, bias, activation: 'relu' });
        tf.sum(x, [0, 2]);
        tf.mean(x, 1);
        tf.max(x, [0, 2]);
        tf.transpose(x, [2, 0, 1]);
        tf.clone(x);
        tf.cast(x, 'float32');
        tf.grads((p: tf.Tensor, g: tf.Tensor) =>
          tf.sum(tf.engine().runKernel(FUSED_OPS.rmsNorm, { x: p, gain: g }, { eps: 1e-6 }) as tf.Tensor),
        )([x, bias.slice(0, 6)]);
        tf.concat(tf.split(x, [2, 3], 1), 1);
        tf.slice(x, [1, 0, 2], [2, 5, 3]);
        tf.div(tf.sub(tf.mul(x, 2), tf.add(x, tf.ones([6]))), 3);
        tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.matMul(p, q)))([a, b]);
      });
    await expectNoTensorLeak(
      () => {
        for (let i = 0; i < 1000; i++) once();
      },
      { iterations: 1, label: '1000 native kernel calls' },
    );
    expect(nativeInfo()!.scratchBytes).toBe(0);
    tf.dispose([a, b, bias, x]);
  });

  it('stock and native agree on a chained computation', async () => {
    const a = rng.normal([4, 16, 24]);
    const w = rng.normal([24, 8]);
    const f = () =>
      tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.mean(tf.sum(tf.transpose(tf.matMul(p, tf.broadcastTo(q, [4, 24, 8])), [0, 2, 1]), 1)))([
        a,
        w,
      ]);
    expectMatch(await stockAndNative(f), 'chained');
    tf.dispose([a, w]);
  });
});
