import { createRng, tf } from '@rectiflow/core';
import { expectNoTensorLeak } from '@rectiflow/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rampImages } from './test-helpers';
import { TinyAutoencoder } from './tiny-autoencoder';
import { reconstructionError, trainTinyAutoencoder } from './train-tiny-autoencoder';

/** The fixed bound: mean squared error, pixels in [-1, 1]. Untrained, the error is about 0.15. */
const BOUND = 0.005;
let images: tf.Tensor4D;
beforeAll(() => {
  images = rampImages(32, 8, 1);
});
afterAll(() => images.dispose());

describe('trainTinyAutoencoder (on the test backend, wasm)', () => {
  it.each([false, true])('trains the %s-KL variant until the reconstruction error is below the bound', (kl) => {
    const ae = new TinyAutoencoder({ latentChannels: 8, patchSize: 4, hidden: 64, kl }, { seed: 1 });
    const result = trainTinyAutoencoder(ae, images, {
      steps: 400,
      batchSize: 32,
      learningRate: 1e-2,
      targetError: BOUND,
      rng: createRng(2),
    });
    expect(result.initialError).toBeGreaterThan(0.1);
    expect(result.steps).toBeLessThan(400);
    expect(result.reconstruction[result.steps - 1]).toBeLessThan(BOUND);
    expect(result.finalError).toBeLessThan(BOUND);
    expect(result.finalError).toBeCloseTo(reconstructionError(ae, images), 10);
    expect(result.losses).toHaveLength(result.steps);
    // The fitted normalisation whitens the latent means.
    tf.tidy(() => {
      const { mean } = ae.encode(images, createRng(0));
      const m = tf.moments(mean);
      expect(Math.abs(m.mean.dataSync()[0])).toBeLessThan(1e-3);
      expect(m.variance.dataSync()[0]).toBeCloseTo(1, 3);
    });
    ae.dispose();
  });

  it('keeps the tensor count flat across steps and calls', async () => {
    const ae = new TinyAutoencoder({ hidden: 8 }, { seed: 3 });
    const counts: number[] = [];
    trainTinyAutoencoder(ae, images, { steps: 6, batchSize: 8, rng: createRng(1), onStep: () => void counts.push(tf.memory().numTensors) });
    expect(new Set(counts).size).toBe(1);
    await expectNoTensorLeak(() => void trainTinyAutoencoder(ae, images, { steps: 2, batchSize: 8, rng: createRng(1) }), {
      iterations: 2,
      label: 'training',
    });
    ae.dispose();
  });

  it('stops when onStep returns false, and checks its options', () => {
    const ae = new TinyAutoencoder({ hidden: 8, kl: false }, { seed: 3 });
    const result = trainTinyAutoencoder(ae, images, { steps: 50, batchSize: 4, rng: createRng(1), onStep: ({ step }) => step < 3 });
    expect(result.steps).toBe(3);
    expect(() => trainTinyAutoencoder(ae, images, { steps: 1, batchSize: 64, rng: createRng(1) })).toThrow(
      /batchSize: got 64; expected an integer >= 1 and <= 32/,
    );
    const grey = tf.zeros([2, 1, 8, 8]) as tf.Tensor4D;
    expect(() => trainTinyAutoencoder(ae, grey, { steps: 1, rng: createRng(1) })).toThrow(
      /images\.shape: got \[2, 1, 8, 8\]; expected 3 channels/,
    );
    grey.dispose();
    ae.dispose();
  });
});
