/**
 * The distribution metric: the Frechet distance between two image sets, measured on the
 * features of a {@link FeatureNet} (the FID recipe, with a small net trained on the
 * dataset instead of Inception).
 */
import { invalid, tf } from '@rectiflow/core';
import type { FeatureNet } from './feature-net';
import { type FeatureStatistics, featureStatistics, frechetDistance } from './frechet-distance';
import { forEachImageBatch, type ImageSet, imageCount } from './image-batches';

/** Options of the feature extraction. */
export interface FeatureOptions {
  /** Images per forward pass (default 128). */
  batchSize?: number;
}

/** The features of every image, row after row: a Float32Array of N * net.featureDim values. */
export function extractFeatures(net: FeatureNet, images: ImageSet, options: FeatureOptions = {}, field = 'images'): Float32Array {
  const n = imageCount(images, field);
  const dim = net.featureDim;
  const out = new Float32Array(n * dim);
  forEachImageBatch(
    net,
    images,
    options.batchSize ?? 128,
    (batch, start) => {
      const f = net.features(batch);
      out.set(f.dataSync() as Float32Array, start * dim);
      f.dispose();
    },
    field,
  );
  return out;
}

/** Mean and covariance of the features of a set of at least 2 images (reuse it as a reference). */
export function featureStatisticsOf(net: FeatureNet, images: ImageSet, options: FeatureOptions = {}, field = 'images'): FeatureStatistics {
  const n = imageCount(images, field);
  if (n < 2) invalid(`${field}.length`, n, 'at least 2 images');
  return featureStatistics(extractFeatures(net, images, options, field), n, net.featureDim, `${field} features`);
}

function isStatistics(value: unknown): value is FeatureStatistics {
  return typeof value === 'object' && value !== null && !(value instanceof tf.Tensor) && 'covariance' in value && 'mean' in value;
}

/**
 * The Frechet distance between the features of two image sets, each given as images
 * (NCHW tensor or CHW arrays) or as precomputed {@link featureStatisticsOf}.
 * @example
 * ```ts
 * const net = await loadShippedFeatureNet('shapes'); // from '@rectiflow/eval/node'
 * const reference = featureStatisticsOf(net, realImages);
 * const fd = frechetFeatureDistance(net, samples, reference);
 * ```
 */
export function frechetFeatureDistance(
  net: FeatureNet,
  imagesA: ImageSet | FeatureStatistics,
  imagesB: ImageSet | FeatureStatistics,
  options: FeatureOptions = {},
): number {
  const stats = (value: ImageSet | FeatureStatistics, field: string) => {
    if (!isStatistics(value)) return featureStatisticsOf(net, value, options, field);
    if (value.mean?.length !== net.featureDim)
      invalid(`${field}.mean.length`, value.mean?.length, `${net.featureDim}, the feature dimension of the net`);
    return value;
  };
  return frechetDistance(stats(imagesA, 'imagesA'), stats(imagesB, 'imagesB'));
}
