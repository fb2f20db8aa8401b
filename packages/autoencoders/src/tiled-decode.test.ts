import { createRng, tf } from '@rectiflow/core';
import { expectClose, expectNoTensorLeak } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import { PixelAutoencoder } from './pixel-autoencoder';
import { createRandomSD3VAE } from './random-sd3-vae';
import { decodeTiled } from './tiled-decode';
import { TinyAutoencoder } from './tiny-autoencoder';

describe('decodeTiled', () => {
  it('equals a whole decode for local decoders, tiles of every fit included', () => {
    const pixel = new PixelAutoencoder({ scale: 2 });
    const tiny = new TinyAutoencoder({ latentChannels: 3, patchSize: 2, hidden: 8 }, { seed: 1 });
    tf.tidy(() => {
      const z = createRng(1).normal([2, 3, 11, 7]) as tf.Tensor4D;
      for (const ae of [pixel, tiny]) {
        const whole = ae.decode(z);
        for (const [tile, overlap] of [
          [4, 1],
          [5, 2],
          [3, 0],
          [16, 4],
        ]) {
          expectClose(decodeTiled(ae, z, { tile, overlap }), whole, {
            atol: 1e-5,
            rtol: 1e-5,
            label: `${ae.name} tile ${tile}/${overlap}`,
          });
        }
      }
    });
    tiny.dispose();
  });

  it('equals the SD3 VAE decode when one tile covers the latent, and stays close with tiles', () => {
    const vae = createRandomSD3VAE({ ch: 32, chMult: [1, 2], numResBlocks: 1, imageChannels: 3, latentChannels: 16 }, { seed: 2 });
    tf.tidy(() => {
      const z = createRng(2).normal([1, 16, 12, 12]) as tf.Tensor4D;
      const whole = vae.decode(z);
      expectClose(decodeTiled(vae, z, { tile: 12 }), whole, { atol: 1e-5, rtol: 0 });
      const tiled = decodeTiled(vae, z, { tile: 8, overlap: 4 });
      expect(tiled.shape).toEqual(whole.shape);
      // Not exact: GroupNorm statistics and attention see one tile (measured 0.40 relative L2 with these random
      // weights); a blending bug, such as unnormalised weights, would be at 1 or more.
      const rel = tf.norm(tf.sub(tiled, whole)).div(tf.norm(whole)).dataSync()[0];
      expect(rel).toBeLessThan(0.5);
    });
    vae.dispose();
  });

  it('checks its options and does not leak tensors', async () => {
    const pixel = new PixelAutoencoder();
    const z = tf.zeros([1, 3, 6, 6]) as tf.Tensor4D;
    expect(() => decodeTiled(pixel, z, { tile: 4, overlap: 4 })).toThrow(/overlap: got 4; expected an integer >= 0 and < 4/);
    await expectNoTensorLeak(() => decodeTiled(pixel, z, { tile: 4, overlap: 1 }).dispose());
    z.dispose();
  });
});
