import { tf } from '@rectiflow/core';
import { expectClose, expectNoTensorLeak } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { makeGrid } from './grid';

describe('makeGrid', () => {
  it('lays images out row by row with padding between and around them', () => {
    tf.tidy(() => {
      // Three 1-channel 1x2 images valued 1, 2, 3, two per row, padding 1 of value 0.
      const images = tf.tensor4d([1, 1, 2, 2, 3, 3], [3, 1, 1, 2]);
      const grid = makeGrid(images, { columns: 2, padding: 1, padValue: 0 });
      expect(grid.shape).toEqual([1, 1, 5, 7]);
      // biome-ignore format: the expected sheet, one row per line
      expectClose(grid, [
        0, 0, 0, 0, 0, 0, 0,
        0, 1, 1, 0, 2, 2, 0,
        0, 0, 0, 0, 0, 0, 0,
        0, 3, 3, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0,
      ], { atol: 0, rtol: 0 });
    });
  });

  it('defaults to a square layout, white padding, and keeps channels apart', () => {
    tf.tidy(() => {
      const images = tf
        .stack([tf.fill([2, 3, 3], -1), tf.fill([2, 3, 3], 0.5)])
        .mul(tf.tensor([1, -1]).reshape([1, 2, 1, 1])) as tf.Tensor4D;
      const grid = makeGrid(images);
      expect(grid.shape).toEqual([1, 2, 3 + 4, 2 * 3 + 6]);
      const [first, second] = tf.split(grid, 2, 1);
      expect(first.slice([0, 0, 2, 2], [1, 1, 3, 3]).max().dataSync()[0]).toBe(-1);
      expect(second.slice([0, 0, 2, 2], [1, 1, 3, 3]).min().dataSync()[0]).toBe(1);
      expect(first.slice([0, 0, 2, 7], [1, 1, 3, 3]).max().dataSync()[0]).toBe(0.5);
      expect(grid.slice([0, 0, 0, 0], [1, 2, 2, 12]).min().dataSync()[0]).toBe(1);
    });
  });

  it('checks its arguments and does not leak tensors', async () => {
    const images = tf.zeros([2, 3, 4, 4]) as tf.Tensor4D;
    expect(() => makeGrid(images, { columns: 0 })).toThrow(/columns: got 0; expected an integer >= 1/);
    expect(() => makeGrid(tf.zeros([3, 4, 4]) as unknown as tf.Tensor4D)).toThrow(/expected a rank-4 NCHW batch/);
    await expectNoTensorLeak(() => makeGrid(images, { columns: 3 }).dispose());
    images.dispose();
  });
});
