import { createRng, tf, WeightMismatchError } from '@rectiflow/core';
import { expectClose, expectNoTensorLeak } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { TinyAutoencoder, tinyAutoencoderWeightShapes } from './tiny-autoencoder';

describe('TinyAutoencoder', () => {
  it('maps images to latents p times smaller and back', () => {
    const ae = new TinyAutoencoder({ latentChannels: 5, patchSize: 2, hidden: 16 }, { seed: 1 });
    expect([ae.imageChannels, ae.latentChannels, ae.downsampleFactor]).toEqual([3, 5, 2]);
    tf.tidy(() => {
      const images = createRng(1).uniform([2, 3, 4, 6], -1, 1) as tf.Tensor4D;
      const { mean, logvar, sample } = ae.encode(images, createRng(2));
      expect([mean.shape, logvar.shape, sample.shape]).toEqual([
        [2, 5, 2, 3],
        [2, 5, 2, 3],
        [2, 5, 2, 3],
      ]);
      expect(ae.decode(sample).shape).toEqual([2, 3, 4, 6]);
      // KL variant: sample = mean + exp(logvar / 2) * eps with eps from the rng.
      const eps = createRng(2).normal([2, 5, 2, 3]);
      expectClose(sample, tf.add(mean, tf.mul(tf.exp(tf.mul(logvar, 0.5)), eps)), { atol: 1e-5, rtol: 1e-5 });
    });
    ae.dispose();
  });

  it('encodes each patch on its own: changing one patch changes only its latent', () => {
    const ae = new TinyAutoencoder({ latentChannels: 2, patchSize: 2, hidden: 8, kl: false }, { seed: 4 });
    tf.tidy(() => {
      const a = tf.zeros([1, 3, 4, 4]) as tf.Tensor4D;
      const b = tf.pad(tf.ones([1, 3, 2, 2]), [
        [0, 0],
        [0, 0],
        [2, 0],
        [2, 0],
      ]) as tf.Tensor4D;
      const diff = tf.abs(tf.sub(ae.encodeMoments(a).mean, ae.encodeMoments(b).mean)).sum([0, 1]);
      const changed = Array.from(diff.dataSync(), (v) => v > 0);
      expect(changed).toEqual([false, false, false, true]);
    });
    ae.dispose();
  });

  it('is deterministic in its plain variant and seeds its weights', () => {
    const a = new TinyAutoencoder({ kl: false, hidden: 8 }, { seed: 7 });
    const b = new TinyAutoencoder({ kl: false, hidden: 8 }, { seed: 7 });
    tf.tidy(() => {
      const images = createRng(3).uniform([1, 3, 8, 8], -1, 1) as tf.Tensor4D;
      const ea = a.encode(images, createRng(1));
      expectClose(ea.sample, ea.mean, { atol: 0, rtol: 0 });
      expectClose(b.encode(images, createRng(9)).mean, ea.mean, { atol: 0, rtol: 0 });
    });
    expect([...tinyAutoencoderWeightShapes(a.config).keys()]).toEqual([...a.weights().keys()]);
    a.dispose();
    b.dispose();
  });

  it('rejects bad input, configuration and weights', () => {
    const ae = new TinyAutoencoder({ hidden: 8 });
    const odd = tf.zeros([1, 3, 6, 8]) as tf.Tensor4D;
    expect(() => ae.encode(odd, createRng(0))).toThrow(
      /images\.shape: got \[1, 3, 6, 8\]; expected height and width that are positive multiples of 4/,
    );
    const grey = tf.zeros([1, 1, 8, 8]) as tf.Tensor4D;
    expect(() => ae.encode(grey, createRng(0))).toThrow(/expected 3 channels in dimension 1/);
    expect(() => new TinyAutoencoder({ patchSize: 0 })).toThrow(/config\.patchSize: got 0; expected an integer >= 1/);
    const w = tf.zeros([48, 9]);
    expect(() => new TinyAutoencoder({ hidden: 8 }, { weights: new Map([['encoder.0.weight', w]]) })).toThrow(WeightMismatchError);
    expect(() => new TinyAutoencoder({ hidden: 8 }, { weights: new Map([['encoder.0.weight', w]]) })).toThrow(
      /"encoder\.0\.weight" has shape \[48, 9\]; expected \[48, 8\]/,
    );
    tf.dispose([odd, grey, w]);
    ae.dispose();
    expect(() => ae.encode(odd, createRng(0))).toThrow(/used after dispose/);
  });

  it('does not leak tensors in encode or decode', async () => {
    const ae = new TinyAutoencoder({ hidden: 8 });
    const images = tf.zeros([2, 3, 8, 8]) as tf.Tensor4D;
    await expectNoTensorLeak(() => {
      const d = ae.encode(images, createRng(0));
      const out = ae.decode(d.sample);
      tf.dispose([d.mean, d.logvar, d.sample, out]);
    });
    images.dispose();
    ae.dispose();
  });
});
