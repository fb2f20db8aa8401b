import { createRng, tf, ValidationError } from '@rectiflow/core';
import { serializeSafetensors } from '@rectiflow/safetensors';
import { describe, expect, it } from 'vitest';
import { FeatureNet, type FeatureNetConfig, featureNetWeightShapes, loadFeatureNet, serializeFeatureNet } from './feature-net';

const CONFIG: FeatureNetConfig = {
  channels: 3,
  size: 8,
  widths: [4, 6],
  featureDim: 5,
  heads: [
    { name: 'a', classes: ['x', 'y'] },
    { name: 'b', classes: ['p', 'q', 'r'] },
  ],
};

const images = (n: number, seed: number, channels = 3) => createRng(seed).uniform([n, channels, 8, 8], -1, 1) as tf.Tensor4D;

describe('FeatureNet', () => {
  it('computes features and per-head probabilities of the documented shapes', () => {
    const net = new FeatureNet(CONFIG, 1);
    const x = images(3, 2);
    const f = net.features(x);
    expect(f.shape).toEqual([3, 5]);
    const probs = net.classify(x);
    expect(Object.keys(probs)).toEqual(['a', 'b']);
    expect(probs.b.shape).toEqual([3, 3]);
    const sums = tf.sum(probs.b, 1);
    for (const s of sums.dataSync()) expect(s).toBeCloseTo(1, 5);
    expect(net.head('b')).toMatchObject({ offset: 2, index: 1 });
    tf.dispose([x, f, sums, ...Object.values(probs)]);
    net.dispose();
  });

  it('matches a reference 3x3 stride-2 convolution (tf.conv2d) followed by the dense feature layer', () => {
    const config = { ...CONFIG, widths: [4] };
    const net = new FeatureNet(config, 3);
    const x = images(2, 4);
    const w = net.namedWeights;
    const expected = tf.tidy(() => {
      const filter = tf.reshape(w.get('conv0.weight')!, [3, 3, 3, 4]) as tf.Tensor4D;
      const nhwc = tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
      const conv = tf.relu(
        tf.add(
          tf.conv2d(nhwc, filter, 2, [
            [0, 0],
            [1, 1],
            [1, 1],
            [0, 0],
          ]),
          w.get('conv0.bias')!,
        ),
      );
      return tf.add(tf.matMul(tf.reshape(conv, [2, -1]), w.get('feature.weight')!), w.get('feature.bias')!);
    });
    const got = net.features(x);
    const diff = tf.max(tf.abs(tf.sub(got, expected)));
    expect(diff.dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, expected, got, diff]);
    net.dispose();
  });

  it('is seeded: the same seed gives the same weights, another seed others', () => {
    const a = new FeatureNet(CONFIG, 7);
    const b = new FeatureNet(CONFIG, 7);
    const c = new FeatureNet(CONFIG, 8);
    const wa = a.namedWeights.get('conv1.weight')!.dataSync();
    expect([...b.namedWeights.get('conv1.weight')!.dataSync()]).toEqual([...wa]);
    expect([...c.namedWeights.get('conv1.weight')!.dataSync()]).not.toEqual([...wa]);
    for (const n of [a, b, c]) n.dispose();
  });

  it('takes 1-channel images as grey RGB', () => {
    const net = new FeatureNet(CONFIG, 1);
    const grey = images(2, 5, 1);
    const rgb = tf.tile(grey, [1, 3, 1, 1]) as tf.Tensor4D;
    const [fg, fr] = [net.features(grey), net.features(rgb)];
    expect([...fg.dataSync()]).toEqual([...fr.dataSync()]);
    tf.dispose([grey, rgb, fg, fr]);
    net.dispose();
  });

  it('round-trips through safetensors bytes with its config and metadata', async () => {
    const net = new FeatureNet(CONFIG, 11, { description: 'test net' });
    const bytes = await serializeFeatureNet(net, { seed: '11' });
    const loaded = await loadFeatureNet(bytes);
    expect(loaded.config).toEqual(net.config);
    expect(loaded.metadata).toEqual({ description: 'test net', seed: '11' });
    const x = images(4, 6);
    const [a, b] = [net.logits(x), loaded.logits(x)];
    expect([...b.dataSync()]).toEqual([...a.dataSync()]);
    tf.dispose([x, a, b]);
    net.dispose();
    loaded.dispose();
  });

  it('leaves no tensors behind', () => {
    const net = new FeatureNet(CONFIG, 1);
    const x = images(2, 3);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      tf.dispose(net.features(x));
      tf.dispose(Object.values(net.classify(x)));
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    net.dispose();
  });

  it('frees every tensor of a loaded net on dispose', async () => {
    const net = new FeatureNet(CONFIG, 2);
    const bytes = await serializeFeatureNet(net);
    net.dispose();
    const before = tf.memory().numTensors;
    (await loadFeatureNet(bytes)).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the argument on bad images', () => {
    const net = new FeatureNet(CONFIG, 1);
    const wrong = tf.zeros([2, 3, 16, 16]) as tf.Tensor4D;
    expect(() => net.features(wrong)).toThrow(ValidationError);
    expect(() => net.features(wrong)).toThrow(/images\.shape: got \[2, 3, 16, 16\]; expected \[N, 3, 8, 8\] or \[N, 1, 8, 8\]/);
    const twoChannels = tf.zeros([2, 2, 8, 8]) as tf.Tensor4D;
    expect(() => net.features(twoChannels)).toThrow(/images\.shape/);
    expect(() => net.features([1, 2] as unknown as tf.Tensor4D)).toThrow(/^images: got \[1, 2\]/);
    expect(() => net.head('c')).toThrow(/head: got "c"; expected one of \["a", "b"\]/);
    tf.dispose([wrong, twoChannels]);
    net.dispose();
  });

  it('names the field of a bad config or bad weights', async () => {
    expect(() => new FeatureNet({ ...CONFIG, size: 10 })).toThrow(/config\.size: got 10; expected a multiple of 4/);
    expect(() => new FeatureNet({ ...CONFIG, heads: [{ name: 'a', classes: ['x'] }] })).toThrow(/config\.heads\[0\]\.classes/);
    const shapes = featureNetWeightShapes(CONFIG);
    const weights = new Map(shapes.map(([name, shape]) => [name, tf.zeros(shape)]));
    weights.get('feature.bias')!.dispose();
    weights.set('feature.bias', tf.zeros([6]));
    expect(() => new FeatureNet(CONFIG, weights)).toThrow(/weights\["feature\.bias"\]\.shape: got \[6\]; expected \[5\]/);
    tf.dispose([...weights.values()]);
    const other = await serializeSafetensors({ x: tf.zeros([1]) }, { format: 'something-else' });
    await expect(loadFeatureNet(other)).rejects.toThrow(/metadata\.format: got "something-else"; expected "rectiflow-feature-net"/);
    await expect(loadFeatureNet('x' as unknown as Uint8Array)).rejects.toThrow(/^bytes: got "x"/);
  });
});
