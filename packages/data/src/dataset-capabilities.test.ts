import { describe, expect, it } from 'vitest';
import { createMnistDataset } from './mnist';
import { createShapesDataset } from './shapes';

describe('what a dataset offers the training app', () => {
  it('shapes: held-out prompts from its test split, and a colour check that real images pass', () => {
    const data = createShapesDataset({ count: 100, seed: 0 });
    const test = createShapesDataset({ count: 8, seed: 3, split: 'test' });
    expect(data.heldOutPrompts?.(8, 3)).toEqual(Array.from({ length: 8 }, (_, i) => test.get(i).caption));
    const examples = Array.from({ length: 12 }, (_, i) => data.get(i));
    expect(
      data.promptAdherence?.(
        examples.map((e) => e.image),
        examples.map((e) => e.caption),
      ),
    ).toBe(1);
    // A blank image shows none of the named colours.
    const blank = examples.map((e) => new Float32Array(e.image.length).fill(-1));
    expect(
      data.promptAdherence?.(
        blank,
        examples.map((e) => e.caption),
      ),
    ).toBe(0);
  });

  it('mnist offers neither (the training app then uses its sample prompts, one per digit, and skips the colour check)', () => {
    const data = createMnistDataset({ split: 'test' });
    expect(data.heldOutPrompts).toBeUndefined();
    expect(data.promptAdherence).toBeUndefined();
    expect(data.samplePrompts?.()).toHaveLength(10);
  });
});
