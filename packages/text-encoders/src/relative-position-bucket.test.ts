import { describe, expect, it } from 'vitest';
import { relativePositionBucket, relativePositionBuckets } from './relative-position-bucket';
import { ioTensor } from './test-helpers';

describe('relativePositionBuckets', () => {
  it('equals the fixture t5.relative_position_bucket [77, 77] exactly', async () => {
    const expected = await ioTensor('t5.relative_position_bucket');
    const data = expected.dataSync();
    expected.dispose();
    expect(Array.from(relativePositionBuckets(77, 77))).toEqual(Array.from(data));
  });

  it('keeps exact buckets below 8, separates the two directions, and saturates at max_distance', () => {
    expect([0, 1, 7, -1, -7].map((r) => relativePositionBucket(r))).toEqual([0, 17, 23, 1, 7]);
    expect(relativePositionBucket(1000)).toBe(31);
    expect(relativePositionBucket(-1000)).toBe(15);
    expect(relativePositionBucket(127)).toBe(31);
    // unidirectional (decoder): future keys all fall in bucket 0
    expect(relativePositionBucket(5, { bidirectional: false })).toBe(0);
    expect(relativePositionBucket(-5, { bidirectional: false })).toBe(5);
  });

  it('rejects bad sizes', () => {
    expect(() => relativePositionBuckets(0, 3)).toThrow(/queryLength/);
  });
});
