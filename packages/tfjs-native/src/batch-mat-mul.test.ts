import { createRng, tf } from '@rectiflow/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disableNativeKernels } from './index';
import { enableForTests, expectMatch, stockAndNative } from './test-helpers';

const rng = createRng(9);

beforeAll(enableForTests);
afterAll(() => disableNativeKernels());

function operands(aShape: number[], bShape: number[]): [tf.Tensor, tf.Tensor] {
  return [rng.normal(aShape), rng.normal(bShape)];
}

/** Shapes of a and b for op(a) [.., m, k] and op(b) [.., k, n]. */
function shapes(aBatch: number[], bBatch: number[], m: number, n: number, k: number, ta: boolean, tb: boolean) {
  return [
    [...aBatch, ...(ta ? [k, m] : [m, k])],
    [...bBatch, ...(tb ? [n, k] : [k, n])],
  ];
}

describe('BatchMatMul', () => {
  const cases: Array<[string, number[], number[], number, number, number]> = [
    ['1x1x1', [], [], 1, 1, 1],
    ['odd 2-D', [], [], 7, 33, 300],
    ['tall', [], [], 130, 17, 65],
    ['k > block', [], [], 19, 41, 600],
    ['batched', [3], [3], 20, 18, 37],
    ['batch 1', [1], [1], 9, 10, 11],
    ['broadcast a', [1], [4], 6, 5, 7],
    ['broadcast b', [4], [1], 6, 5, 7],
    ['rank 3 x rank 2', [2], [], 5, 6, 4],
    ['attention', [8], [8], 80, 80, 64],
  ];
  for (const [label, aBatch, bBatch, m, n, k] of cases) {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      it(`${label}, transposeA=${ta}, transposeB=${tb}`, async () => {
        const [aShape, bShape] = shapes(aBatch, bBatch, m, n, k, ta, tb);
        const [a, b] = operands(aShape, bShape);
        expectMatch(await stockAndNative(() => tf.matMul(a, b, ta, tb)), label);
        tf.dispose([a, b]);
      });
    }
  }

  // Stock wasm only broadcasts a batch of 1; for [2, 1] x [1, 3] it returns a wrong shape,
  // so the reference broadcasts explicitly.
  it('rank-4 two-sided broadcast matches the explicitly broadcast product', async () => {
    for (const [ta, tb] of [
      [false, false],
      [true, true],
    ] as const) {
      const [aShape, bShape] = shapes([2, 1], [1, 3], 5, 6, 4, ta, tb);
      const [a, b] = operands(aShape, bShape);
      const reference = () =>
        tf.matMul(tf.broadcastTo(a, [2, 3, ...aShape.slice(2)]), tf.broadcastTo(b, [2, 3, ...bShape.slice(2)]), ta, tb);
      expectMatch(await stockAndNative(() => tf.matMul(a, b, ta, tb), reference), 'rank 4 broadcast');
      tf.dispose([a, b]);
    }
  });

  it('handles empty dimensions like stock', async () => {
    for (const [aShape, bShape] of [
      [
        [0, 4],
        [4, 3],
      ],
      [
        [0, 2, 3],
        [0, 3, 4],
      ],
    ]) {
      const [a, b] = operands(aShape, bShape);
      const result = await stockAndNative(() => tf.matMul(a, b));
      expect(result.native[0].length).toBe(result.stock[0].length);
      expectMatch(result, `empty ${aShape}`);
      tf.dispose([a, b]);
    }
  });

  it('k = 0 gives zeros (stock wasm returns uninitialised memory)', async () => {
    const [a, b] = operands([3, 0], [0, 5]);
    await enableForTests();
    expect(Array.from(tf.matMul(a, b).dataSync())).toEqual(new Array(15).fill(0));
    tf.dispose([a, b]);
  });

  it('gradients of every form match stock', async () => {
    for (const [aBatch, bBatch] of [
      [[], []],
      [[3], [3]],
      [
        [2, 3],
        [2, 3],
      ],
    ]) {
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        const [aShape, bShape] = shapes(aBatch, bBatch, 5, 7, 9, ta, tb);
        const [a, b] = operands(aShape, bShape);
        const w = rng.normal([...tf.backend_util.assertAndGetBroadcastShape(aBatch, bBatch), 5, 7]);
        const grads = () => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, ta, tb), w)))([a, b]);
        expectMatch(await stockAndNative(grads), `grad ${aBatch}/${bBatch} ${ta} ${tb}`);
        tf.dispose([a, b, w]);
      }
    }
  });

  it('fails on mismatched inner dimensions with the stock message', async () => {
    const [a, b] = operands([2, 3, 4], [2, 5, 6]);
    await enableForTests();
    const native = (() => {
      try {
        tf.matMul(a, b);
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(native).toMatch(/inner shapes \(4\) and \(5\)/);
    tf.dispose([a, b]);
  });
});

/** The unfused expression: the reference, since stock wasm's _FusedMatMul is wrong for batch > 1. */
function unfused(y: tf.Tensor, activation: string, alpha: tf.Tensor): tf.Tensor {
  switch (activation) {
    case 'relu':
      return tf.relu(y);
    case 'relu6':
      return tf.relu6(y);
    case 'sigmoid':
      return tf.sigmoid(y);
    case 'leakyrelu':
      return tf.leakyRelu(y, 0.15);
    case 'elu':
      return tf.elu(y);
    case 'prelu':
      return tf.prelu(y, alpha);
    default:
      return y;
  }
}

describe('_FusedMatMul', () => {
  for (const activation of ['linear', 'relu', 'relu6', 'sigmoid', 'leakyrelu', 'elu', 'prelu'] as const) {
    it(`bias + ${activation} matches stock, forward and gradients`, async () => {
      const [a, b] = operands([2, 9, 13], [2, 13, 11]);
      const bias = rng.normal([11]);
      const alpha = rng.uniform([11], 0, 0.5);
      const w = rng.normal([2, 9, 11]);
      const f = (x: tf.Tensor, y: tf.Tensor, c: tf.Tensor) =>
        tf.fused.matMul({
          a: x as tf.Tensor3D,
          b: y as tf.Tensor3D,
          bias: c,
          activation,
          preluActivationWeights: activation === 'prelu' ? alpha : undefined,
          leakyreluAlpha: 0.15,
        });
      const g = (x: tf.Tensor, y: tf.Tensor, c: tf.Tensor) => unfused(tf.add(tf.matMul(x, y), c), activation, alpha);
      expectMatch(
        await stockAndNative(
          () => f(a, b, bias),
          () => g(a, b, bias),
        ),
        `${activation} forward`,
      );
      // relu6, leakyrelu, elu and sigmoid have no fused gradient in tfjs
      if (activation === 'linear' || activation === 'relu') {
        const grads = (h: typeof f) => () =>
          tf.grads((x: tf.Tensor, y: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(h(x, y, c), w)))([a, b, bias]);
        expectMatch(await stockAndNative(grads(f), grads(g)), `${activation} gradients`);
      }
      tf.dispose([a, b, bias, alpha, w]);
    });
  }

  it('transposed operands and a scalar-broadcast bias', async () => {
    const [a, b] = operands([12, 7], [9, 12]);
    const bias = rng.normal([1]);
    const f = () =>
      tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeA: true, transposeB: true, bias, activation: 'relu' });
    expectMatch(await stockAndNative(f), 'transposed fused');
    tf.dispose([a, b, bias]);
  });
});
