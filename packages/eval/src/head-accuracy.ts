/**
 * How often the heads of a {@link FeatureNet} predict the right class.
 */
import { invalid, tf } from '@rectiflow/core';
import type { FeatureNet } from './feature-net';
import { forEachImageBatch, type ImageSet, imageCount } from './image-batches';

/** The most probable class of each head for every image, by head name. */
export function predictHeads(net: FeatureNet, images: ImageSet, batchSize = 128): Record<string, Int32Array> {
  const n = imageCount(images);
  const out: Record<string, Int32Array> = {};
  for (const h of net.config.heads) out[h.name] = new Int32Array(n);
  forEachImageBatch(net, images, batchSize, (batch, start) => {
    const logits = net.logits(batch);
    let offset = 0;
    for (const h of net.config.heads) {
      const argmax = tf.tidy(() => tf.argMax(tf.slice(logits, [0, offset], [-1, h.classes.length]), 1));
      out[h.name].set(argmax.dataSync() as Int32Array, start);
      argmax.dispose();
      offset += h.classes.length;
    }
    logits.dispose();
  });
  return out;
}

/**
 * The accuracy of each head: `targets` holds, image after image, one class index per head
 * (in the order of `net.config.heads`), or -1 where the head does not apply. A head that
 * applies to no image gets NaN.
 */
export function headAccuracies(net: FeatureNet, images: ImageSet, targets: ArrayLike<number>, batchSize = 128): Record<string, number> {
  const n = imageCount(images);
  const heads = net.config.heads;
  if (!targets || targets.length !== n * heads.length) {
    invalid('targets.length', targets?.length, `images * heads = ${n} * ${heads.length} = ${n * heads.length}`);
  }
  heads.forEach((h, k) => {
    for (let i = 0; i < n; i++) {
      const t = targets[i * heads.length + k];
      if (!Number.isInteger(t) || t < -1 || t >= h.classes.length) {
        invalid(`targets[${i * heads.length + k}] (image ${i}, head ${h.name})`, t, `-1 or a class index in [0, ${h.classes.length - 1}]`);
      }
    }
  });
  const predictions = predictHeads(net, images, batchSize);
  const out: Record<string, number> = {};
  heads.forEach((h, k) => {
    let right = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const t = targets[i * heads.length + k];
      if (t < 0) continue;
      total++;
      if (predictions[h.name][i] === t) right++;
    }
    out[h.name] = total ? right / total : Number.NaN;
  });
  return out;
}
