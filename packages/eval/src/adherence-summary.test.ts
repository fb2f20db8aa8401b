import { describe, expect, it } from 'vitest';
import { adherenceTable, summarizeAdherence } from './adherence-summary';
import type { ShapesImageScore } from './score-shapes-image';

const one = (position: boolean, kind: boolean, found: ShapesImageScore['position']): ShapesImageScore => {
  const attributes = { color: true, kind, size: true, position, count: true };
  return {
    prompt: 'a small red circle at the top',
    count: 1,
    attributes,
    whole: position && kind,
    asked: 'top',
    position: found,
    objects: [],
  };
};
const two = (relation: boolean): ShapesImageScore => {
  const attributes = { color: true, kind: false, relation, count: true };
  return { prompt: 'a red circle above a blue square', count: 2, attributes, whole: false, objects: [] };
};

describe('summarizeAdherence', () => {
  it('gives per-group attribute rates, the whole-prompt rate, seen vs unseen and the position confusion', () => {
    const scores = [one(true, true, 'top'), one(false, true, 'bottom'), one(false, false, null), two(true), two(false)];
    const s = summarizeAdherence(scores, [false, false, true, false, true]);
    // Hand-computed: one-shape position 1/3, kind 2/3, whole 1/3; two-shape relation 1/2, whole 0.
    expect(s.one).toEqual({ images: 3, attributes: { color: 1, kind: 2 / 3, size: 1, position: 1 / 3, count: 1 }, whole: 1 / 3 });
    expect(s.two).toEqual({ images: 2, attributes: { color: 1, kind: 0, relation: 0.5, count: 1 }, whole: 0 });
    expect(s.whole).toBeCloseTo(1 / 5, 12);
    // Checks passed: 5 + 4 + 3 (one-shape, 5 each) + 3 + 2 (two-shape, 4 each) = 17 of 23.
    expect(s.attributes).toBeCloseTo(17 / 23, 12);
    expect(s.seen?.whole).toBeCloseTo(1 / 3, 12);
    expect(s.unseen?.images).toBe(2);
    expect(s.positions.top).toMatchObject({ top: 1, bottom: 1, none: 1, left: 0 });
    const table = adherenceTable(s);
    expect(table).toContain('| position (3x3) | 33.3% | – |');
    expect(table).toContain('| relation | – | 50.0% |');
    expect(table).toContain('| **whole prompt** | 33.3% | 0.0% |');
    expect(table).toContain('seen combinations: 33.3%; unseen combinations: 0.0%');
  });

  it('rejects an empty list and a mismatched unseen list', () => {
    expect(() => summarizeAdherence([])).toThrow(/scores/);
    expect(() => summarizeAdherence([two(true)], [true, false])).toThrow(/unseen\.length/);
  });
});
