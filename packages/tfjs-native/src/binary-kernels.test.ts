import { createRng, tf } from '@rectiflow/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disableNativeKernels } from './index';
import { enableForTests, expectMatch, stockAndNative } from './test-helpers';

const rng = createRng(23);

beforeAll(enableForTests);
afterAll(() => disableNativeKernels());

const shapes: Array<[number[], number[]]> = [
  [[7], [7]],
  [[7], [1]],
  [[], [5, 3]],
  [[5, 3], []],
  [[5, 3], [3]],
  [
    [5, 1],
    [1, 3],
  ],
  [
    [8, 80, 128],
    [8, 1, 128],
  ],
  [
    [8, 1, 128],
    [8, 80, 128],
  ],
  [
    [2, 3, 4, 5],
    [3, 1, 5],
  ],
  [
    [2, 1, 4, 1],
    [1, 3, 1, 5],
  ],
  [[0, 3], [3]],
  [
    [640, 256],
    [640, 256],
  ],
];

describe.each(['add', 'sub', 'mul', 'div'] as const)('%s', (op) => {
  const f = (a: tf.Tensor, b: tf.Tensor) => tf[op](a, b);

  it('matches stock for every broadcast form', async () => {
    for (const [aShape, bShape] of shapes) {
      const a = rng.normal(aShape);
      const b = op === 'div' ? tf.add(tf.abs(rng.normal(bShape)), 0.5) : rng.normal(bShape);
      const result = await stockAndNative(() => f(a, b));
      expect(result.native[0].length).toBe(result.stock[0].length);
      expectMatch(result, `${op} ${aShape} ${bShape}`, 0);
      tf.dispose([a, b]);
    }
  });

  it('gradients match stock', async () => {
    const a = rng.normal([4, 1, 6]);
    const b = tf.add(tf.abs(rng.normal([3, 1])), 0.5);
    const w = rng.normal([4, 3, 6]);
    const grads = () => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x, y), w)))([a, b]);
    expectMatch(await stockAndNative(grads), `${op} gradients`);
    tf.dispose([a, b, w]);
  });
});

it('int32 arithmetic and bad shapes behave as stock', async () => {
  await enableForTests();
  const i = tf.tensor1d([1, 2, 3], 'int32');
  const sum = tf.add(i, i);
  expect(sum.dtype).toBe('int32');
  expect(Array.from(sum.dataSync())).toEqual([2, 4, 6]);
  expect(() => tf.mul(tf.zeros([2, 3]), tf.zeros([4]))).toThrow(/could not be broadcast/);
  tf.dispose([i, sum]);
});
