/**
 * The diagonal Gaussian an LDM encoder outputs: the encoder's 2·z channels split into mean
 * (first half) and log-variance (second half, clamped to [-30, 20]).
 */
import { tf } from '@rectiflow/core';

/** The log-variance clamp of the official `SDVAE.encode`. */
export const LOGVAR_RANGE: readonly [number, number] = [-30, 20];

/** Split an NCHW encoder output [B, 2z, h, w] into mean and clamped log-variance. */
export function splitMoments(encoderOutput: tf.Tensor4D): { mean: tf.Tensor4D; logvar: tf.Tensor4D } {
  return tf.tidy(() => {
    const [mean, logvar] = tf.split(encoderOutput, 2, 1) as [tf.Tensor4D, tf.Tensor4D];
    return { mean, logvar: tf.clipByValue(logvar, LOGVAR_RANGE[0], LOGVAR_RANGE[1]) };
  });
}

/** `mean + exp(0.5 · logvar) · eps`. */
export function sampleLatent(mean: tf.Tensor4D, logvar: tf.Tensor4D, eps: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() => tf.add(mean, tf.mul(tf.exp(tf.mul(logvar, 0.5)), eps)));
}
