import { isHeldOutCombination, POSITIONS, parseShapesPrompt, RELATIONS } from '@rectiflow/data';
import { describe, expect, it } from 'vitest';
import { shapesEvalPrompts } from './shapes-eval-prompts';

describe('shapesEvalPrompts', () => {
  it('is fixed, balanced and in the dataset wording', () => {
    const set = shapesEvalPrompts();
    expect(shapesEvalPrompts()).toEqual(set);
    expect(shapesEvalPrompts(1)).not.toEqual(set);
    expect(set).toHaveLength(126);
    expect(new Set(set.map((p) => p.prompt)).size).toBe(126);
    const parsed = set.map((p) => parseShapesPrompt(p.prompt));
    const ones = parsed.filter((p) => p.count === 1);
    const twos = parsed.filter((p) => p.count === 2);
    expect(ones).toHaveLength(54);
    expect(twos).toHaveLength(72);
    for (const position of POSITIONS) expect(ones.filter((p) => p.position === position)).toHaveLength(6);
    for (const relation of RELATIONS) expect(twos.filter((p) => p.relation === relation)).toHaveLength(18);
    const colorCounts = new Map<string, number>();
    for (const p of ones) colorCounts.set(p.shape.color, (colorCounts.get(p.shape.color) ?? 0) + 1);
    expect([...colorCounts.values()]).toEqual([9, 9, 9, 9, 9, 9]);
    set.forEach((p, i) => {
      const q = parsed[i];
      const shapes = q.count === 1 ? [q.shape] : [q.first, q.second];
      expect(p.unseen).toBe(shapes.some(isHeldOutCombination));
      expect(p.count).toBe(q.count);
    });
    expect(set.some((p) => p.unseen)).toBe(true);
  });
});
