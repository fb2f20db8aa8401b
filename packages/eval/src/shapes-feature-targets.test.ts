import { createShapesDataset, type ShapesLabels } from '@rectiflow/data';
import { describe, expect, it } from 'vitest';
import { SHAPES_FEATURE_HEADS, shapesFeatureTargets } from './shapes-feature-targets';

const shape = (kind: 'circle' | 'square' | 'triangle', color: 'red' | 'blue') => ({ kind, color, cx: 0, cy: 0, radius: 5 });

describe('shapesFeatureTargets', () => {
  it('labels a single shape by colour, kind, size and position', () => {
    const labels: ShapesLabels = { count: 1, shape: shape('triangle', 'blue'), size: 'large', position: 'bottom right' };
    // count 1 -> 0; blue is colour 2; triangle kind 2; large 1; bottom right position 8.
    expect([...shapesFeatureTargets(labels)]).toEqual([0, 2, 2, -1, -1, 1, 8, -1]);
  });

  it('gives both wordings of a two-shape image the same targets', () => {
    const left: ShapesLabels = { count: 2, first: shape('circle', 'red'), second: shape('square', 'blue'), relation: 'to the left of' };
    const right: ShapesLabels = { count: 2, first: shape('square', 'blue'), second: shape('circle', 'red'), relation: 'to the right of' };
    expect([...shapesFeatureTargets(left)]).toEqual([1, 0, 0, 2, 1, -1, -1, 0]);
    expect([...shapesFeatureTargets(right)]).toEqual([...shapesFeatureTargets(left)]);
    const below: ShapesLabels = { count: 2, first: shape('circle', 'red'), second: shape('square', 'blue'), relation: 'below' };
    expect([...shapesFeatureTargets(below)]).toEqual([1, 2, 1, 0, 0, -1, -1, 1]);
  });

  it('gives a valid class or -1 for every head on dataset labels', () => {
    const data = createShapesDataset({ count: 50, seed: 4 });
    for (let i = 0; i < data.size; i++) {
      const t = shapesFeatureTargets(data.get(i).labels as ShapesLabels);
      SHAPES_FEATURE_HEADS.forEach((h, k) => {
        expect(t[k]).toBeGreaterThanOrEqual(-1);
        expect(t[k]).toBeLessThan(h.classes.length);
      });
    }
  });

  it('names bad labels', () => {
    expect(() => shapesFeatureTargets({ digit: 3 } as unknown as ShapesLabels)).toThrow(/^labels: got \{"digit":3\}/);
  });
});
