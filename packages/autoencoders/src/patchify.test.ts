import { createRng, tf } from '@rectiflow/core';
import { expectClose } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { nchwToRows, patchify, rowsToNCHW, unpatchify } from './patchify';

describe('patchify', () => {
  it('puts each p×p patch in one row, features ordered (py, px, c)', () => {
    tf.tidy(() => {
      // One 2-channel 2x4 image; channel 1 = channel 0 + 100.
      const c0 = [0, 1, 2, 3, 4, 5, 6, 7];
      const image = tf.tensor4d([...c0, ...c0.map((v) => v + 100)], [1, 2, 2, 4]);
      const rows = patchify(image, 2);
      expect(rows.shape).toEqual([2, 8]);
      expectClose(rows, [0, 100, 1, 101, 4, 104, 5, 105, 2, 102, 3, 103, 6, 106, 7, 107], { atol: 0, rtol: 0 });
    });
  });

  it('is undone by unpatchify, and rows/NCHW conversions are inverse', () => {
    tf.tidy(() => {
      const images = createRng(2).normal([3, 3, 8, 12]) as tf.Tensor4D;
      const rows = patchify(images, 4);
      expectClose(unpatchify(rows, { batch: 3, channels: 3, height: 8, width: 12 }, 4), images, { atol: 0, rtol: 0 });
      const z = createRng(3).normal([2, 5, 3, 4]) as tf.Tensor4D;
      expectClose(rowsToNCHW(nchwToRows(z), 2, 3, 4), z, { atol: 0, rtol: 0 });
    });
  });

  it('has gradients (it trains on wasm, where Conv2DBackpropFilter is missing)', () => {
    tf.tidy(() => {
      const images = createRng(4).normal([1, 3, 4, 4]) as tf.Tensor4D;
      const w = createRng(5).normal([12, 2]) as tf.Tensor2D;
      const grad = tf.grad((wt: tf.Tensor) => tf.sum(tf.square(tf.matMul(patchify(images, 2), wt as tf.Tensor2D))))(w);
      expect(grad.shape).toEqual([12, 2]);
      expect(Number.isFinite(grad.sum().dataSync()[0])).toBe(true);
    });
  });
});
