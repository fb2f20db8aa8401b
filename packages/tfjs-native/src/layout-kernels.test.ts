import { createRng, tf } from '@rectiflow/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disableNativeKernels } from './index';
import { enableForTests, expectMatch, stockAndNative } from './test-helpers';

const rng = createRng(13);

beforeAll(enableForTests);
afterAll(() => disableNativeKernels());

describe('Transpose', () => {
  const cases: Array<[number[], number[]]> = [
    [
      [7, 9],
      [1, 0],
    ],
    [
      [1, 5],
      [1, 0],
    ],
    [
      [3, 4, 5],
      [0, 2, 1],
    ],
    [
      [3, 4, 5],
      [2, 0, 1],
    ],
    [
      [3, 1, 5],
      [1, 2, 0],
    ],
    [
      [8, 80, 2, 64],
      [0, 2, 1, 3],
    ],
    [
      [2, 3, 4, 5],
      [3, 2, 1, 0],
    ],
    [
      [2, 3, 4, 5, 6],
      [0, 3, 1, 4, 2],
    ],
    [
      [0, 3, 2],
      [2, 1, 0],
    ],
    [
      [300, 257],
      [1, 0],
    ],
  ];
  for (const [shape, perm] of cases) {
    it(`${shape} by ${perm} matches stock`, async () => {
      const x = rng.normal(shape);
      const result = await stockAndNative(() => tf.transpose(x, perm));
      expect(result.native[0].length).toBe(result.stock[0].length);
      expectMatch(result, `transpose ${shape}`);
      x.dispose();
    });
  }

  it('gradient matches stock', async () => {
    const x = rng.normal([3, 4, 5]);
    const w = rng.normal([5, 3, 4]);
    const grad = () => tf.grad((y: tf.Tensor) => tf.sum(tf.mul(tf.transpose(y, [2, 0, 1]), w)))(x);
    expectMatch(await stockAndNative(grad), 'transpose gradient');
    tf.dispose([x, w]);
  });

  it('int32 goes to the stock kernel', async () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
    await enableForTests();
    const y = tf.transpose(x);
    expect(y.dtype).toBe('int32');
    expect(Array.from(y.dataSync())).toEqual([1, 4, 2, 5, 3, 6]);
    tf.dispose([x, y]);
  });
});

describe('Slice, SplitV and Concat', () => {
  it('slices like stock over ranks, begins and sizes (-1 included)', async () => {
    const cases: Array<[number[], number[], number[]]> = [
      [[7], [2], [3]],
      [
        [5, 9],
        [1, 2],
        [3, 4],
      ],
      [
        [5, 9],
        [0, 3],
        [-1, 6],
      ],
      [
        [5, 9],
        [2, 0],
        [2, 9],
      ],
      [
        [3, 4, 5],
        [1, 1, 1],
        [2, 2, 3],
      ],
      [
        [8, 80, 384],
        [0, 64, 0],
        [8, 16, 384],
      ],
      [
        [2, 3, 4, 5, 6],
        [1, 0, 2, 1, 3],
        [1, 3, 2, 4, 2],
      ],
      [
        [4, 5],
        [1, 1],
        [0, 3],
      ],
    ];
    for (const [shape, begin, size] of cases) {
      const x = rng.normal(shape);
      const result = await stockAndNative(() => tf.slice(x, begin, size));
      expect(result.native[0].length).toBe(result.stock[0].length);
      expectMatch(result, `slice ${shape} ${begin} ${size}`);
      x.dispose();
    }
  });

  it('splits and concatenates like stock, with gradients', async () => {
    const x = rng.normal([2, 6, 5]);
    const e = rng.normal([2, 0, 5]);
    for (const axis of [0, 1, 2, -1]) {
      const parts = () => tf.split(x, axis === 0 ? 2 : axis === 1 ? [1, 2, 3] : [1, 2, 2], axis);
      expectMatch(await stockAndNative(parts), `split axis ${axis}`);
      expectMatch(await stockAndNative(() => tf.concat([...parts(), x], axis)), `concat axis ${axis}`);
    }
    expectMatch(await stockAndNative(() => tf.concat([x, e, x], 1)), 'concat with an empty part');
    const w = rng.normal([2, 8, 5]);
    const grad = () =>
      tf.grad((y: tf.Tensor) => tf.sum(tf.mul(tf.concat([tf.slice(y, [0, 1, 0], [2, 4, 5]), ...tf.split(y, 3, 1).slice(1)], 1), w)))(x);
    expectMatch(await stockAndNative(grad), 'slice/split/concat gradient');
    tf.dispose([x, e, w]);
  });

  it('copies int32 natively and leaves bool to stock', async () => {
    await enableForTests();
    const i = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
    expect(Array.from(tf.slice(i, [0, 1], [2, 2]).dataSync())).toEqual([2, 3, 5, 6]);
    expect(Array.from(tf.concat([i, i], 1).dataSync())).toEqual([1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6]);
    const b = tf.tensor1d([true, false, true], 'bool');
    expect(Array.from(tf.slice(b, 1, 2).dataSync())).toEqual([0, 1]);
    expect(tf.concat([b, b]).dtype).toBe('bool');
    tf.dispose([i, b]);
  });
});

describe('Identity', () => {
  it('shares memory, and both tensors stay valid when either is disposed', async () => {
    await enableForTests();
    const x = rng.normal([4, 5]);
    const expected = Array.from(x.dataSync());
    const buffers = tf.memory().numDataBuffers;
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId);
    expect(tf.memory().numDataBuffers).toBe(buffers);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual(expected);
    const z = tf.clone(y);
    y.dispose();
    expect(Array.from(z.dataSync())).toEqual(expected);
    z.dispose();
  });

  it('works for int32, bool and string tensors', async () => {
    await enableForTests();
    for (const x of [tf.tensor1d([1, 2], 'int32'), tf.tensor1d([true, false], 'bool'), tf.tensor1d(['a', 'b'])]) {
      const y = tf.clone(x);
      expect(y.dtype).toBe(x.dtype);
      expect(Array.from(y.dataSync() as ArrayLike<unknown>)).toEqual(Array.from(x.dataSync() as ArrayLike<unknown>));
      tf.dispose([x, y]);
    }
  });
});

describe('Cast', () => {
  it('shares memory when the dtype does not change, and converts like stock when it does', async () => {
    await enableForTests();
    const x = rng.normal([3, 4]);
    const expected = Array.from(x.dataSync());
    const buffers = tf.memory().numDataBuffers;
    const y = tf.cast(x, 'float32');
    expect(y.dataId).toBe(x.dataId);
    expect(tf.memory().numDataBuffers).toBe(buffers);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual(expected);
    const ints = tf.tensor1d([1, 0, 3], 'int32');
    const native = [tf.cast(y, 'int32'), tf.cast(y, 'bool'), tf.cast(ints, 'float32')];
    const nativeValues = native.map((t) => [t.dtype, Array.from(t.dataSync() as ArrayLike<unknown>)]);
    disableNativeKernels();
    const stock = [tf.cast(y, 'int32'), tf.cast(y, 'bool'), tf.cast(ints, 'float32')];
    expect(nativeValues).toEqual(stock.map((t) => [t.dtype, Array.from(t.dataSync() as ArrayLike<unknown>)]));
    tf.dispose([y, ints, ...native, ...stock]);
  });
});
