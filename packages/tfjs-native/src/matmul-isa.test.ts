/**
 * The native matrix product on every instruction set this CPU runs (avx512, avx2, portable), at
 * 1 and 2 threads, on shapes that reach each path of the blocked kernel: partial row tiles (read
 * in place, or packed for a transposed A), several column blocks with a partial last panel,
 * several k slices, few row tiles (B read in place), few rows with a transposed B (dot products)
 * and a batch. Results match stock wasm and
 * are bit-identical at 1 and 2 threads.
 */
import { createRng, tf } from '@rectiflow/core';
import { afterAll, describe, expect, it } from 'vitest';
import { FUSED_OPS } from './fused-op-names';
import { disableNativeKernels, geluTanh } from './index';
import { expectMatch, readValues, supportedIsas, useIsa } from './test-helpers';

const rng = createRng(41);

afterAll(() => disableNativeKernels());

const isas = await supportedIsas();
disableNativeKernels();

/** [label, batch, m, n, k]: each above the 4e6 flops from which the product uses the pool. */
const cases: Array<[string, number[], number, number, number]> = [
  ['partial tiles, 3 column blocks, 3 k slices (the last not a multiple of 8)', [], 130, 300, 603],
  ['2 row tiles (B in place)', [], 9, 300, 1000],
  ['5 rows (dot products along k when B is transposed)', [], 5, 500, 1001],
  ['batched attention', [8], 80, 80, 64],
];

describe.each(isas)('matmul on %s', (isa) => {
  for (const [label, batch, m, n, k] of cases) {
    it(`${label}: every transpose form matches stock, the same bits at 1 and 2 threads`, async () => {
      const forms = [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const;
      const operands = forms.map(([ta, tb]) => [
        rng.normal([...batch, ...(ta ? [k, m] : [m, k])]),
        rng.normal([...batch, ...(tb ? [n, k] : [k, n])]),
      ]);
      const products = () => forms.map(([ta, tb], i) => tf.matMul(operands[i][0], operands[i][1], ta, tb));
      const stock = readValues(products);
      await useIsa(isa, 1);
      const one = readValues(products);
      await useIsa(isa, 2);
      const two = readValues(products);
      disableNativeKernels();
      expectMatch({ stock, native: one }, `${isa} ${label}`, 2e-5);
      for (const [i, values] of two.entries()) expect(Buffer.from(values.buffer).equals(Buffer.from(one[i].buffer))).toBe(true);
      tf.dispose(operands.flat());
    });
  }

  it('the product with bias and GELU-tanh (RectiflowLinearGelu) matches stock, the same bits at 1 and 2 threads', async () => {
    const [x, w, b] = [rng.normal([130, 300]), rng.normal([300, 603]), rng.normal([603])];
    const stock = readValues(() => {
      const z = tf.add(tf.matMul(x, w), b);
      return [geluTanh(z), z];
    });
    const native = async (threads: number) => {
      await useIsa(isa, threads);
      return readValues(() => tf.engine().runKernel(FUSED_OPS.linearGelu, { x, w, b }) as tf.Tensor[]);
    };
    const one = await native(1);
    const two = await native(2);
    disableNativeKernels();
    expectMatch({ stock, native: one }, `${isa} linearGelu`, 2e-5);
    for (const [i, values] of two.entries()) expect(Buffer.from(values.buffer).equals(Buffer.from(one[i].buffer))).toBe(true);
    tf.dispose([x, w, b]);
  });
});
