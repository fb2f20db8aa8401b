import { create, createRng, PluginArgumentError, registry, tf } from '@rectiflow/core';
import { describe, expect, it } from 'vitest';
import { AUTOENCODER_NAMES, createAutoencoder } from './autoencoder-plugins';
import { PixelAutoencoder } from './pixel-autoencoder';
import { SD3VAE } from './sd3-vae';
import { TinyAutoencoder } from './tiny-autoencoder';

describe('autoencoder plugins', () => {
  it('registers pixel, sd3-vae and tiny-ae', () => {
    expect(AUTOENCODER_NAMES).toEqual(['pixel', 'sd3-vae', 'tiny-ae']);
    for (const name of AUTOENCODER_NAMES) expect(registry.has('autoencoder', name)).toBe(true);
    expect(registry.usage('autoencoder', 'pixel')).toBe('pixel(scale=1, channels=3)');
  });

  it('creates each adapter from a spec', () => {
    const pixel = createAutoencoder('pixel(scale=0.5)');
    expect(pixel).toBeInstanceOf(PixelAutoencoder);
    expect([pixel.name, (pixel as PixelAutoencoder).scale]).toEqual(['pixel(scale=0.5)', 0.5]);
    const tiny = create('autoencoder', 'tiny-ae(latentChannels=2, patch=2, hidden=8, kl=false)');
    expect(tiny).toBeInstanceOf(TinyAutoencoder);
    expect([tiny.latentChannels, tiny.downsampleFactor, (tiny as TinyAutoencoder).config.kl]).toEqual([2, 2, false]);
    const vae = createAutoencoder('sd3-vae(ch=32, chMult=[1, 2], numResBlocks=1, seed=4)');
    expect(vae).toBeInstanceOf(SD3VAE);
    expect([vae.latentChannels, vae.downsampleFactor, vae.name]).toEqual([16, 2, 'sd3-vae(ch=32, chMult=[1, 2], numResBlocks=1, seed=4)']);
    tf.tidy(() => {
      const images = tf.zeros([1, 3, 4, 4]) as tf.Tensor4D;
      for (const ae of [pixel, tiny, vae]) {
        const { sample } = ae.encode(tf.slice(images, 0, [1, ae.imageChannels]) as tf.Tensor4D, createRng(0));
        expect(ae.decode(sample).shape).toEqual([1, 3, 4, 4]);
      }
    });
    for (const ae of [pixel, tiny, vae]) ae.dispose();
  });

  it('rejects bad arguments with the usage', () => {
    expect(() => createAutoencoder('pixel(scale=-1)')).toThrow(PluginArgumentError);
    expect(() => createAutoencoder('tiny-ae(patch=0)')).toThrow(/argument "patch" got 0; expected an integer >= 1/);
    expect(() => createAutoencoder('sd3-vae(ch=48, chMult=[1])')).toThrow(/config\.ch: got 48; expected a multiple of 32/);
  });
});
