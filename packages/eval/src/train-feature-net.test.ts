import { createRng, tf } from '@rectiflow/core';
import { describe, expect, it } from 'vitest';
import { FeatureNet, type FeatureNetConfig } from './feature-net';
import { headAccuracies } from './head-accuracy';
import { trainFeatureNet } from './train-feature-net';

const CONFIG: FeatureNetConfig = {
  channels: 3,
  size: 8,
  widths: [8, 8],
  featureDim: 16,
  heads: [
    { name: 'bright', classes: ['dark', 'bright'] },
    { name: 'side', classes: ['left', 'right'] },
  ],
};

/** Images that are dark or bright, with a square on the left or the right; `side` is unlabelled (-1) for every third. */
function task(n: number, seed: number) {
  const rng = createRng(seed);
  const data = new Float32Array(n * 3 * 64);
  const targets = new Int32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const bright = rng.integer(0, 2);
    const side = rng.integer(0, 2);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++) {
          const inSquare = y >= 2 && y < 6 && (side ? x >= 5 : x < 3);
          data[i * 192 + c * 64 + y * 8 + x] = (bright ? 0.3 : -0.7) + (inSquare ? 0.6 : 0) + 0.1 * rng.normalNumber();
        }
      }
    }
    targets[i * 2] = bright;
    targets[i * 2 + 1] = i % 3 === 0 ? -1 : side;
  }
  return { images: tf.tensor4d(data, [n, 3, 8, 8]), targets };
}

describe('trainFeatureNet', () => {
  it('learns the heads, skipping unlabelled targets, and is deterministic', () => {
    const { images, targets } = task(96, 1);
    const run = () => {
      const net = new FeatureNet(CONFIG, 0);
      const result = trainFeatureNet(net, images, targets, { steps: 60, rng: createRng(2), batchSize: 32, learningRate: 1e-2 });
      return { net, result };
    };
    const before = tf.memory().numTensors;
    const a = run();
    const b = run();
    expect(a.result.steps).toBe(60);
    expect(b.result.losses).toEqual(a.result.losses);
    expect(a.result.losses.at(-1)!).toBeLessThan(a.result.losses[0] * 0.3);
    const test = task(64, 3);
    const accuracy = headAccuracies(a.net, test.images, test.targets);
    expect(accuracy.bright).toBeGreaterThan(0.95);
    expect(accuracy.side).toBeGreaterThan(0.9);
    a.net.dispose();
    b.net.dispose();
    test.images.dispose();
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
  });

  it('stops when onStep returns false', () => {
    const { images, targets } = task(8, 1);
    const net = new FeatureNet(CONFIG, 0);
    const result = trainFeatureNet(net, images, targets, { steps: 50, rng: createRng(0), onStep: ({ step }) => step < 3 });
    expect(result.steps).toBe(3);
    net.dispose();
    images.dispose();
  });

  it('names bad targets and options', () => {
    const { images, targets } = task(8, 1);
    const net = new FeatureNet(CONFIG, 0);
    const rng = createRng(0);
    expect(() => trainFeatureNet(net, images, targets.subarray(1), { steps: 1, rng })).toThrow(
      /targets: got Int32Array\(15\); expected an Int32Array of images \* heads = 8 \* 2 = 16/,
    );
    const bad = targets.slice();
    bad[3] = 2;
    expect(() => trainFeatureNet(net, images, bad, { steps: 1, rng })).toThrow(
      /targets\[3\] \(image 1, head side\): got 2; expected -1 or \[0, 1\]/,
    );
    expect(() => trainFeatureNet(net, images, targets, { steps: 1.5, rng })).toThrow(/steps: got 1.5/);
    expect(() => trainFeatureNet(net, images, targets, { steps: 1, rng, batchSize: 9 })).toThrow(/batchSize: got 9/);
    expect(() => headAccuracies(net, images, bad)).toThrow(/targets\[3\] \(image 1, head side\)/);
    net.dispose();
    images.dispose();
  });
});
