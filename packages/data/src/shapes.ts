/**
 * `shapes`: a procedural captioned dataset that needs no download. Each example is a
 * 32x32 RGB image of one or two coloured shapes, with a caption that says exactly what is
 * drawn ("a small red circle at the top left", "a blue square to the left of a yellow
 * triangle"), so prompt adherence can be scored automatically.
 */
import { checkNumber, createRng, invalid, type Rng } from '@rectiflow/core';
import { checkIndex } from './check-index';
import { colorAdherence } from './color-check';
import type { CaptionedImage, Dataset } from './dataset';
import { BACKGROUND, COLOR_NAMES, type ColorName, PALETTE } from './palette';

/** The shapes that can be drawn. */
export const SHAPE_KINDS = ['circle', 'square', 'triangle'] as const;
/** A shape kind. */
export type ShapeKind = (typeof SHAPE_KINDS)[number];

/** The nine positions of a single shape, in caption wording. */
export const POSITIONS = ['top left', 'top', 'top right', 'left', 'center', 'right', 'bottom left', 'bottom', 'bottom right'] as const;
/** A position name. */
export type Position = (typeof POSITIONS)[number];

/** Relations between two shapes. */
export const RELATIONS = ['to the left of', 'to the right of', 'above', 'below'] as const;
/** A relation. */
export type Relation = (typeof RELATIONS)[number];

/** One drawn shape. */
export interface DrawnShape {
  kind: ShapeKind;
  color: ColorName;
  /** Centre (pixels) and radius (pixels). */
  cx: number;
  cy: number;
  radius: number;
}

/** What an example shows: one shape with size and position, or two with a relation. */
export type ShapesLabels =
  | { count: 1; shape: DrawnShape; size: 'small' | 'large'; position: Position }
  | { count: 2; first: DrawnShape; second: DrawnShape; relation: Relation };

/** Options of {@link createShapesDataset}. */
export interface ShapesOptions {
  /** Number of examples (the generator is unbounded; this sets the epoch length). Default 50000. */
  count?: number;
  /** Seed of the example stream. Default 0. */
  seed?: number;
  /** Image side in pixels. Default 32. */
  size?: number;
  /** Probability of two shapes per image (0 = always one). Default 0.5. */
  twoShapeProbability?: number;
  /** `train` or `test`: disjoint example streams for the same seed. Default `train`. */
  split?: 'train' | 'test';
  /**
   * `combos`: the `train` split never shows the {@link HELD_OUT_COMBINATIONS} (in one- or
   * two-shape images), so a scorer can compare prompts with seen and unseen combinations.
   * The `test` split is unchanged. Default `none`.
   */
  holdout?: 'none' | 'combos';
}

/**
 * The colour-kind combinations that `holdout: 'combos'` keeps out of training: each colour
 * and each kind is still seen, only these pairs are not.
 */
export const HELD_OUT_COMBINATIONS: readonly { color: ColorName; kind: ShapeKind }[] = [
  { color: 'purple', kind: 'triangle' },
  { color: 'orange', kind: 'square' },
  { color: 'green', kind: 'circle' },
];

/** Whether a shape is one of the {@link HELD_OUT_COMBINATIONS}. */
export function isHeldOutCombination(shape: { color: ColorName; kind: ShapeKind }): boolean {
  return HELD_OUT_COMBINATIONS.some((c) => c.color === shape.color && c.kind === shape.kind);
}

function positionCenter(position: Position, size: number, radius: number, rng: Rng): [number, number] {
  const index = POSITIONS.indexOf(position);
  const col = index % 3;
  const row = Math.floor(index / 3);
  const margin = radius + 1;
  const at = (k: number) => margin + (k * (size - 2 * margin)) / 2;
  const jitter = () => (rng.uniformNumber() - 0.5) * 2;
  return [at(col) + jitter(), at(row) + jitter()];
}

/** Half-slope of the triangle's sides: half width grows by this much per unit of height. */
const TRIANGLE_SLOPE = 0.95 / 1.8;
const TRIANGLE_NORM = Math.hypot(1, TRIANGLE_SLOPE);

/**
 * The signed distance (pixels; negative inside) from a point at offset (dx, dy) from a
 * shape's centre to the outline of a shape of radius `r`. Circle: radius r. Square: half
 * side 0.82r. Triangle (apex up): apex (0, -r), base corners (+-0.95r, 0.8r). Exact for
 * the circle and for the edges; near corners it is the distance to the nearest edge line.
 * The renderer draws exactly the points where it is <= 0.
 */
export function shapeSignedDistance(kind: ShapeKind, dx: number, dy: number, r: number): number {
  switch (kind) {
    case 'circle':
      return Math.hypot(dx, dy) - r;
    case 'square':
      return Math.max(Math.abs(dx), Math.abs(dy)) - 0.82 * r;
    default:
      return Math.max(dy - 0.8 * r, (Math.abs(dx) - TRIANGLE_SLOPE * (dy + r)) / TRIANGLE_NORM);
  }
}

function inside(shape: DrawnShape, x: number, y: number): boolean {
  return shapeSignedDistance(shape.kind, x - shape.cx, y - shape.cy, shape.radius) <= 0;
}

/** Draw shapes on the background with 4x4 supersampling; returns CHW in [-1, 1]. */
export function renderShapes(shapes: readonly DrawnShape[], size: number): Float32Array {
  const out = new Float32Array(3 * size * size);
  const ss = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const rgb = [0, 0, 0];
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const px = x + (sx + 0.5) / ss;
          const py = y + (sy + 0.5) / ss;
          let color: readonly number[] = BACKGROUND;
          for (const s of shapes) if (inside(s, px, py)) color = PALETTE[s.color];
          rgb[0] += color[0];
          rgb[1] += color[1];
          rgb[2] += color[2];
        }
      }
      for (let c = 0; c < 3; c++) out[c * size * size + y * size + x] = rgb[c] / (ss * ss) / 127.5 - 1;
    }
  }
  return out;
}

