import { createRng, tf } from '@rectiflow/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disableNativeKernels } from './index';
import { enableForTests, expectMatch, stockAndNative } from './test-helpers';

const rng = createRng(11);

beforeAll(enableForTests);
afterAll(() => disableNativeKernels());

const cases: Array<[number[], number | number[] | undefined]> = [
  [[7], 0],
  [[1], undefined],
  [[5, 9], 1],
  [[5, 9], 0],
  [
    [5, 9],
    [0, 1],
  ],
  [[3, 1, 7], 1],
  [[4, 5, 6], 1],
  [
    [4, 5, 6],
    [0, 2],
  ],
  [
    [2, 3, 4, 5],
    [1, 3],
  ],
  [
    [2, 3, 4, 5],
    [0, 1, 3],
  ],
  [[8, 80, 128], -1],
  [
    [8, 80, 128],
    [0, 1],
  ],
  [[33, 1025], 1],
];

describe.each(['sum', 'mean', 'max'] as const)('%s', (op) => {
  const f = (x: tf.Tensor, axis: number | number[] | undefined, keepDims: boolean) =>
    op === 'sum' ? tf.sum(x, axis, keepDims) : op === 'mean' ? tf.mean(x, axis, keepDims) : tf.max(x, axis, keepDims);

  it('matches stock over shapes and axes, with and without keepDims', async () => {
    for (const [shape, axis] of cases) {
      const x = rng.normal(shape);
      for (const keepDims of [false, true]) {
        const result = await stockAndNative(() => f(x, axis, keepDims));
        expectMatch(result, `${op} ${shape} axis ${axis} keepDims ${keepDims}`);
        expect(tf.tidy(() => f(x, axis, keepDims).shape)).toEqual(tf.tidy(() => tf.sum(x, axis, keepDims).shape));
      }
      x.dispose();
    }
  });

  it('gradients match stock', async () => {
    for (const [shape, axis] of [
      [
        [4, 5, 6],
        [0, 2],
      ],
      [[6, 7], 1],
    ] as const) {
      const x = rng.normal([...shape]);
      const w = rng.normal(tf.tidy(() => f(x, [...[axis].flat()], false).shape));
      const grad = () => tf.grad((y: tf.Tensor) => tf.sum(tf.mul(f(y, [...[axis].flat()], false), w)))(x);
      expectMatch(await stockAndNative(grad), `${op} gradient ${shape}`);
      tf.dispose([x, w]);
    }
  });

  it('keeps the stock result for empty inputs', async () => {
    for (const [shape, axis] of [
      [[0, 3], 1],
      [[3, 0], 0],
    ] as const) {
      const x = tf.zeros([...shape]);
      const result = await stockAndNative(() => f(x, axis, false));
      expect(result.native[0].length).toBe(result.stock[0].length);
      x.dispose();
    }
  });
});

it('int32 reductions go to the stock kernels', async () => {
  const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
  await enableForTests();
  const sum = tf.sum(x, 1);
  expect(sum.dtype).toBe('int32');
  expect(Array.from(sum.dataSync())).toEqual([6, 15]);
  expect(Array.from(tf.max(x, 0).dataSync())).toEqual([4, 5, 6]);
  tf.dispose([x, sum]);
});
