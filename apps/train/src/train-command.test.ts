import { describe, expect, it } from 'vitest';
import type { EvalRecord } from './evaluation';
import { evaluationLines } from './train-command';

describe('run summary', () => {
  it('prints the final evaluation: whole prompt, attributes, FD and validation loss', () => {
    const rates = (whole: number, attributes: Record<string, number>, images: number) => ({ images, attributes, whole });
    const record = {
      type: 'eval',
      step: 3000,
      seeds: 2,
      sampling: { steps: 24, solver: 'euler', guidance: 3, shift: 1 },
      adherence: {
        one: rates(0.361, { color: 1, kind: 0.37, size: 0.981, position: 1, count: 1 }, 108),
        two: rates(0.042, { color: 1, kind: 0.042, relation: 1, count: 0.903 }, 144),
        whole: 0.18,
        positions: {},
      },
      fd: { value: 2195.4, generated: 252, real: 500 },
      validation: { byDecile: [], mean: 0.07251 },
      seconds: 30,
    } as unknown as EvalRecord;
    expect(evaluationLines(record)).toEqual([
      'whole prompt: 36.1% of one-shape, 4.2% of two-shape prompts right (252 images scored)',
      '  one shape:  colour 100.0%, kind 37.0%, size 98.1%, position 100.0%',
      '  two shapes: colours 100.0%, kinds 4.2%, relation 100.0%, count 90.3%',
      'FD to real:   2195 (shipped feature net, 252 vs 500 images)',
      'val. loss:    0.0725 (held-out split)',
    ]);
    expect(evaluationLines(undefined)).toEqual([]);
    expect(evaluationLines({ ...record, adherence: undefined, fd: undefined, validation: undefined, digitAccuracy: 0.365 })).toEqual([
      'digit accuracy: 36.5% of "the digit N" samples read as N',
    ]);
  });
});
