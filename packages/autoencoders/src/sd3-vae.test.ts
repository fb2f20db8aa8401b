import { createRng, tf } from '@rectiflow/core';
import { expectClose, expectNoTensorLeak, fixturePath } from '@rectiflow/core/testing';
import { readTensors } from '@rectiflow/safetensors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleLatent } from './latent-distribution';
import { processIn, processOut, SD3_LATENT_FORMAT } from './latent-format';
import { loadSD3VAE } from './load-sd3-vae';
import type { SD3VAE } from './sd3-vae';

const ATOL = 1e-4;
let vae: SD3VAE;
let io: Map<string, tf.Tensor>;
const t = (key: string) => io.get(key) as tf.Tensor4D;

beforeAll(async () => {
  vae = await loadSD3VAE(fixturePath('vae_tiny.safetensors'));
  io = await readTensors(fixturePath('vae_tiny_io.safetensors'));
});
afterAll(() => {
  vae.dispose();
  tf.dispose([...io.values()]);
});

describe('SD3 VAE parity with the official code (vae_tiny)', () => {
  it('reads the configuration from the tensor shapes', () => {
    expect(vae.config).toEqual({ ch: 32, chMult: [1, 2], numResBlocks: 1, imageChannels: 3, latentChannels: 16 });
    expect(vae.downsampleFactor).toBe(2);
    expect(vae.latentChannels).toBe(16);
  });

  it('matches encoder_out, mean, logvar and std', () => {
    tf.tidy(() => {
      expectClose(vae.encoderOutput(t('image')), t('encoder_out'), { atol: ATOL, rtol: 0, label: 'encoder_out' });
      const { mean, logvar } = vae.encodeMoments(t('image'));
      expectClose(mean, t('mean'), { atol: ATOL, rtol: 0, label: 'mean' });
      expectClose(logvar, t('logvar'), { atol: ATOL, rtol: 0, label: 'logvar' });
      expectClose(tf.exp(tf.mul(logvar, 0.5)), t('std'), { atol: ATOL, rtol: 0, label: 'std' });
    });
  });

  it('matches encode_sample and its normalised form with the fixture noise', () => {
    tf.tidy(() => {
      const { mean, logvar } = vae.encodeMoments(t('image'));
      const sample = sampleLatent(mean, logvar, t('eps'));
      expectClose(sample, t('encode_sample'), { atol: ATOL, rtol: 0, label: 'encode_sample' });
      expectClose(processIn(sample, vae.latentFormat), t('encode_sample_process_in'), { atol: ATOL, rtol: 0, label: 'process_in' });
    });
  });

  it('matches decoder_out and process_out', () => {
    tf.tidy(() => {
      expectClose(vae.decodeRaw(t('decoder_in')), t('decoder_out'), { atol: ATOL, rtol: 0, label: 'decoder_out' });
      expectClose(processOut(t('decoder_in'), SD3_LATENT_FORMAT), t('decoder_in_process_out'), {
        atol: 1e-6,
        rtol: 0,
        label: 'process_out',
      });
      // decode() takes normalised latents: normalising decoder_in first must give decoder_out again.
      const normalised = processIn(t('decoder_in'), SD3_LATENT_FORMAT);
      expectClose(vae.decode(normalised), t('decoder_out'), { atol: ATOL, rtol: 0, label: 'decode(process_in(z))' });
    });
  });

  it('encode() returns the normalised mean and a seeded sample', () => {
    tf.tidy(() => {
      const a = vae.encode(t('image'), createRng(7));
      const b = vae.encode(t('image'), createRng(7));
      expectClose(a.mean, processIn(t('mean'), SD3_LATENT_FORMAT), { atol: ATOL * 2, rtol: 0, label: 'mean (normalised)' });
      expectClose(a.logvar, t('logvar'), { atol: ATOL, rtol: 0, label: 'logvar' });
      expect(tf.equal(a.sample, b.sample).all().dataSync()[0]).toBe(1);
      // sample = process_in(mean + std * eps) with eps drawn by the same rng.
      const eps = createRng(7).normal(t('mean').shape);
      const expected = processIn(sampleLatent(t('mean'), t('logvar'), eps), SD3_LATENT_FORMAT);
      expectClose(a.sample, expected, { atol: ATOL * 2, rtol: 0, label: 'sample' });
    });
  });

  it('does not leak tensors in encode or decode', async () => {
    await expectNoTensorLeak(() => tf.dispose(Object.values(vae.encode(t('image'), createRng(1)))), { iterations: 2, label: 'encode' });
    await expectNoTensorLeak(() => vae.decode(t('decoder_in')).dispose(), { iterations: 2, label: 'decode' });
  });
});
