import { createRng, tf, ValidationError } from '@rectiflow/core';
import { expectClose, expectNoTensorLeak } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { PixelAutoencoder } from './pixel-autoencoder';

describe('PixelAutoencoder', () => {
  it('scales images into latents and back, deterministically', () => {
    const ae = new PixelAutoencoder({ scale: 2, channels: 1 });
    expect([ae.name, ae.latentChannels, ae.downsampleFactor]).toEqual(['pixel(scale=2)', 1, 1]);
    tf.tidy(() => {
      const images = createRng(1).uniform([2, 1, 3, 5], -1, 1) as tf.Tensor4D;
      const rng = createRng(5);
      const before = rng.getState();
      const { mean, sample, logvar } = ae.encode(images, rng);
      expect(rng.getState()).toEqual(before);
      expectClose(mean, tf.mul(images, 2), { atol: 0, rtol: 0 });
      expectClose(sample, mean, { atol: 0, rtol: 0 });
      expect(logvar.max().dataSync()[0]).toBe(-30);
      expectClose(ae.decode(sample), images, { atol: 1e-7, rtol: 0 });
    });
  });

  it('checks its options and its input', () => {
    expect(() => new PixelAutoencoder({ scale: 0 })).toThrow(/scale: got 0; expected a finite number > 0/);
    const ae = new PixelAutoencoder();
    const grey = tf.zeros([1, 1, 4, 4]) as tf.Tensor4D;
    expect(() => ae.encode(grey, createRng(0))).toThrow(ValidationError);
    expect(() => ae.decode(grey)).toThrow(/latents\.shape: got \[1, 1, 4, 4\]; expected 3 channels/);
    grey.dispose();
  });

  it('does not leak tensors', async () => {
    const ae = new PixelAutoencoder({ scale: 0.5 });
    const images = tf.zeros([1, 3, 4, 4]) as tf.Tensor4D;
    await expectNoTensorLeak(() => {
      const d = ae.encode(images, createRng(0));
      const back = ae.decode(d.sample);
      tf.dispose([d.mean, d.sample, d.logvar, back]);
    });
    images.dispose();
  });
});
