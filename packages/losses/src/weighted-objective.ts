import { type ForwardProcess, invalid, type LossWeighting, tf } from '@rectiflow/core';
import { readTimes } from '@rectiflow/schedules';
import { lossMultiplier } from './loss-multiplier';

/**
 * The paper's general weighted objective in its eps form (section 2, after Kingma & Gao 2023),
 * per sample: -1/2 w_t lambda'_t mean_j (epsPred_ij - eps_ij)^2, for any process and weighting.
 * `epsPred` and `eps` are [B, ...], `t` is [B]. {@link flowMatchingLoss} computes the same
 * quantity in the network's own parameterisation.
 */
export function weightedObjective(
  process: ForwardProcess,
  weighting: LossWeighting,
  epsPred: tf.Tensor,
  eps: tf.Tensor,
  t: tf.Tensor1D,
): tf.Tensor1D {
  if (!(epsPred instanceof tf.Tensor) || epsPred.rank < 1) invalid('epsPred', epsPred, 'a tf.Tensor [B, ...]');
  if (!(eps instanceof tf.Tensor) || eps.shape.join() !== epsPred.shape.join()) {
    invalid('eps.shape', eps?.shape, `[${epsPred.shape.join(', ')}] (the shape of epsPred)`);
  }
  if (!(t instanceof tf.Tensor) || t.shape.join() !== String(epsPred.shape[0])) invalid('t.shape', t?.shape, `[${epsPred.shape[0]}]`);
  const times = readTimes('t', t);
  const m = Float32Array.from(times, (s) => lossMultiplier(weighting, process, 'eps', s));
  return tf.tidy(() => {
    const axes = Array.from({ length: epsPred.rank - 1 }, (_, i) => i + 1);
    const sq = tf.square(tf.sub(epsPred, eps));
    const mse = axes.length ? tf.mean(sq, axes) : sq;
    return tf.mul(mse, tf.tensor1d(m, 'float32')) as tf.Tensor1D;
  });
}
