/**
 * Training a {@link TinyAutoencoder} on a batch of images with Adam: mean squared
 * reconstruction error, plus a weighted KL divergence to N(0, 1) for the KL variant.
 */
import { checkNumber, invalid, type Rng, tf } from '@rectiflow/core';
import { checkNCHW } from './check-images';
import type { LatentFormat } from './latent-format';
import type { TinyAutoencoder } from './tiny-autoencoder';

/** What {@link TrainTinyAutoencoderOptions.onStep} receives. */
export interface TinyAutoencoderStep {
  /** 1-based step number. */
  step: number;
  /** The minimised loss of the step's mini-batch. */
  loss: number;
  /** The mean squared reconstruction error of the step's mini-batch (pixels in [-1, 1]). */
  reconstruction: number;
}

/** Options of {@link trainTinyAutoencoder}. */
export interface TrainTinyAutoencoderOptions {
  /** Optimiser steps (at most; see `targetError`). */
  steps: number;
  /** Draws the mini-batches and the latent noise. */
  rng: Rng;
  /** Images per step (default min(16, dataset size)). */
  batchSize?: number;
  /** Adam learning rate (default 3e-3). */
  learningRate?: number;
  /** Weight of the KL term per latent element (default 1e-4; ignored by a plain autoencoder). */
  klWeight?: number;
  /** Stop early once a step's reconstruction error is below this. */
  targetError?: number;
  /** Refit the latent normalisation to zero mean and unit variance on the data afterwards (default true). */
  fitLatentFormat?: boolean;
  /** Called after each step; return `false` to stop. */
  onStep?: (info: TinyAutoencoderStep) => undefined | boolean;
}

/** What {@link trainTinyAutoencoder} returns. */
export interface TrainTinyAutoencoderResult {
  /** Steps taken. */
  steps: number;
  /** Per-step loss and reconstruction error of the mini-batches. */
  losses: number[];
  reconstruction: number[];
  /** Mean squared reconstruction error over all images, decoding the latent mean, before and after training. */
  initialError: number;
  finalError: number;
  /** The latent normalisation in use after training. */
  latentFormat: LatentFormat;
}

/**
 * Mean squared error between images and the reconstruction from their latent mean
 * (no noise), over the whole set, computed in chunks of `batchSize`.
 */
export function reconstructionError(ae: TinyAutoencoder, images: tf.Tensor4D, batchSize = 64): number {
  const n = images.shape[0];
  let total = 0;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const sum = tf.tidy(() => {
      const x = tf.slice(images, [start, 0, 0, 0], [size, -1, -1, -1]);
      return tf.sum(tf.squaredDifference(ae.decodeRaw(ae.encodeMoments(x).mean), x));
    });
    total += sum.dataSync()[0];
    sum.dispose();
  }
  return total / images.size;
}

/** Mean and standard deviation of the raw latent means over the images: the normalisation that whitens them. */
export function fitLatentFormat(ae: TinyAutoencoder, images: tf.Tensor4D): LatentFormat {
  const [mean, std] = tf.tidy(() => {
    const { mean: m } = ae.encodeMoments(images);
    const { mean: mu, variance } = tf.moments(m);
    return [mu.dataSync()[0], Math.sqrt(variance.dataSync()[0])];
  });
  return { shift: mean, scale: std > 1e-12 ? 1 / std : 1 };
}

/**
 * Train `ae` in place on NCHW images in [-1, 1]. Runs on every backend, wasm included.
 * @example
 * ```ts
 * const result = trainTinyAutoencoder(ae, images, { steps: 200, rng: createRng(0) });
 * console.log(result.finalError);
 * ```
 */
export function trainTinyAutoencoder(
  ae: TinyAutoencoder,
  images: tf.Tensor4D,
  options: TrainTinyAutoencoderOptions,
): TrainTinyAutoencoderResult {
  checkNCHW('images', images, ae.imageChannels, ae.downsampleFactor, 'training images in [-1, 1]');
  const n = images.shape[0];
  const steps = checkNumber('steps', options.steps, { integer: true, min: 0 });
  const batchSize = checkNumber('batchSize', options.batchSize ?? Math.min(16, n), { integer: true, min: 1, max: n });
  const learningRate = checkNumber('learningRate', options.learningRate ?? 3e-3, { greaterThan: 0 });
  const klWeight = checkNumber('klWeight', options.klWeight ?? 1e-4, { min: 0 });
  const targetError = options.targetError === undefined ? -Infinity : checkNumber('targetError', options.targetError, { min: 0 });
  if (!options.rng) invalid('rng', options.rng, 'an Rng (createRng(seed))');
  const { rng } = options;
  const [, , h, w] = images.shape;
  const f = ae.downsampleFactor;
  const result: TrainTinyAutoencoderResult = {
    steps: 0,
    losses: [],
    reconstruction: [],
    initialError: reconstructionError(ae, images),
    finalError: Number.NaN,
    latentFormat: ae.latentFormat,
  };
  const optimizer = tf.train.adam(learningRate);
  let order = rng.permutation(n);
  let at = 0;
  try {
    for (let step = 1; step <= steps; step++) {
      if (at + batchSize > n) {
        order = rng.permutation(n);
        at = 0;
      }
      const indices = tf.tensor1d(order.subarray(at, at + batchSize), 'int32');
      at += batchSize;
      const batch = tf.gather(images, indices) as tf.Tensor4D;
      const eps = ae.config.kl ? rng.normal([batchSize * (h / f) * (w / f), ae.latentChannels]) : null;
      let recon: tf.Scalar | null = null;
      const loss = optimizer.minimize(
        () => {
          const { mean, logvar } = ae.momentRows(batch);
          const z = logvar && eps ? tf.add(mean, tf.mul(tf.exp(tf.mul(logvar, 0.5)), eps)) : mean;
          const out = ae.decodeRows(z as tf.Tensor2D, batchSize, h / f, w / f);
          const r = tf.mean(tf.squaredDifference(out, batch)) as tf.Scalar;
          recon = tf.keep(r);
          if (!logvar) return r;
          const kl = tf.mean(tf.mul(tf.sub(tf.add(tf.square(mean), tf.exp(logvar)), tf.add(logvar, 1)), 0.5));
          return tf.add(r, tf.mul(kl, klWeight)) as tf.Scalar;
        },
        true,
        ae.variables,
      ) as tf.Scalar;
      const info: TinyAutoencoderStep = {
        step,
        loss: loss.dataSync()[0],
        reconstruction: (recon as tf.Scalar | null)?.dataSync()[0] ?? Number.NaN,
      };
      tf.dispose([loss, recon as tf.Scalar | null, batch, indices, eps].filter((t): t is tf.Tensor => t !== null));
      result.steps = step;
      result.losses.push(info.loss);
      result.reconstruction.push(info.reconstruction);
      if (options.onStep?.(info) === false || info.reconstruction < targetError) break;
    }
  } finally {
    optimizer.dispose();
  }
  if (options.fitLatentFormat ?? true) ae.latentFormat = Object.freeze(fitLatentFormat(ae, images));
  result.latentFormat = ae.latentFormat;
  result.finalError = reconstructionError(ae, images);
  return result;
}
