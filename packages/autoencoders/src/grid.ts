/**
 * Sample sheets: a batch of images laid out in a grid, as one image.
 */
import { checkNumber, invalid, tf } from '@rectiflow/core';

/** Options of {@link makeGrid}. */
export interface GridOptions {
  /** Images per row (default ceil(sqrt(B))). */
  columns?: number;
  /** Pixels between images and around the sheet (default 2). */
  padding?: number;
  /** Value of the padding and of empty cells, in image units (default 1: white for images in [-1, 1]). */
  padValue?: number;
}

/**
 * Arrange NCHW images [B, C, H, W] in rows of `columns`, left to right and top to bottom,
 * into one image [1, C, rows·(H+p)+p, columns·(W+p)+p]. Empty cells of the last row get
 * `padValue`.
 */
export function makeGrid(images: tf.Tensor4D, options: GridOptions = {}): tf.Tensor4D {
  if (images.rank !== 4) invalid('images.shape', images.shape, 'a rank-4 NCHW batch [B, C, H, W]');
  const [b, c, h, w] = images.shape;
  if (b === 0) invalid('images.shape', images.shape, 'at least one image');
  const columns = checkNumber('columns', options.columns ?? Math.ceil(Math.sqrt(b)), { integer: true, min: 1 });
  const padding = checkNumber('padding', options.padding ?? 2, { integer: true, min: 0 });
  const padValue = checkNumber('padValue', options.padValue ?? 1);
  const cols = Math.min(columns, b);
  const rows = Math.ceil(b / cols);
  return tf.tidy(() => {
    let x: tf.Tensor4D = images.dtype === 'float32' ? images : tf.cast(images, 'float32');
    if (rows * cols > b) x = tf.concat([x, tf.fill([rows * cols - b, c, h, w], padValue)], 0);
    x = tf.pad(
      x,
      [
        [0, 0],
        [0, 0],
        [padding, 0],
        [padding, 0],
      ],
      padValue,
    );
    const ch = h + padding;
    const cw = w + padding;
    const sheet = tf.reshape(tf.transpose(tf.reshape(x, [rows, cols, c, ch, cw]), [2, 0, 3, 1, 4]), [1, c, rows * ch, cols * cw]);
    return tf.pad(
      sheet,
      [
        [0, 0],
        [0, 0],
        [0, padding],
        [0, padding],
      ],
      padValue,
    ) as tf.Tensor4D;
  });
}
