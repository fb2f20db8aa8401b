import { tf } from '@rectiflow/core';
import { expectNoTensorLeak } from '@rectiflow/core/testing';
import { describe, expect, it } from 'vitest';
import type { Dataset } from './dataset';
import { DataLoader } from './loader';

const toy: Dataset = {
  name: 'toy',
  size: 10,
  channels: 1,
  height: 1,
  width: 2,
  get: (i) => ({ image: new Float32Array([i, -i]), caption: `item ${i}` }),
};

describe('DataLoader', () => {
  it('visits every index once per epoch in a seeded order and drops the partial batch', () => {
    const loader = new DataLoader(toy, { batchSize: 3, seed: 5 });
    expect(loader.batchesPerEpoch).toBe(3);
    const epoch0 = [loader.nextIndices(), loader.nextIndices(), loader.nextIndices()].flat();
    expect(new Set(epoch0).size).toBe(9);
    const epoch1 = [loader.nextIndices(), loader.nextIndices(), loader.nextIndices()].flat();
    expect(epoch1).not.toEqual(epoch0);
    expect(loader.getState()).toEqual({ epoch: 1, position: 9 });
    const again = new DataLoader(toy, { batchSize: 3, seed: 5 });
    expect([again.nextIndices(), again.nextIndices(), again.nextIndices()].flat()).toEqual(epoch0);
    const plain = new DataLoader(toy, { batchSize: 5, shuffle: false });
    expect(plain.nextIndices()).toEqual([0, 1, 2, 3, 4]);
  });

  it('resumes exactly from a saved state', () => {
    const a = new DataLoader(toy, { batchSize: 4, seed: 1 });
    for (let i = 0; i < 3; i++) a.nextIndices();
    const state = a.getState();
    const expected = Array.from({ length: 5 }, () => a.nextIndices());
    const b = new DataLoader(toy, { batchSize: 4, seed: 1 });
    b.setState(JSON.parse(JSON.stringify(state)));
    expect(Array.from({ length: 5 }, () => b.nextIndices())).toEqual(expected);
    expect(() => b.setState({ epoch: -1, position: 0 })).toThrow(/state.epoch: got -1/);
  });

  it('makes NCHW batches with captions and leaks nothing', async () => {
    const loader = new DataLoader(toy, { batchSize: 2, seed: 0, shuffle: false });
    const batch = loader.next();
    expect(batch.images.shape).toEqual([2, 1, 1, 2]);
    expect([...batch.images.dataSync()]).toEqual([0, -0, 1, -1]);
    expect(batch.captions).toEqual(['item 0', 'item 1']);
    batch.images.dispose();
    await expectNoTensorLeak(() => loader.next().images.dispose(), { iterations: 10 });
    expect(() => new DataLoader(toy, { batchSize: 11 })).toThrow(/batchSize: got 11; expected an integer >= 1 and <= 10/);
    expect(tf.memory().numTensors).toBeGreaterThanOrEqual(0);
  });
});
