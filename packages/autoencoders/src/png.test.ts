import { createRng, tf, ValidationError } from '@rectiflow/core';
import { expectClose, expectNoTensorLeak } from '@rectiflow/core/testing';
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { decodePng, decodePngs, encodePng } from './png';

/** An image whose values sit exactly on the 8-bit levels. */
function levels(shape: [number, number, number, number], seed: number): tf.Tensor4D {
  const n = shape.reduce((a, b) => a * b, 1);
  const rng = createRng(seed);
  return tf.tensor4d(
    Float32Array.from({ length: n }, () => (rng.integer(0, 256) / 255) * 2 - 1),
    shape,
  );
}

describe('PNG bytes and tensors', () => {
  it('round-trips RGB, grey and RGBA 8-bit images exactly', () => {
    for (const c of [3, 1, 4] as const) {
      tf.tidy(() => {
        const image = levels([1, c, 5, 7], c);
        const bytes = encodePng(image);
        expect([...bytes.subarray(1, 4)].map((b) => String.fromCharCode(b)).join('')).toBe('PNG');
        expectClose(decodePng(bytes, { channels: c }), image, { atol: 1e-6, rtol: 0, label: `${c} channels` });
      });
    }
  });

  it('writes 16-bit PNGs, rounds to the nearest level and clips out-of-range values', () => {
    tf.tidy(() => {
      const image = tf.tensor4d([-1.5, -1, 0, 0.5, 1, 2], [1, 1, 2, 3]);
      const eight = decodePng(encodePng(image), { channels: 1 });
      expectClose(eight, [-1, -1, 1 / 255, 127 / 255, 1, 1], { atol: 1e-6, rtol: 0 });
      const sixteen = decodePng(encodePng(image, { depth: 16 }), { channels: 1 });
      expectClose(sixteen, [-1, -1, 1 / 65535, (2 * 49151) / 65535 - 1, 1, 1], { atol: 1e-6, rtol: 0 });
    });
  });

  it('converts channels: grey to RGB, RGB to luma, alpha dropped or made opaque', () => {
    tf.tidy(() => {
      const grey = encode({ width: 2, height: 1, data: new Uint8Array([0, 255]), channels: 1, depth: 8 });
      expectClose(decodePng(grey), [-1, 1, -1, 1, -1, 1], { atol: 0, rtol: 0 });
      expectClose(decodePng(grey, { channels: 4 }), [-1, 1, -1, 1, -1, 1, 1, 1], { atol: 0, rtol: 0 });
      const rgba = encode({ width: 1, height: 1, data: new Uint8Array([255, 0, 0, 0]), channels: 4, depth: 8 });
      expectClose(decodePng(rgba), [1, -1, -1], { atol: 0, rtol: 0 });
      expectClose(decodePng(rgba, { channels: 1 }), [0.299 * 2 - 1], { atol: 1e-6, rtol: 0 });
      const greyAlpha = encode({ width: 1, height: 1, data: new Uint8Array([51, 102]), channels: 2, depth: 8 });
      expectClose(decodePng(greyAlpha, { channels: 4 }), [-0.6, -0.6, -0.6, -0.2], { atol: 1e-6, rtol: 0 });
    });
  });

  it('decodes 1-bit grey and 2-bit palette images', () => {
    tf.tidy(() => {
      // Rows [0, 1, 0] and [1, 1, 0], packed MSB first, one byte per row.
      const bits = encode({ width: 3, height: 2, data: new Uint8Array([0b01000000, 0b11000000]), channels: 1, depth: 1 });
      expectClose(decodePng(bits, { channels: 1 }), [-1, 1, -1, 1, 1, -1], { atol: 0, rtol: 0 });
      const palette = [
        [255, 0, 0],
        [0, 255, 0],
        [0, 0, 255],
      ];
      // Indices [0, 1, 2] and [2, 1, 0] at 2 bits.
      const indexed = encode({ width: 3, height: 2, data: new Uint8Array([0b00011000, 0b10010000]), channels: 1, depth: 2, palette });
      const rgb = decodePng(indexed);
      expect(rgb.shape).toEqual([1, 3, 2, 3]);
      expectClose(rgb, [1, -1, -1, -1, -1, 1, -1, 1, -1, -1, 1, -1, -1, -1, 1, 1, -1, -1], { atol: 0, rtol: 0 });
    });
  });

  it('stacks PNGs of one size into a batch and names the odd one out', () => {
    const a = tf.zeros([1, 3, 2, 2]);
    const b = tf.zeros([1, 3, 2, 3]);
    const [pa, pb] = [encodePng(a), encodePng(b)];
    const batch = decodePngs([pa, pa]);
    expect(batch.shape).toEqual([2, 3, 2, 2]);
    expect(() => decodePngs([pa, pb])).toThrow(/images\[1\]: got "3x2"; expected the size of images\[0\], 2x2/);
    tf.dispose([a, b, batch]);
  });

  it('rejects bad input clearly', () => {
    expect(() => decodePng(new Uint8Array([1, 2, 3]))).toThrow(ValidationError);
    expect(() => decodePng(new Uint8Array([1, 2, 3]))).toThrow(/png bytes: got Uint8Array\(3\); expected a valid PNG/);
    const two = tf.zeros([2, 3, 4, 4]);
    const nhwc = tf.zeros([1, 5, 4, 3]);
    expect(() => encodePng(two)).toThrow(/for a batch, use makeGrid\(\)/);
    expect(() => encodePng(nhwc)).toThrow(/1, 3 or 4 channels \(grey, RGB, RGBA\) in NCHW order/);
    tf.dispose([two, nhwc]);
  });

  it('does not leak tensors', async () => {
    const image = levels([1, 3, 4, 4], 9);
    await expectNoTensorLeak(() => decodePng(encodePng(image)).dispose(), { iterations: 3 });
    image.dispose();
  });
});
