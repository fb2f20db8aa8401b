/**
 * The fixed evaluation prompts of `shapes`. One-shape prompts cover every position x size
 * x kind once (54 prompts, each colour 9 times); two-shape prompts cover every relation x
 * first kind x second kind, 36 prompts twice over with different colours (72 prompts, ordered
 * colour pairs drawn without repeats until all 30 are used). The draw is seeded, so the
 * set is the same everywhere; `seed` gives another set of the same design.
 */
import { createRng, type Rng } from '@rectiflow/core';
import { COLOR_NAMES, type ColorName, isHeldOutCombination, POSITIONS, RELATIONS, SHAPE_KINDS, shapesCaption } from '@rectiflow/data';

/** One evaluation prompt. */
export interface ShapesEvalPrompt {
  prompt: string;
  /** 1 or 2 shapes. */
  count: 1 | 2;
  /** Whether it names a colour-kind pair that `shapes(holdout=combos)` keeps out of training. */
  unseen: boolean;
}

function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.integer(0, i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** The evaluation prompt set (126 prompts: 54 with one shape, 72 with two). Default seed 0. */
export function shapesEvalPrompts(seed = 0): ShapesEvalPrompt[] {
  const rng = createRng(`shapes-eval/${seed}`);
  const out: ShapesEvalPrompt[] = [];
  const colors = shuffle(
    Array.from({ length: 54 }, (_, i) => COLOR_NAMES[i % COLOR_NAMES.length]),
    rng,
  );
  let k = 0;
  for (const position of POSITIONS) {
    for (const size of ['small', 'large'] as const) {
      for (const kind of SHAPE_KINDS) {
        const shape = { kind, color: colors[k++], cx: 0, cy: 0, radius: 0 };
        out.push({ prompt: shapesCaption({ count: 1, shape, size, position }), count: 1, unseen: isHeldOutCombination(shape) });
      }
    }
  }
  const pairs: [ColorName, ColorName][] = [];
  for (const a of COLOR_NAMES) for (const b of COLOR_NAMES) if (a !== b) pairs.push([a, b]);
  let pool: [ColorName, ColorName][] = [];
  for (let round = 0; round < 2; round++) {
    for (const relation of RELATIONS) {
      for (const k1 of SHAPE_KINDS) {
        for (const k2 of SHAPE_KINDS) {
          if (pool.length === 0) pool = shuffle([...pairs], rng);
          const [c1, c2] = pool.pop()!;
          const first = { kind: k1, color: c1, cx: 0, cy: 0, radius: 0 };
          const second = { kind: k2, color: c2, cx: 0, cy: 0, radius: 0 };
          out.push({
            prompt: shapesCaption({ count: 2, first, second, relation }),
            count: 2,
            unseen: isHeldOutCombination(first) || isHeldOutCombination(second),
          });
        }
      }
    }
  }
  return out;
}
