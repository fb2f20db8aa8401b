/**
 * The mnist feature net (a digit classifier) and the accuracy of generated digits: the
 * fraction of samples of "the digit N" prompts that the classifier reads as N.
 */
import { invalid } from '@rectiflow/core';
import type { FeatureNet, FeatureNetConfig } from './feature-net';
import { predictHeads } from './head-accuracy';
import { type ImageSet, imageCount } from './image-batches';

/** The architecture of the shipped mnist feature net: one head, `digit`. */
export const MNIST_FEATURE_NET_CONFIG: Readonly<FeatureNetConfig> = Object.freeze({
  channels: 3,
  size: 32,
  widths: [32, 64, 64],
  featureDim: 128,
  heads: [{ name: 'digit', classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] }],
});

/** Whether mnist example `index` is held out of the shipped net's training (the `test` split of `mnist`). */
export { isMnistHeldOut } from '@rectiflow/data';

/**
 * The fraction of `images` that the net's `digit` head classifies as the digit asked for.
 * @example
 * ```ts
 * const net = await loadShippedFeatureNet('mnist'); // from '@rectiflow/eval/node'
 * const accuracy = digitAccuracy(net, samples, [0, 1, 2, 3]); // samples of "the digit 0" ... "the digit 3"
 * ```
 */
export function digitAccuracy(net: FeatureNet, images: ImageSet, digits: ArrayLike<number>, batchSize = 128): number {
  const n = imageCount(images);
  net.head('digit');
  if (!digits || digits.length !== n) invalid('digits.length', digits?.length, `${n}, one digit per image`);
  if (n === 0) invalid('images.length', 0, 'at least one image');
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(digits[i]) || digits[i] < 0 || digits[i] > 9) invalid(`digits[${i}]`, digits[i], 'an integer digit in [0, 9]');
  }
  const predicted = predictHeads(net, images, batchSize).digit;
  let right = 0;
  for (let i = 0; i < n; i++) if (predicted[i] === digits[i]) right++;
  return right / n;
}
