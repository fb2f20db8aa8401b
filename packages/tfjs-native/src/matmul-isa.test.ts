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

  it('the product with a bias, and with the column sums of B (RectiflowMatMulBiasGrad), match stock; the same bits at 1 and 2 threads', async () => {
    // [m, k, n, transposeA, transposeB]: a weight gradient (TN, packed B), a few rows (B read in
    // place), few rows with a transposed B (dot products), no rows, and an empty k.
    const shapes: [number, number, number, boolean, boolean][] = [
      [300, 130, 603, true, false],
      [20, 70, 131, false, false],
      [9, 40, 77, false, true],
      [0, 12, 5, true, false],
      [6, 0, 7, true, false],
    ];
    const operands = shapes.map(([m, k, n, ta, tb]) => [
      rng.normal(ta ? [k, m] : [m, k]),
      rng.normal(tb ? [n, k] : [k, n]),
      rng.normal([n]),
    ]);
    const stock = readValues(() =>
      shapes.flatMap(([, , , ta, tb], i) => {
        const [a, b, bias] = operands[i];
        const c = tf.matMul(a, b, ta, tb);
        return [tf.add(c, bias), c, tf.sum(tb ? tf.transpose(b) : b, 0)];
      }),
    );
    const native = async (threads: number) => {
      await useIsa(isa, threads);
      return readValues(() =>
        shapes.flatMap(([, , , ta, tb], i) => {
          const [a, b, bias] = operands[i];
          const attrs = { transposeA: ta, transposeB: tb };
          return [
            tf.engine().runKernel(FUSED_OPS.matMul, { a, b, bias }, attrs) as tf.Tensor,
            ...(tf.engine().runKernel(FUSED_OPS.matMulBiasGrad, { a, b }, attrs) as tf.Tensor[]),
          ];
        }),
      );
    };
    const one = await native(1);
    const two = await native(2);
    await useIsa(isa, 1);
    const [a, b] = [rng.normal([2, 3, 4]), rng.normal([2, 4, 5])];
    expect(() => tf.engine().runKernel(FUSED_OPS.matMulBiasGrad, { a, b }, { transposeA: false, transposeB: false })).toThrow(
      'RectiflowMatMulBiasGrad: 2-D a and b only (got [2,3,4] and [2,4,5])',
    );
    expect(() =>
      tf
        .engine()
        .runKernel(FUSED_OPS.matMul, { a: operands[0][0], b: operands[0][1], bias: tf.ones([4]) }, { transposeA: true, transposeB: false }),
    ).toThrow('RectiflowMatMul: bias must be float32 [603] (got float32 [4])');
    disableNativeKernels();
    expectMatch({ stock, native: one }, `${isa} bias and column sums`, 2e-5);
    for (const [i, values] of two.entries()) expect(Buffer.from(values.buffer).equals(Buffer.from(one[i].buffer))).toBe(true);
    tf.dispose([...operands.flat(), a, b]);
  });

  it('the product with bias and GELU-tanh (RectiflowLinearGelu, with and without its pre-activation) matches stock, the same bits at 1 and 2 threads', async () => {
    const [x, w, b] = [rng.normal([130, 300]), rng.normal([300, 603]), rng.normal([603])];
    const stock = readValues(() => {
      const z = tf.add(tf.matMul(x, w), b);
      return [geluTanh(z), z];
    });
    const native = async (threads: number) => {
      await useIsa(isa, threads);
      return readValues(() => [
        ...(tf.engine().runKernel(FUSED_OPS.linearGelu, { x, w, b }) as tf.Tensor[]),
        // Without the pre-activation: GELU in place, the same h.
        tf.engine().runKernel(FUSED_OPS.linearGelu, { x, w, b }, { preActivation: false }) as tf.Tensor,
      ]);
    };
    const one = await native(1);
    const two = await native(2);
    disableNativeKernels();
    expectMatch({ stock, native: one.slice(0, 2) }, `${isa} linearGelu`, 2e-5);
    expect(Buffer.from(one[2].buffer).equals(Buffer.from(one[0].buffer))).toBe(true);
    for (const [i, values] of two.entries()) expect(Buffer.from(values.buffer).equals(Buffer.from(one[i].buffer))).toBe(true);
    tf.dispose([x, w, b]);
  });
});
