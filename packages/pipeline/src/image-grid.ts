/** Sample sheets and per-image arrays of generated images. */
import { encodePng, makeCaptionedGrid } from '@rectiflow/autoencoders';
import type { tf } from '@rectiflow/core';

/** Split a batch of CHW images into flat arrays (for adherence checks and metrics). */
export function imageArrays(images: tf.Tensor4D): Float32Array[] {
  const [b, c, h, w] = images.shape;
  const data = images.dataSync() as Float32Array;
  return Array.from({ length: b }, (_, i) => data.slice(i * c * h * w, (i + 1) * c * h * w));
}

/**
 * A PNG sample sheet of NCHW images in [-1, 1], `columns` per row, each image enlarged
 * (nearest neighbour) to at least 128 pixels a side with its prompt written under it.
 */
export function gridPng(images: tf.Tensor4D, columns: number, prompts: readonly string[]): Uint8Array {
  const sheet = makeCaptionedGrid(images, prompts, { columns, minSide: 128 });
  try {
    return encodePng(sheet);
  } finally {
    sheet.dispose();
  }
}
