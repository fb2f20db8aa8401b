import { type Autoencoder, create, tf, type VelocityFn } from '@rectiflow/core';
import { expectNoTensorLeak } from '@rectiflow/core/testing';
import { SmallTextEncoder } from '@rectiflow/text-encoders';
import { describe, expect, it } from 'vitest';
import '@rectiflow/autoencoders';
import { textToImage } from './text-to-image';

// Data that is one image C: the exact rectified-flow velocity is v = (x - C) / t, so every
// sampler lands on C, whatever the noise and the guidance.
const C = tf.tidy(() => tf.linspace(-0.9, 0.9, 3 * 4 * 4).reshape([1, 3, 4, 4]));
const exact: VelocityFn = (x, t) => tf.tidy(() => tf.div(tf.sub(x, C), tf.reshape(t, [-1, 1, 1, 1])));
const textEncoder = SmallTextEncoder.fromCaptions(['a red circle', 'a blue square'], { dim: 8, depth: 1, heads: 2, length: 4 });
const autoencoder = create('autoencoder', 'pixel') as Autoencoder;
const base = {
  model: exact,
  textEncoder,
  autoencoder,
  prompts: ['a red circle', 'a blue square'],
  latentShape: [3, 4, 4] as const,
  seed: 1,
  steps: 6,
  solver: 'euler',
  guidance: 3,
  shift: 1,
};

describe('textToImage', () => {
  it('runs the stages: lands on the data, calls onStep per step, leaks nothing', async () => {
    const seen: number[] = [];
    const { images, nfe } = textToImage({ ...base, onStep: ({ step, steps }) => seen.push(step / steps) });
    const target = tf.tile(C, [2, 1, 1, 1]);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(images, target))).dataSync()[0])).toBeLessThan(1e-4);
    expect(nfe).toBe(6);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6].map((s) => s / 6));
    tf.dispose([images, target]);
    await expectNoTensorLeak(() => tf.dispose(textToImage(base).images), { iterations: 2 });
  });

  it('shows each step its latents and the denoised estimate (the exact field denoises to the data at once)', () => {
    const errors: number[] = [];
    const shapes: number[][] = [];
    const { images } = textToImage({
      ...base,
      onStep: ({ latents, denoised }) => {
        shapes.push(latents.shape, denoised.shape);
        errors.push(tf.tidy(() => tf.max(tf.abs(tf.sub(denoised, C))).dataSync()[0]));
      },
    });
    expect(shapes.every((s) => s.join() === '2,3,4,4')).toBe(true);
    expect(Math.max(...errors)).toBeLessThan(1e-4);
    images.dispose();
  });

  it('starts img2img from the init image: strength below 1 runs part of the grid', () => {
    const init = tf.tidy(() => tf.tile(C, [2, 1, 1, 1])) as tf.Tensor4D;
    const seen: number[] = [];
    const { images } = textToImage({ ...base, init: { images: init, strength: 0.5 }, onStep: ({ step }) => seen.push(step) });
    expect(seen.length).toBe(3);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(images, init))).dataSync()[0])).toBeLessThan(1e-4);
    tf.dispose([images, init]);
  });

  it('checks sizes before allocating, naming the field', () => {
    expect(() => textToImage({ ...base, prompts: [] })).toThrow(/prompts: got \[\]; expected at least one prompt/);
    expect(() => textToImage({ ...base, steps: 0 })).toThrow(/steps: got 0/);
    expect(() => textToImage({ ...base, latentShape: [3, 1 << 14, 1 << 14] })).toThrow(/latentShape: .* at most 67108864 elements/);
    const one = tf.zeros([1, 3, 4, 4]) as tf.Tensor4D;
    expect(() => textToImage({ ...base, init: { images: one, strength: 0.5 } })).toThrow(
      /init.images: got "1 image\(s\)"; expected one per prompt \(2\)/,
    );
    one.dispose();
  });
});
