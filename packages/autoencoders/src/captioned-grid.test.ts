import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@rectiflow/core';
import { expectNoTensorLeak } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { makeCaptionedGrid } from './captioned-grid';
import { drawText } from './pixel-font';
import { decodePng, encodePng } from './png';

/** Channel `c`, rows [y, y + h), columns [x, x + w) of a sheet [1, C, H, W], row-major. */
function region(sheet: tf.Tensor4D, c: number, y: number, x: number, h: number, w: number): Float32Array {
  const [, , , width] = sheet.shape;
  const data = sheet.dataSync();
  const plane = sheet.shape[2] * width;
  const out = new Float32Array(h * w);
  for (let r = 0; r < h; r++) out.set(data.subarray(c * plane + (y + r) * width + x, c * plane + (y + r) * width + x + w), r * w);
  return out;
}

/** The band a caption is expected in: white, with `text` drawn black at (2, 2). */
function expectedBand(text: string, w: number, h: number): Float32Array {
  const band = new Float32Array(w * h).fill(1);
  drawText(band, w, h, 1, text, 2, 2);
  return band;
}

describe('makeCaptionedGrid', () => {
  // Three 16x16 RGB images of 0.5, enlarged to 32x32 (minSide 32), two per row, padding 2.
  // Four characters fit a line (32 - 2·2 margin = 28 ≥ 4·6 - 1), so the longest caption
  // takes two lines and every band is 2 + 2·9 = 20 pixels high: cells are 32 wide and 52 high.
  const layout = { columns: 2, minSide: 32, padding: 2 };
  const captions = ['ab', 'abcd efgh', ''];

  it('lays out enlarged images with caption bands to an exact shape', () => {
    tf.tidy(() => {
      const sheet = makeCaptionedGrid(tf.fill([3, 3, 16, 16], 0.5) as tf.Tensor4D, captions, layout);
      expect(sheet.shape).toEqual([1, 3, 2 * (52 + 2) + 2, 2 * (32 + 2) + 2]);
    });
  });

  it('writes each caption under its image and nothing into the image cells', () => {
    tf.tidy(() => {
      const sheet = makeCaptionedGrid(tf.fill([3, 3, 16, 16], 0.5) as tf.Tensor4D, captions, layout);
      const cells = [
        [2, 2],
        [2, 36],
        [56, 2],
      ];
      for (const [i, [y, x]] of cells.entries()) {
        for (let c = 0; c < 3; c++) {
          expect(
            region(sheet, c, y, x, 32, 32).every((v) => v === 0.5),
            `image ${i} channel ${c}`,
          ).toBe(true);
          expect(region(sheet, c, y + 32, x, 20, 32), `caption ${i} channel ${c}`).toEqual(
            expectedBand(['AB', 'ABCD\nEFGH', ''][i], 32, 20),
          );
        }
      }
      expect(region(sheet, 1, 2 + 32, 2, 20, 32).some((v) => v === -1)).toBe(true);
      // The empty fourth cell and the padding are white.
      expect(region(sheet, 0, 56, 36, 52, 32).every((v) => v === 1)).toBe(true);
      expect(region(sheet, 2, 0, 0, 2, 70).every((v) => v === 1)).toBe(true);
      expect(region(sheet, 2, 0, 34, 110, 2).every((v) => v === 1)).toBe(true);
    });
  });

  it('enlarges by an integer nearest-neighbour factor and keeps large images as they are', () => {
    tf.tidy(() => {
      const image = tf.tensor4d([-1, 0, 0.5, 1], [1, 1, 2, 2]);
      const sheet = makeCaptionedGrid(image, ['x'], { minSide: 3, padding: 0 });
      // Factor ceil(3 / 2) = 2; the band of one line is 11 high.
      expect(sheet.shape).toEqual([1, 1, 4 + 11, 4]);
      // biome-ignore format: the enlarged image, one row per line
      expect(Array.from(region(sheet, 0, 0, 0, 4, 4))).toEqual([
        -1, -1, 0, 0,
        -1, -1, 0, 0,
        0.5, 0.5, 1, 1,
        0.5, 0.5, 1, 1,
      ]);
      const large = makeCaptionedGrid(tf.zeros([1, 1, 20, 30]) as tf.Tensor4D, ['x'], { minSide: 20, padding: 0 });
      expect(large.shape).toEqual([1, 1, 20 + 11, 30]);
    });
  });

  it('cuts long captions at maxLines with an ellipsis', () => {
    tf.tidy(() => {
      const images = tf.fill([2, 1, 16, 16], 0) as tf.Tensor4D;
      const sheet = makeCaptionedGrid(images, ['one two six ten red', 'abcd efgh'], { ...layout, maxLines: 2 });
      expect(sheet.shape).toEqual([1, 1, 52 + 4, 2 * 34 + 2]);
      expect(region(sheet, 0, 34, 2, 20, 32)).toEqual(expectedBand('ONE\nTWO…', 32, 20));
      expect(region(sheet, 0, 34, 36, 20, 32)).toEqual(expectedBand('ABCD\nEFGH', 32, 20));
      const one = makeCaptionedGrid(images, ['abcd efgh', 'a'], { ...layout, maxLines: 1 });
      expect(region(one, 0, 34, 2, 11, 32)).toEqual(expectedBand('ABC…', 32, 11));
    });
  });

  it('draws grey and RGBA sheets, with opaque captions, at a larger font scale', () => {
    tf.tidy(() => {
      const grey = makeCaptionedGrid(tf.fill([2, 1, 8, 8], -0.5) as tf.Tensor4D, ['grey', 'sheet'], { scale: 2 });
      // Factor 16: 128x128 cells; a band of one line at scale 2 is (2 + 9)·2 = 22 high.
      expect(grey.shape).toEqual([1, 1, 128 + 22 + 8, 2 * (128 + 4) + 4]);
      expect(region(grey, 0, 4 + 128, 4, 22, 128).some((v) => v === -1)).toBe(true);
      const rgba = makeCaptionedGrid(tf.zeros([1, 4, 4, 4]) as tf.Tensor4D, ['alpha'], { minSide: 64, columns: 3 });
      expect(rgba.shape).toEqual([1, 4, 4 + 64 + 11 + 4, 64 + 8]);
      expect(region(rgba, 0, 4 + 64, 4, 11, 64).some((v) => v === -1)).toBe(true);
      expect(region(rgba, 3, 4 + 64, 4, 11, 64).every((v) => v === 1)).toBe(true);
    });
  });

  it('accepts non-float images and does not leak tensors', async () => {
    const images = tf.zeros([2, 3, 8, 8], 'int32') as tf.Tensor4D;
    expect(makeCaptionedGrid(images, ['a', 'b'], { minSide: 8 }).dtype).toBe('float32');
    const before = tf.memory().numTensors;
    await expectNoTensorLeak(() => makeCaptionedGrid(images, ['a long caption that wraps', 'b'], { minSide: 16 }).dispose());
    expect(() => makeCaptionedGrid(images, ['a'])).toThrow();
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
  });

  it('checks its arguments', () => {
    tf.tidy(() => {
      const images = tf.zeros([2, 3, 8, 8]) as tf.Tensor4D;
      expect(() => makeCaptionedGrid(images, ['a'])).toThrow(/captions.length: got 1; expected one caption per image: the batch size 2/);
      expect(() => makeCaptionedGrid(images, ['a', 3 as unknown as string])).toThrow(/captions\[1\]: got 3; expected a string/);
      expect(() => makeCaptionedGrid(images, 'ab' as unknown as string[])).toThrow(/captions: got "ab"; expected an array of strings/);
      expect(() => makeCaptionedGrid(tf.zeros([3, 8, 8]) as unknown as tf.Tensor4D, ['a'])).toThrow(
        /images.shape: got \[3, 8, 8\]; expected a rank-4/,
      );
      expect(() => makeCaptionedGrid(tf.zeros([0, 3, 8, 8]) as tf.Tensor4D, [])).toThrow(
        /images.shape: got \[0, 3, 8, 8\]; expected at least one image/,
      );
      expect(() => makeCaptionedGrid(images, ['a', 'b'], { minSide: 0 })).toThrow(/minSide: got 0; expected an integer >= 1/);
      expect(() => makeCaptionedGrid(images, ['a', 'b'], { scale: 1.5 })).toThrow(/scale: got 1.5; expected an integer >= 1/);
      expect(() => makeCaptionedGrid(images, ['a', 'b'], { maxLines: 0 })).toThrow(/maxLines: got 0; expected an integer >= 1/);
      expect(() => makeCaptionedGrid(images, ['a', 'b'], { columns: 0 })).toThrow(/columns: got 0; expected an integer >= 1/);
      expect(() => makeCaptionedGrid(images, ['a', 'b'], { padding: -1 })).toThrow(/padding: got -1; expected an integer >= 0/);
    });
  });

  it('writes a legible sheet to PNG', () => {
    tf.tidy(() => {
      // Six 32x32 colour ramps, enlarged to 128x128, three per row.
      const ramp = tf.linspace(-1, 1, 32);
      const images = tf.stack(
        [0, 1, 2, 3, 4, 5].map((i) =>
          tf.stack([
            tf.add(tf.reshape(ramp, [1, 32]), tf.zeros([32, 1])).mul((i % 3) - 1),
            tf.add(tf.reshape(ramp, [32, 1]), tf.zeros([1, 32])).mul(i < 3 ? 1 : -1),
            tf.fill([32, 32], (i - 2.5) / 3),
          ]),
        ),
      ) as tf.Tensor4D;
      const prompts = [
        'a red circle above a blue square',
        'THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG',
        '0123456789 (50%) 3/4: yes? no! a=b',
        `#1_tag 'quoted' "double"; e-f+g, end.`,
        'an extraordinarily long caption that keeps going well past the four lines allowed under one image',
        'ünïcödé → falls back to boxes',
      ];
      const sheet = makeCaptionedGrid(images, prompts, { columns: 3 });
      const bytes = encodePng(sheet);
      const path = join(tmpdir(), 'rectiflow-captioned-grid.png');
      writeFileSync(path, bytes);
      expect(decodePng(bytes).shape).toEqual(sheet.shape);
    });
  });
});
