/**
 * Training a {@link FeatureNet}'s heads (and with them its features) with Adam on labelled
 * images: the sum over heads of the mean cross-entropy over the images the head applies to.
 */
import { checkNumber, invalid, type Rng, tf } from '@rectiflow/core';
import type { FeatureNet } from './feature-net';

/** What {@link TrainFeatureNetOptions.onStep} receives. */
export interface FeatureNetStep {
  /** 1-based step number. */
  step: number;
  /** The loss of the step's mini-batch. */
  loss: number;
}

/** Options of {@link trainFeatureNet}. */
export interface TrainFeatureNetOptions {
  /** Optimiser steps. */
  steps: number;
  /** Draws the mini-batches (and is passed to `augment`). */
  rng: Rng;
  /** Images per step (default min(64, dataset size)). */
  batchSize?: number;
  /** Adam learning rate (default 2e-3). */
  learningRate?: number;
  /** A random transform of each NCHW mini-batch (e.g. small shifts); runs inside tf.tidy. */
  augment?: (batch: tf.Tensor4D, rng: Rng) => tf.Tensor4D;
  /** Called after each step; return `false` to stop. */
  onStep?: (info: FeatureNetStep) => undefined | boolean;
}

/** What {@link trainFeatureNet} returns. */
export interface TrainFeatureNetResult {
  /** Steps taken. */
  steps: number;
  /** The loss of each step's mini-batch. */
  losses: number[];
}

/**
 * Train `net` in place. `targets` holds, image after image, one class index per head (in
 * the order of `net.config.heads`), or -1 where the head does not apply to the image.
 * @example
 * ```ts
 * const net = new FeatureNet(MNIST_FEATURE_NET_CONFIG, 0);
 * trainFeatureNet(net, images, digits, { steps: 1000, rng: createRng(0) });
 * ```
 */
export function trainFeatureNet(
  net: FeatureNet,
  images: tf.Tensor4D,
  targets: Int32Array,
  options: TrainFeatureNetOptions,
): TrainFeatureNetResult {
  net.checkImages(images);
  const n = images.shape[0];
  const heads = net.config.heads;
  if (!heads.length) invalid('net.config.heads', heads, 'at least one head to train');
  if (!(targets instanceof Int32Array) || targets.length !== n * heads.length) {
    invalid('targets', targets, `an Int32Array of images * heads = ${n} * ${heads.length} = ${n * heads.length} class indices`);
  }
  heads.forEach((h, k) => {
    for (let i = 0; i < n; i++) {
      const t = targets[i * heads.length + k];
      if (t < -1 || t >= h.classes.length)
        invalid(`targets[${i * heads.length + k}] (image ${i}, head ${h.name})`, t, `-1 or [0, ${h.classes.length - 1}]`);
    }
  });
  const steps = checkNumber('steps', options.steps, { integer: true, min: 0 });
  const batchSize = checkNumber('batchSize', options.batchSize ?? Math.min(64, n), { integer: true, min: 1, max: n });
  const learningRate = checkNumber('learningRate', options.learningRate ?? 2e-3, { greaterThan: 0 });
  if (!options.rng) invalid('rng', options.rng, 'an Rng (createRng(seed))');
  const { rng } = options;
  const result: TrainFeatureNetResult = { steps: 0, losses: [] };
  const optimizer = tf.train.adam(learningRate);
  const targetTensor = tf.tensor2d(targets, [n, heads.length], 'int32');
  let order = rng.permutation(n);
  let at = 0;
  try {
    for (let step = 1; step <= steps; step++) {
      if (at + batchSize > n) {
        order = rng.permutation(n);
        at = 0;
      }
      const picked = order.subarray(at, at + batchSize);
      at += batchSize;
      const loss = tf.tidy(() => {
        const indices = tf.tensor1d(picked, 'int32');
        const gathered = tf.gather(images, indices) as tf.Tensor4D;
        const batch = options.augment ? options.augment(gathered, rng) : gathered;
        const batchTargets = tf.gather(targetTensor, indices);
        // One-hot of -1 is all zeros: a head that does not apply adds nothing.
        const onehots = heads.map((h, k) => tf.oneHot(tf.reshape(tf.slice(batchTargets, [0, k], [-1, 1]), [-1]), h.classes.length));
        const counts = heads.map((_, k) => {
          let c = 0;
          for (const i of picked) if (targets[i * heads.length + k] >= 0) c++;
          return Math.max(c, 1);
        });
        return optimizer.minimize(
          () => {
            const logits = net.logits(batch);
            let offset = 0;
            const terms = heads.map((h, k) => {
              const logp = tf.logSoftmax(tf.slice(logits, [0, offset], [-1, h.classes.length]));
              offset += h.classes.length;
              return tf.div(tf.neg(tf.sum(tf.mul(onehots[k], logp))), counts[k]);
            });
            return tf.addN(terms) as tf.Scalar;
          },
          true,
          net.variables,
        ) as tf.Scalar;
      });
      const value = loss.dataSync()[0];
      loss.dispose();
      result.steps = step;
      result.losses.push(value);
      if (options.onStep?.({ step, loss: value }) === false) break;
    }
  } finally {
    optimizer.dispose();
    targetTensor.dispose();
  }
  return result;
}
