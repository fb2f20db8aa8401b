import { describe, expect, it } from 'vitest';
import { checkDatasetSize, checkSampleGrid, MAX_DATASET_ITEMS, MAX_SAMPLE_PROMPTS, MAX_SAMPLE_STEPS } from './size-bounds';

describe('size bounds', () => {
  it('refuses sample grids that would stall training', () => {
    expect(() => checkSampleGrid({ sampleSteps: MAX_SAMPLE_STEPS + 1, samplePrompts: [] })).toThrow(
      /^sampleSteps: got 1001; expected at most 1000$/,
    );
    expect(() => checkSampleGrid({ sampleSteps: 8, samplePrompts: Array(MAX_SAMPLE_PROMPTS + 1).fill('a') })).toThrow(
      /^samplePrompts: got 257 prompts/,
    );
    expect(() => checkSampleGrid({ sampleSteps: 8, samplePrompts: ['a'] })).not.toThrow();
  });

  it('refuses a dataset too large to shuffle', () => {
    expect(() => checkDatasetSize('shapes(count=1e9)', MAX_DATASET_ITEMS + 1)).toThrow(
      /^dataset: shapes\(count=1e9\) has 50,000,001 items/,
    );
    expect(() => checkDatasetSize('shapes', 10)).not.toThrow();
  });
});
