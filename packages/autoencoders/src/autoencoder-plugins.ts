/**
 * The built-in autoencoders as plugins of kind `autoencoder`, and {@link createAutoencoder}.
 * Importing `@rectiflow/autoencoders` registers them. Plugin creation is synchronous, so
 * plugins build untrained or weight-free adapters; checkpoints load with
 * {@link loadSD3VAE} and {@link loadTinyAutoencoder}.
 */
import { type Autoencoder, create, definePlugin, formatSpec, type PluginDefinition, registerBuiltin, type SpecNode } from '@rectiflow/core';
import { PixelAutoencoder } from './pixel-autoencoder';
import { createRandomSD3VAE } from './random-sd3-vae';
import { TinyAutoencoder } from './tiny-autoencoder';

const nameOf = (node: SpecNode) => node.text || formatSpec(node);

const BUILT_IN: Record<string, PluginDefinition<Autoencoder>> = {
  pixel: definePlugin({
    description: 'no autoencoder: latents are the images times scale',
    params: [
      { name: 'scale', type: 'number', default: 1, greaterThan: 0, description: 'latent = image x scale' },
      { name: 'channels', type: 'integer', default: 3, min: 1, description: 'image (= latent) channels' },
    ],
    create: (p, node) => new PixelAutoencoder({ scale: p.scale, channels: p.channels, name: nameOf(node) }),
  }),
  'sd3-vae': definePlugin({
    description: 'the SD3 VAE architecture with seeded random weights (real weights: loadSD3VAE(path))',
    params: [
      { name: 'ch', type: 'integer', default: 128, min: 32, description: 'base width, a multiple of 32' },
      { name: 'chMult', type: 'number[]', default: [1, 2, 4, 4], min: 1, description: 'width multiplier per level' },
      { name: 'numResBlocks', type: 'integer', default: 2, min: 1, description: 'ResNet blocks per encoder level' },
      { name: 'latentChannels', type: 'integer', default: 16, min: 1, description: 'latent channels' },
      { name: 'imageChannels', type: 'integer', default: 3, min: 1, description: 'image channels' },
      { name: 'seed', type: 'integer', default: 0, description: 'seed of the random weights' },
    ],
    create: (p, node) =>
      createRandomSD3VAE(
        {
          ch: p.ch,
          chMult: [...p.chMult],
          numResBlocks: p.numResBlocks,
          latentChannels: p.latentChannels,
          imageChannels: p.imageChannels,
        },
        { seed: p.seed, name: nameOf(node) },
      ),
  }),
  'tiny-ae': definePlugin({
    description: 'a small trainable patch autoencoder (train with trainTinyAutoencoder)',
    params: [
      { name: 'latentChannels', type: 'integer', default: 4, min: 1, description: 'latent channels' },
      { name: 'patch', type: 'integer', default: 4, min: 1, description: 'patch size = downsampling factor' },
      { name: 'hidden', type: 'integer', default: 64, min: 1, description: 'hidden width' },
      { name: 'depth', type: 'integer', default: 2, min: 1, description: 'hidden layers per half' },
      { name: 'kl', type: 'boolean', default: true, description: 'Gaussian (KL) latent or plain' },
      { name: 'channels', type: 'integer', default: 3, min: 1, description: 'image channels' },
      { name: 'seed', type: 'integer', default: 0, description: 'seed of the initial weights' },
    ],
    create: (p, node) =>
      new TinyAutoencoder(
        {
          latentChannels: p.latentChannels,
          patchSize: p.patch,
          hidden: p.hidden,
          depth: p.depth,
          kl: p.kl,
          imageChannels: p.channels,
        },
        { seed: p.seed, name: nameOf(node) },
      ),
  }),
};

for (const [name, definition] of Object.entries(BUILT_IN)) {
  registerBuiltin('autoencoder', name, definition);
}

/** The names of the built-in autoencoder plugins. */
export const AUTOENCODER_NAMES: readonly string[] = Object.keys(BUILT_IN);

/**
 * Create an autoencoder from a spec: `pixel(scale=0.5)`, `tiny-ae(latentChannels=8, kl=false)`,
 * `sd3-vae(ch=32, chMult=[1, 2])` (random weights) or any user-registered `autoencoder` plugin.
 * @throws `UnknownPluginError` or `PluginArgumentError`.
 */
export function createAutoencoder(spec: string | SpecNode): Autoencoder {
  return create('autoencoder', spec);
}
