import { describe, expect, it } from 'vitest';
import { createMnistDataset, isMnistHeldOut } from './mnist';

describe('mnist dataset', () => {
  it('has the 10,000 digits, padded to 32x32 and captioned from the label', () => {
    const data = createMnistDataset();
    expect(data.size).toBe(10_000);
    expect([data.channels, data.height, data.width]).toEqual([3, 32, 32]);
    const first = data.get(0);
    expect((first.labels as { digit: number }).digit).toBe(0);
    expect(first.caption).toMatch(/^(a handwritten zero|the digit 0|a handwritten digit 0|the number zero)$/);
    const last = data.get(9_999);
    expect((last.labels as { digit: number }).digit).toBe(9);
    expect(last.caption).toMatch(/nine|9/);
    // The 2-pixel border is background (-1); the digit has ink (values near 1).
    expect(first.image[0]).toBe(-1);
    expect(first.image[31]).toBe(-1);
    expect(Math.max(...first.image)).toBeGreaterThan(0.9);
    // Grey replicated to RGB.
    expect(first.image.subarray(0, 1024)).toEqual(first.image.subarray(1024, 2048));
    expect(data.get(123).caption).toBe(createMnistDataset().get(123).caption);
  });

  it('supports one channel and the stored size, and rejects bad options', () => {
    const grey = createMnistDataset({ size: 28, channels: 1 });
    expect(grey.get(5).image).toHaveLength(28 * 28);
    expect(() => createMnistDataset({ size: 20 })).toThrow(/size: got 20/);
    expect(() => createMnistDataset({ channels: 2 as never })).toThrow(/channels: got 2/);
  });

  it('splits into 8,000 train and 2,000 held-out test digits, disjoint and covering the set', () => {
    const all = createMnistDataset();
    const train = createMnistDataset({ split: 'train' });
    const test = createMnistDataset({ split: 'test' });
    expect([train.size, test.size]).toEqual([8000, 2000]);
    expect(test.get(0)).toEqual(all.get(4));
    expect(test.get(1999)).toEqual(all.get(9999));
    expect(train.get(4)).toEqual(all.get(5));
    expect(train.get(7999)).toEqual(all.get(9998));
    expect([4, 9, 9999].every(isMnistHeldOut)).toBe(true);
    expect([0, 5, 9998].some(isMnistHeldOut)).toBe(false);
    expect(test.name).toContain('split=test');
    expect(() => createMnistDataset({ split: 'val' as never })).toThrow(/split: got "val"/);
  });
});
