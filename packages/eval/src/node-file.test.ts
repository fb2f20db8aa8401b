import { statSync } from 'node:fs';
import { tf } from '@rectiflow/core';
import { createMnistDataset, createShapesDataset, type ShapesLabels } from '@rectiflow/data';
import { describe, expect, it } from 'vitest';
import { digitAccuracy, isMnistHeldOut, MNIST_FEATURE_NET_CONFIG } from './digit-accuracy';
import { headAccuracies } from './head-accuracy';
import { loadShippedFeatureNet, shippedFeatureNetPath } from './node-file';
import { SHAPES_FEATURE_NET_CONFIG, shapesFeatureTargets } from './shapes-feature-targets';

describe('the shipped feature nets', () => {
  it('are small files with their provenance in the metadata', async () => {
    for (const name of ['shapes', 'mnist'] as const) {
      expect(statSync(shippedFeatureNetPath(name)).size).toBeLessThan(1_000_000);
      const net = await loadShippedFeatureNet(name);
      expect(net.config).toEqual(name === 'shapes' ? SHAPES_FEATURE_NET_CONFIG : MNIST_FEATURE_NET_CONFIG);
      expect(net.metadata.description).toMatch(/train-feature-nets\.mjs/);
      expect(net.metadata.seed).toBe('0');
      expect(Number(net.metadata.steps)).toBeGreaterThan(0);
      expect(JSON.parse(net.metadata.heldOutAccuracy)).toBeTypeOf('object');
      net.dispose();
    }
  });

  it('mnist: classifies the 2,000 held-out digits with >= 97% accuracy', async () => {
    const net = await loadShippedFeatureNet('mnist');
    const data = createMnistDataset();
    const indices = Array.from({ length: data.size }, (_, i) => i).filter(isMnistHeldOut);
    const examples = indices.map((i) => data.get(i));
    const digits = examples.map((e) => (e.labels as { digit: number }).digit);
    const before = tf.memory().numTensors;
    const accuracy = digitAccuracy(
      net,
      examples.map((e) => e.image),
      digits,
    );
    expect(tf.memory().numTensors).toBe(before);
    // Measured: 0.986 (1,972 of 2,000).
    expect(accuracy).toBeGreaterThanOrEqual(0.97);
    // 1-channel digits are read as grey RGB.
    const grey = createMnistDataset({ channels: 1 });
    expect(
      digitAccuracy(
        net,
        indices.slice(0, 200).map((i) => grey.get(i).image),
        digits.slice(0, 200),
      ),
    ).toBeGreaterThanOrEqual(0.95);
    expect(() => digitAccuracy(net, [examples[0].image], [10])).toThrow(/digits\[0\]: got 10; expected an integer digit in \[0, 9\]/);
    expect(() => digitAccuracy(net, [examples[0].image], [1, 2])).toThrow(/digits\.length: got 2; expected 1, one digit per image/);
    net.dispose();
  });

  it('shapes: predicts the labels of the test split', async () => {
    const net = await loadShippedFeatureNet('shapes');
    const data = createShapesDataset({ count: 500, seed: 1, split: 'test' });
    const examples = Array.from({ length: data.size }, (_, i) => data.get(i));
    const targets = Int32Array.from(examples.flatMap((e) => [...shapesFeatureTargets(e.labels as ShapesLabels)]));
    const accuracy = headAccuracies(
      net,
      examples.map((e) => e.image),
      targets,
    );
    // Measured: count, size, position 1.0; colorA 0.998, kindA 0.994, colorB 0.996, kindB 0.996, axis 0.984.
    for (const [head, value] of Object.entries(accuracy)) expect(value, head).toBeGreaterThanOrEqual(0.9);
    expect(() => digitAccuracy(net, [examples[0].image], [1])).toThrow(/head: got "digit"/);
    net.dispose();
  });

  it('names a bad net name', async () => {
    await expect(loadShippedFeatureNet('cifar' as 'mnist')).rejects.toThrow(/name: got "cifar"; expected one of "shapes", "mnist"/);
  });
});
