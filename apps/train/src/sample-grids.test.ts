import type { CaptionedImage, Dataset } from '@rectiflow/data';
import { createMnistDataset, createShapesDataset, SHAPES_SAMPLE_PROMPTS } from '@rectiflow/data';
import { describe, expect, it } from 'vitest';
import { configSamplePrompts, heldOutPrompts, samplePrompts } from './sample-grids';

/** A dataset with only captions (cycling through `captions`) and no prompts of its own. */
function captionsOnly(captions: string[]): Dataset {
  return {
    name: 'captions',
    size: 100,
    channels: 3,
    height: 8,
    width: 8,
    get: (i: number): CaptionedImage => ({ image: new Float32Array(3 * 64), caption: captions[i % captions.length] }),
  };
}

describe('sample prompts of a run', () => {
  it("take the configuration's, else the dataset's own, else its first distinct captions", () => {
    const shapes = createShapesDataset({ count: 10 });
    expect(samplePrompts(shapes, { samplePrompts: ['a red circle'] })).toEqual(['a red circle']);
    expect(samplePrompts(shapes, {})).toEqual([...SHAPES_SAMPLE_PROMPTS]);
    const many = Array.from({ length: 12 }, (_, i) => `caption ${i}`);
    expect(samplePrompts(captionsOnly(['a', 'b', 'a', 'c']), {})).toEqual(['a', 'b', 'c']);
    expect(samplePrompts(captionsOnly(many), {})).toEqual(many.slice(0, 8));
  });

  it('are one prompt per digit for mnist, in its caption templates', () => {
    expect(samplePrompts(createMnistDataset(), {})).toEqual(Array.from({ length: 10 }, (_, d) => `the digit ${d}`));
    const words = createMnistDataset({ templates: ['a handwritten {word}'] });
    expect(samplePrompts(words, {}).slice(0, 2)).toEqual(['a handwritten zero', 'a handwritten one']);
    expect(configSamplePrompts({ dataset: 'mnist' })).toHaveLength(10);
  });

  it('back the final grid when the dataset holds no prompts out', () => {
    expect(heldOutPrompts(captionsOnly(['x', 'y']), { seed: 0 })).toEqual(['x', 'y']);
    expect(heldOutPrompts(createShapesDataset({ count: 10 }), { seed: 0 }, 4)).toHaveLength(4);
  });
});
