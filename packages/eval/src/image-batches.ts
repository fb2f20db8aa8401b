/**
 * Image sets for the feature networks: an NCHW tensor, or an array of CHW Float32Arrays
 * (what `dataset.get(i).image` returns), walked in batches of tensors.
 */
import { invalid, tf } from '@rectiflow/core';
import type { FeatureNet } from './feature-net';

/** Images in [-1, 1]: an NCHW tensor or CHW Float32Arrays of one shape. */
export type ImageSet = tf.Tensor4D | readonly Float32Array[];

/** The number of images in a set (checked to be a tensor or an array). */
export function imageCount(images: ImageSet, field = 'images'): number {
  if (images instanceof tf.Tensor) return images.shape[0] ?? 0;
  if (!Array.isArray(images)) invalid(field, images, 'an NCHW tensor or an array of CHW Float32Arrays');
  return images.length;
}

/**
 * Call `fn` with consecutive NCHW batches of at most `batchSize` images (disposed after
 * `fn` returns) and the index of each batch's first image. Checks each batch against the
 * net's input shape, naming `field`.
 */
export function forEachImageBatch(
  net: FeatureNet,
  images: ImageSet,
  batchSize: number,
  fn: (batch: tf.Tensor4D, start: number) => void,
  field = 'images',
): void {
  const n = imageCount(images, field);
  if (!Number.isInteger(batchSize) || batchSize < 1) invalid('batchSize', batchSize, 'an integer >= 1');
  const { channels, size } = net.config;
  const plane = size * size;
  if (images instanceof tf.Tensor) net.checkImages(images, field);
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    let batch: tf.Tensor4D;
    if (images instanceof tf.Tensor) {
      batch = tf.slice(images, [start, 0, 0, 0], [count, -1, -1, -1]);
    } else {
      const first = images[start];
      const c = first instanceof Float32Array ? first.length / plane : Number.NaN;
      const allowed = `a Float32Array of ${channels * plane}${channels === 3 ? ` or ${plane}` : ''} values (CHW, ${channels}x${size}x${size})`;
      if (!(c === channels || (channels === 3 && c === 1))) invalid(`${field}[${start}]`, first, allowed);
      const data = new Float32Array(count * c * plane);
      for (let i = 0; i < count; i++) {
        const image = images[start + i];
        if (!(image instanceof Float32Array) || image.length !== c * plane) {
          invalid(`${field}[${start + i}]`, image, `${allowed}, like ${field}[${start}]`);
        }
        data.set(image, i * c * plane);
      }
      batch = tf.tensor4d(data, [count, c, size, size]);
    }
    try {
      fn(batch, start);
    } finally {
      batch.dispose();
    }
  }
}
