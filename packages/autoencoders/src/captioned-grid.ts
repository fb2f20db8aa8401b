/**
 * Sample sheets with captions: each image of a batch with its prompt written in a white band
 * under it, laid out by {@link makeGrid}.
 */
import { checkNumber, invalid, tf } from '@rectiflow/core';
import { makeGrid } from './grid';
import { drawText, LINE_HEIGHT, textWidth, wrapText } from './pixel-font';

/** Options of {@link makeCaptionedGrid}. */
export interface CaptionedGridOptions {
  /** Images per row (default ceil(sqrt(B))). */
  columns?: number;
  /**
   * Each image is enlarged by the smallest integer nearest-neighbour factor that makes its
   * shorter side at least this many pixels (default 128; images already as large stay as they are).
   */
  minSide?: number;
  /** White pixels between cells and around the sheet (default 4). */
  padding?: number;
  /** Integer font scale: one font pixel is scale×scale image pixels (default 1). */
  scale?: number;
  /** Lines of caption at most (default 4); the last line ends with an ellipsis when a caption is cut. */
  maxLines?: number;
}

/** Ellipsis that ends a cut caption (a glyph of the pixel font). */
const ELLIPSIS = '…';

/** Margin around the caption text, in font pixels. */
const MARGIN = 2;

/** `caption` wrapped to `maxWidth` pixels, cut to `maxLines` lines with an ellipsis at the end of the last. */
function captionLines(caption: string, maxWidth: number, scale: number, maxLines: number): string[] {
  const lines = wrapText(caption, maxWidth, scale);
  if (lines.length <= maxLines) return lines;
  let last = Array.from(lines[maxLines - 1]);
  while (last.length > 0 && textWidth(`${last.join('')}${ELLIPSIS}`, scale) > maxWidth) last = last.slice(0, -1);
  return [...lines.slice(0, maxLines - 1), `${last.join('').trimEnd()}${ELLIPSIS}`];
}

/**
 * Lay out NCHW images [B, C, H, W] in [-1, 1] as one sheet [1, C, H', W'] like
 * {@link makeGrid}, with `captions[i]` written in dark pixel-font text (black, opaque for
 * RGBA) on a white band under image i. Images are first enlarged by an integer factor
 * f = max(1, ceil(minSide / min(H, W))). Captions are wrapped to the enlarged width less a
 * margin of 2·scale pixels on each side; every band is as tall as the longest caption
 * (at least one line): (2 + 9·lines)·scale pixels. Each cell is then f·H + band high and
 * f·W wide, and H' = rows·(cell height + padding) + padding, W' = columns·(f·W + padding) + padding.
 * @throws ValidationError for a batch that is not rank 4 or empty, captions that are not
 *   strings or whose count differs from the batch size, or out-of-range options.
 */
export function makeCaptionedGrid(images: tf.Tensor4D, captions: readonly string[], options: CaptionedGridOptions = {}): tf.Tensor4D {
  if (images.rank !== 4) invalid('images.shape', images.shape, 'a rank-4 NCHW batch [B, C, H, W]');
  const [b, c, h, w] = images.shape;
  if (b === 0 || h === 0 || w === 0) invalid('images.shape', images.shape, 'at least one image of at least 1x1 pixels');
  if (!Array.isArray(captions)) invalid('captions', captions, 'an array of strings, one per image');
  if (captions.length !== b) invalid('captions.length', captions.length, `one caption per image: the batch size ${b}`);
  captions.forEach((caption, i) => {
    if (typeof caption !== 'string') invalid(`captions[${i}]`, caption, 'a string');
  });
  const columns = checkNumber('columns', options.columns ?? Math.ceil(Math.sqrt(b)), { integer: true, min: 1 });
  const minSide = checkNumber('minSide', options.minSide ?? 128, { integer: true, min: 1 });
  const padding = checkNumber('padding', options.padding ?? 4, { integer: true, min: 0 });
  const scale = checkNumber('scale', options.scale ?? 1, { integer: true, min: 1 });
  const maxLines = checkNumber('maxLines', options.maxLines ?? 4, { integer: true, min: 1 });

  const factor = Math.max(1, Math.ceil(minSide / Math.min(h, w)));
  const cellH = h * factor;
  const cellW = w * factor;
  const margin = MARGIN * scale;
  const textArea = Math.max(0, cellW - 2 * margin);
  const lines = captions.map((caption) => captionLines(caption, textArea, scale, maxLines));
  const bandLines = Math.max(1, ...lines.map((l) => l.length));
  const bandH = (MARGIN + LINE_HEIGHT * bandLines) * scale;

  const bandSize = c * bandH * cellW;
  const bands = new Float32Array(b * bandSize).fill(1);
  const ink = Array.from({ length: c }, (_, i) => (c === 4 && i === 3 ? 1 : -1));
  lines.forEach((text, i) => {
    const band = bands.subarray(i * bandSize, (i + 1) * bandSize);
    drawText(band, cellW, bandH, c, text.join('\n'), margin, margin, { scale, color: ink });
  });

  return tf.tidy(() => {
    const x = images.dtype === 'float32' ? images : tf.cast(images, 'float32');
    // Nearest-neighbour enlargement: repeat every pixel factor times along rows and columns.
    const enlarged: tf.Tensor4D =
      factor === 1 ? x : tf.reshape(tf.tile(tf.reshape(x, [b * c * h, 1, w, 1]), [1, factor, 1, factor]), [b, c, cellH, cellW]);
    const cells = tf.concat([enlarged, tf.tensor4d(bands, [b, c, bandH, cellW])], 2);
    return makeGrid(cells, { columns, padding, padValue: 1 });
  });
}
