import { describe, expect, it } from 'vitest';
import { createShapesDataset, HELD_OUT_COMBINATIONS, isHeldOutCombination, type ShapesLabels } from './shapes';
import { parseShapesPrompt } from './shapes-prompt';

describe('parseShapesPrompt', () => {
  it('inverts the captions of the dataset', () => {
    const data = createShapesDataset({ count: 300, seed: 2 });
    for (let i = 0; i < data.size; i++) {
      const { caption, labels } = data.get(i);
      const l = labels as ShapesLabels;
      const p = parseShapesPrompt(caption);
      if (l.count === 1) {
        expect(p).toEqual({ count: 1, size: l.size, position: l.position, shape: { color: l.shape.color, kind: l.shape.kind } });
      } else {
        expect(p).toEqual({
          count: 2,
          relation: l.relation,
          first: { color: l.first.color, kind: l.first.kind },
          second: { color: l.second.color, kind: l.second.kind },
        });
      }
    }
    expect(parseShapesPrompt('  A Small RED circle  at the top left ')).toMatchObject({ position: 'top left', size: 'small' });
  });

  it('names the prompt and the wording it expects when it cannot parse', () => {
    expect(() => parseShapesPrompt('a red dog')).toThrow(/prompt.*"a red dog".*a <small\|large> <colour>/);
    expect(() => parseShapesPrompt('a small pink circle at the top')).toThrow(/prompt/);
  });
});

describe('shapes holdout', () => {
  it('keeps the held-out colour-kind pairs out of the train split only', () => {
    const train = createShapesDataset({ count: 600, seed: 4, holdout: 'combos' });
    const test = createShapesDataset({ count: 600, seed: 4, holdout: 'combos', split: 'test' });
    const shapesOf = (l: ShapesLabels) => (l.count === 1 ? [l.shape] : [l.first, l.second]);
    let heldInTest = 0;
    for (let i = 0; i < 600; i++) {
      expect(shapesOf(train.get(i).labels as ShapesLabels).some(isHeldOutCombination)).toBe(false);
      if (shapesOf(test.get(i).labels as ShapesLabels).some(isHeldOutCombination)) heldInTest++;
    }
    expect(heldInTest).toBeGreaterThan(100);
    expect(HELD_OUT_COMBINATIONS).toHaveLength(3);
    expect(train.name).toContain('holdout=combos');
    // Without holdout the stream is unchanged.
    expect(createShapesDataset({ count: 600, seed: 4 }).get(3)).toEqual(
      createShapesDataset({ count: 600, seed: 4, holdout: 'none' }).get(3),
    );
    expect(() => createShapesDataset({ holdout: 'some' as 'none' })).toThrow(/holdout.*"none" or "combos"/);
  });
});