function pick<T>(items: readonly T[], rng: Rng): T {
  return items[rng.integer(0, items.length)];
}

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');

/** The caption of a labelled example. */
export function shapesCaption(labels: ShapesLabels): string {
  if (labels.count === 1) {
    const { shape, size, position } = labels;
    const where =
      position === 'center' ? 'in the center' : position === 'left' || position === 'right' ? `on the ${position}` : `at the ${position}`;
    return `a ${size} ${shape.color} ${shape.kind} ${where}`;
  }
  const { first, second, relation } = labels;
  return `${article(first.color)} ${first.color} ${first.kind} ${relation} ${article(second.color)} ${second.color} ${second.kind}`;
}

/** Draw the labels of example `index` of a stream. */
export function sampleShapesLabels(rng: Rng, size: number, twoShapeProbability: number): ShapesLabels {
  if (rng.uniformNumber() >= twoShapeProbability) {
    const large = rng.uniformNumber() < 0.5;
    const radius = (large ? 0.25 : 0.14) * size * (0.9 + 0.2 * rng.uniformNumber());
    const position = pick(POSITIONS, rng);
    const [cx, cy] = positionCenter(position, size, radius, rng);
    const shape: DrawnShape = { kind: pick(SHAPE_KINDS, rng), color: pick(COLOR_NAMES, rng), cx, cy, radius };
    return { count: 1, shape, size: large ? 'large' : 'small', position };
  }
  const relation = pick(RELATIONS, rng);
  const radius = 0.17 * size * (0.9 + 0.2 * rng.uniformNumber());
  const near = radius + 1 + rng.uniformNumber() * 2;
  const far = size - near;
  const cross = () => radius + 1 + rng.uniformNumber() * (size - 2 * radius - 2);
  const horizontal = relation === 'to the left of' || relation === 'to the right of';
  const firstLow = relation === 'to the left of' || relation === 'above';
  const along: [number, number] = firstLow ? [near, far] : [far, near];
  const colorA = pick(COLOR_NAMES, rng);
  let colorB = pick(COLOR_NAMES, rng);
  while (colorB === colorA) colorB = pick(COLOR_NAMES, rng);
  const mk = (color: ColorName, a: number): DrawnShape => {
    const c = cross();
    return { kind: pick(SHAPE_KINDS, rng), color, cx: horizontal ? a : c, cy: horizontal ? c : a, radius };
  };
  const first = mk(colorA, along[0]);
  const second = mk(colorB, along[1]);
  return { count: 2, first, second, relation };
}

/** The sample-grid prompts of `shapes`: one and two shapes, every kind, size and colour class. */
export const SHAPES_SAMPLE_PROMPTS: readonly string[] = [
  'a large red circle in the center',
  'a small blue square at the top left',
  'a large yellow triangle at the bottom right',
  'a large green square on the left',
  'a small purple circle at the bottom',
  'a large orange triangle at the top',
  'a red square to the left of a blue circle',
  'a yellow circle above a green triangle',
];

/**
 * Create the `shapes` dataset. Example `i` is a pure function of (seed, split, i).
 * @example
 * ```ts
 * const data = createShapesDataset({ count: 1000, seed: 1 });
 * const { image, caption } = data.get(0); // Float32Array(3*32*32), "a small red circle at the top left"
 * ```
 */
export function createShapesDataset(options: ShapesOptions = {}): Dataset {
  const count = checkNumber('count', options.count ?? 50_000, { integer: true, min: 1 });
  const seed = checkNumber('seed', options.seed ?? 0, { integer: true });
  const size = checkNumber('size', options.size ?? 32, { integer: true, min: 16, max: 256 });
  const p2 = checkNumber('twoShapeProbability', options.twoShapeProbability ?? 0.5, { min: 0, max: 1 });
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'test') invalid('split', split, '"train" or "test"');
  const holdout = options.holdout ?? 'none';
  if (holdout !== 'none' && holdout !== 'combos') invalid('holdout', holdout, '"none" or "combos"');
  const excluded = split === 'train' && holdout === 'combos';
  return {
    name: `shapes(count=${count}, seed=${seed}, size=${size}, split=${split}${holdout === 'none' ? '' : `, holdout=${holdout}`})`,
    size: count,
    channels: 3,
    height: size,
    width: size,
    heldOutPrompts: (n: number, promptSeed: number) => {
      const held = createShapesDataset({ count: n, seed: promptSeed, split: 'test' });
      return Array.from({ length: n }, (_, k) => held.get(k).caption);
    },
    samplePrompts: () => [...SHAPES_SAMPLE_PROMPTS],
    promptAdherence: (images: readonly Float32Array[], prompts: readonly string[]) => colorAdherence(images, prompts, size, size),
    get(index: number): CaptionedImage {
      checkIndex(index, count);
      const rng = createRng(`shapes/${split}/${seed}/${index}`);
      let labels = sampleShapesLabels(rng, size, p2);
      while (excluded && (labels.count === 1 ? [labels.shape] : [labels.first, labels.second]).some(isHeldOutCombination)) {
        labels = sampleShapesLabels(rng, size, p2);
      }
      const shapes = labels.count === 1 ? [labels.shape] : [labels.first, labels.second];
      return { image: renderShapes(shapes, size), caption: shapesCaption(labels), labels };
    },
  };
}
