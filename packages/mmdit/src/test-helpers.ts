/** Shared test helpers: a tiny configuration, its inputs, bit equality (fixtures: `@rectiflow/core/testing`). */
import { createRng, tf } from '@rectiflow/core';
import type { MMDiTOptions } from './config';
import type { MMDiT } from './mmdit';

/** A really tiny model that still has every kind of tensor (q/k norm, dual attention, registers). */
export const TINY: MMDiTOptions = {
  depth: 2,
  hidden: 8,
  heads: 2,
  mlpHidden: 16,
  patchSize: 2,
  inChannels: 2,
  pooledDim: 3,
  contextDim: 5,
  posEmbedMaxSize: 4,
  qkNorm: true,
  dualAttentionLayers: [0],
  registerTokens: 1,
  frequencyDim: 8,
};

/** Inputs for {@link TINY}: latents [2, 2, 4, 4], timesteps, pooled [2, 3], context [2, 3, 5]. */
export function tinyInputs(seed = 1): { x: tf.Tensor4D; t: tf.Tensor1D; y: tf.Tensor2D; context: tf.Tensor3D } {
  const rng = createRng(seed);
  return {
    x: rng.normal([2, 2, 4, 4]) as tf.Tensor4D,
    t: tf.tensor1d([300, 850]),
    y: rng.normal([2, 3]) as tf.Tensor2D,
    context: rng.normal([2, 3, 5]) as tf.Tensor3D,
  };
}

/** Overwrite every trainable variable with random normal values (so no gate is zero). */
export function randomizeWeights(model: MMDiT, seed = 2, std = 0.3): void {
  const rng = createRng(seed);
  for (const v of model.trainableVariables()) {
    const r = rng.normal(v.shape, 0, std);
    v.assign(r);
    r.dispose();
  }
}

/** Whether two tensors have the same shape and bit-identical float32 values. */
export function bitEqual(a: tf.Tensor, b: tf.Tensor | undefined): boolean {
  if (!b || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  const x = a.dataSync() as Float32Array;
  const y = b.dataSync() as Float32Array;
  return Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
}
