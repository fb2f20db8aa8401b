import { createRng, tf } from '@rectiflow/core';
import { createMnistDataset, createShapesDataset } from '@rectiflow/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMnistHeldOut } from './digit-accuracy';
import { extractFeatures, featureStatisticsOf, frechetFeatureDistance } from './distribution-metric';
import { FeatureNet } from './feature-net';
import { loadShippedFeatureNet } from './node-file';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const noise = (n: number, seed: number) => {
  const rng = createRng(seed);
  return range(0, n).map(() => Float32Array.from(rng.uniformArray(3 * 32 * 32, -1, 1)));
};

describe('frechetFeatureDistance with a small random net', () => {
  const net = new FeatureNet({ channels: 3, size: 32, widths: [8, 8, 8], featureDim: 12, heads: [] }, 5);
  afterAll(() => net.dispose());

  it('gives the same features for a tensor and for CHW arrays, in any batch size, and leaks no tensors', () => {
    const images = noise(10, 1);
    const before = tf.memory().numTensors;
    const fromArrays = extractFeatures(net, images, { batchSize: 3 });
    const tensor = tf.tensor4d(Float32Array.from(images.flatMap((x) => [...x])), [10, 3, 32, 32]);
    const fromTensor = extractFeatures(net, tensor, { batchSize: 128 });
    tensor.dispose();
    for (let i = 0; i < fromArrays.length; i++) expect(fromTensor[i]).toBeCloseTo(fromArrays[i], 5);
    frechetFeatureDistance(net, images, noise(10, 2), { batchSize: 4 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('takes precomputed statistics for either side', () => {
    const a = noise(20, 3);
    const b = noise(20, 4);
    const reference = featureStatisticsOf(net, b);
    expect(frechetFeatureDistance(net, a, reference)).toBeCloseTo(frechetFeatureDistance(net, a, b), 10);
    expect(frechetFeatureDistance(net, reference, reference)).toBeLessThan(1e-9);
  });

  it('names the argument on bad input', () => {
    const good = noise(4, 5);
    expect(() => frechetFeatureDistance(net, good, [new Float32Array(3 * 16 * 16), new Float32Array(3 * 16 * 16)])).toThrow(
      /imagesB\[0\]: got Float32Array\(768\); expected a Float32Array of 3072 or 1024 values/,
    );
    expect(() => frechetFeatureDistance(net, [...good, new Float32Array(5)], good)).toThrow(/imagesA\[4\]: got Float32Array\(5\)/);
    expect(() => frechetFeatureDistance(net, good, good.slice(0, 1))).toThrow(/imagesB\.length: got 1; expected at least 2 images/);
    const wrong = tf.zeros([2, 3, 8, 8]) as tf.Tensor4D;
    expect(() => frechetFeatureDistance(net, wrong, good)).toThrow(/imagesA\.shape: got \[2, 3, 8, 8\]/);
    wrong.dispose();
    const nan = noise(3, 6);
    nan[1][7] = Number.NaN;
    expect(() => frechetFeatureDistance(net, good, nan)).toThrow(/imagesB features\[\d+\] \(vector 1, dimension \d+\): got NaN/);
    const stats = featureStatisticsOf(net, good);
    expect(() => frechetFeatureDistance(net, good, { ...stats, mean: new Float64Array(3) })).toThrow(
      /imagesB\.mean\.length: got 3; expected 12/,
    );
  });
});

describe('frechetFeatureDistance on the shipped nets', () => {
  let shapesNet: FeatureNet;
  let mnistNet: FeatureNet;
  beforeAll(async () => {
    [shapesNet, mnistNet] = await Promise.all([loadShippedFeatureNet('shapes'), loadShippedFeatureNet('mnist')]);
  });
  afterAll(() => {
    shapesNet.dispose();
    mnistNet.dispose();
  });
  const shapesTest = createShapesDataset({ count: 1000, seed: 0, split: 'test' });
  const shapes = (from: number, to: number) => range(from, to).map((i) => shapesTest.get(i).image);
  const mnist = createMnistDataset();
  const heldOut = range(0, mnist.size).filter(isMnistHeldOut);

  it('shapes: real vs real is near 0, real vs noise and real vs mnist are large', () => {
    const before = tf.memory().numTensors;
    const real = featureStatisticsOf(shapesNet, shapes(0, 500));
    const realVsReal = frechetFeatureDistance(shapesNet, real, shapes(500, 1000));
    const realVsNoise = frechetFeatureDistance(shapesNet, real, noise(500, 7));
    const realVsMnist = frechetFeatureDistance(
      shapesNet,
      real,
      heldOut.filter((_, j) => j % 4 === 0).map((i) => mnist.get(i).image),
    );
    // Measured (wasm): real vs real 378, real vs uniform noise 21008, real vs mnist 17742 (ratios 0.018, 0.021).
    expect(realVsReal).toBeLessThan(0.05 * realVsNoise);
    expect(realVsReal).toBeLessThan(0.05 * realVsMnist);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('mnist: real vs real is near 0, real vs noise and real vs shapes are large', () => {
    // Two disjoint sets of held-out digits, each with every digit.
    const a = heldOut.filter((_, j) => j % 5 === 0).map((i) => mnist.get(i).image);
    const b = heldOut.filter((_, j) => j % 5 === 1).map((i) => mnist.get(i).image);
    const real = featureStatisticsOf(mnistNet, a);
    const realVsReal = frechetFeatureDistance(mnistNet, real, b);
    const realVsNoise = frechetFeatureDistance(mnistNet, real, noise(400, 8));
    const realVsShapes = frechetFeatureDistance(mnistNet, real, shapes(0, 400));
    // Measured (wasm): real vs real 240, real vs uniform noise 11750, real vs shapes 14194 (ratios 0.020, 0.017).
    expect(realVsReal).toBeLessThan(0.05 * realVsNoise);
    expect(realVsReal).toBeLessThan(0.05 * realVsShapes);
  });
});
