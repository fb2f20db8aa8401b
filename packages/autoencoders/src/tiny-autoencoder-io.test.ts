import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, tf } from '@rectiflow/core';
import { expectClose } from '@rectiflow/core/testing';
import { readSafetensors, serializeSafetensors } from '@rectiflow/safetensors';
import { afterAll, describe, expect, it } from 'vitest';
import { rampImages } from './test-helpers';
import { TinyAutoencoder } from './tiny-autoencoder';
import { loadTinyAutoencoder, saveTinyAutoencoder, serializeTinyAutoencoder } from './tiny-autoencoder-io';
import { trainTinyAutoencoder } from './train-tiny-autoencoder';

const dir = mkdtempSync(join(tmpdir(), 'rectiflow-tiny-ae-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('saving and loading a tiny autoencoder', () => {
  it('round-trips weights, configuration and latent normalisation through a file and through bytes', async () => {
    const images = rampImages(8, 8, 5);
    const ae = new TinyAutoencoder({ latentChannels: 3, hidden: 16, kl: true }, { seed: 2 });
    trainTinyAutoencoder(ae, images, { steps: 5, rng: createRng(1) });
    const path = join(dir, 'ae.safetensors');
    await saveTinyAutoencoder(ae, path);
    const file = await readSafetensors(path);
    expect(file.metadata.format).toBe('rectiflow/tiny-ae');
    expect(file.info('encoder.0.weight').shape).toEqual([48, 16]);
    await file.close();
    for (const loaded of [await loadTinyAutoencoder(path), await loadTinyAutoencoder(await serializeTinyAutoencoder(ae))]) {
      expect(loaded.config).toEqual(ae.config);
      expect(loaded.latentFormat).toEqual(ae.latentFormat);
      tf.tidy(() => {
        const a = ae.encode(images, createRng(3));
        const b = loaded.encode(images, createRng(3));
        expectClose(b.sample, a.sample, { atol: 0, rtol: 0 });
        expectClose(loaded.decode(b.sample), ae.decode(a.sample), { atol: 0, rtol: 0 });
      });
      loaded.dispose();
    }
    ae.dispose();
    images.dispose();
  });

  it('names misshaped weights and missing configuration', async () => {
    const ae = new TinyAutoencoder({ hidden: 16 });
    const weights = ae.weights();
    const wrong = tf.zeros([16, 7]);
    weights.set('decoder.1.weight', wrong);
    const bytes = await serializeSafetensors(weights, { format: 'rectiflow/tiny-ae', config: JSON.stringify(ae.config) });
    await expect(loadTinyAutoencoder(bytes)).rejects.toThrow(/"decoder\.1\.weight" has shape \[16, 7\]; expected \[16, 16\]/);
    await expect(loadTinyAutoencoder(ae.weights())).rejects.toThrow(/config: got undefined; expected a config in the file metadata/);
    const copy = await loadTinyAutoencoder(ae.weights(), { config: { hidden: 16 } });
    expect(copy.config.hidden).toBe(16);
    copy.dispose();
    const foreign = await serializeSafetensors(ae.weights(), { format: 'pt' });
    await expect(loadTinyAutoencoder(foreign)).rejects.toThrow(/metadata\.format: got "pt"; expected "rectiflow\/tiny-ae"/);
    wrong.dispose();
    ae.dispose();
  });
});
