/**
 * Scores one `shapes` image against its prompt, attribute by attribute, in the spirit of
 * GenEval: find the objects ({@link segmentObjects}), fit a shape to each
 * ({@link classifyShape}), then check what the prompt names. One-shape prompts: colour,
 * kind, size, position (3x3) and count; two-shape prompts: both colours, both kinds, the
 * relation and count. The whole prompt is right when every attribute is.
 */
import { invalid } from '@rectiflow/core';
import { type ColorName, POSITIONS, type Position, parseShapesPrompt, type ShapeKind } from '@rectiflow/data';
import { classifyShape, type ShapeClassification } from './fit-shape';
import { type SegmentedObject, segmentObjects } from './segment-objects';

/** The attributes a shapes prompt is scored on. */
export const SHAPES_ATTRIBUTES = ['color', 'kind', 'size', 'position', 'relation', 'count'] as const;
/** One scored attribute. */
export type ShapesAttribute = (typeof SHAPES_ATTRIBUTES)[number];

/** One object as the scorer saw it. */
export interface DetectedShape {
  color: ColorName;
  kind: ShapeKind | 'blob';
  cx: number;
  cy: number;
  radius: number;
  area: number;
  iou: number;
}

/** The score of one image. */
export interface ShapesImageScore {
  prompt: string;
  /** 1 or 2: how many shapes the prompt names. */
  count: 1 | 2;
  /** Whether each attribute that applies to the prompt is right. */
  attributes: Partial<Record<ShapesAttribute, boolean>>;
  /** Every applicable attribute right. */
  whole: boolean;
  /** One-shape prompts: the position the prompt asks for. */
  asked?: Position;
  /** One-shape prompts: the 3x3 cell the shape is in (null when there is no shape). */
  position?: Position | null;
  /** The objects found, largest first. */
  objects: DetectedShape[];
}

/** Radius range of the dataset's shapes, as fractions of the image side (small min, large max). */
const RADIUS_RANGE = [0.14 * 0.9, 0.25 * 1.1] as const;
/** Radius (fraction of the side) between small (at most 0.154) and large (at least 0.225). */
export const SIZE_THRESHOLD = 0.1875;

/**
 * The 3x3 cell of a shape centred at (cx, cy) with radius r: the nearest of the anchors the
 * dataset places such a shape at (margin r + 1 from the border, and the middle).
 */
export function positionCell(cx: number, cy: number, radius: number, height: number, width: number): Position {
  const axis = (v: number, side: number) => {
    const r = Math.min(RADIUS_RANGE[1] * side, Math.max(RADIUS_RANGE[0] * side, radius));
    const near = r + 1;
    const mid = side / 2;
    const far = side - near;
    return v < (near + mid) / 2 ? 0 : v < (mid + far) / 2 ? 1 : 2;
  };
  return POSITIONS[axis(cy, height) * 3 + axis(cx, width)];
}

function detect(object: SegmentedObject, height: number, width: number): DetectedShape {
  const c: ShapeClassification = classifyShape(object, height, width);
  return { color: object.color, kind: c.kind, cx: c.cx, cy: c.cy, radius: c.radius, area: object.area, iou: c.iou };
}

/** Score one CHW RGB image in [-1, 1] against a shapes prompt. */
export function scoreShapesImage(image: Float32Array, height: number, width: number, prompt: string): ShapesImageScore {
  if (image.length !== 3 * height * width) invalid('image.length', image.length, `3 * ${height} * ${width} (CHW RGB)`);
  const parsed = parseShapesPrompt(prompt);
  const objects = segmentObjects(image, height, width).map((o) => detect(o, height, width));
  const ofColor = (color: ColorName) => objects.find((o) => o.color === color);
  if (parsed.count === 1) {
    const target = ofColor(parsed.shape.color) ?? objects[0];
    const position = target ? positionCell(target.cx, target.cy, target.radius, height, width) : null;
    const attributes = {
      color: objects.length > 0 && objects[0].color === parsed.shape.color,
      kind: target?.kind === parsed.shape.kind,
      size: target !== undefined && (target.radius >= SIZE_THRESHOLD * Math.min(height, width) ? 'large' : 'small') === parsed.size,
      position: position === parsed.position,
      count: objects.length === 1,
    };
    return { prompt, count: 1, attributes, whole: Object.values(attributes).every(Boolean), asked: parsed.position, position, objects };
  }
  const a = ofColor(parsed.first.color);
  const b = ofColor(parsed.second.color);
  const top2 = objects.slice(0, 2).map((o) => o.color);
  let relation = false;
  if (a && b) {
    const tolerance = Math.min(height, width) / 32;
    relation = {
      'to the left of': a.cx < b.cx - tolerance,
      'to the right of': a.cx > b.cx + tolerance,
      above: a.cy < b.cy - tolerance,
      below: a.cy > b.cy + tolerance,
    }[parsed.relation];
  }
  const attributes = {
    color: top2.length === 2 && top2.includes(parsed.first.color) && top2.includes(parsed.second.color),
    kind: a?.kind === parsed.first.kind && b?.kind === parsed.second.kind,
    relation,
    count: objects.length === 2,
  };
  return { prompt, count: 2, attributes, whole: Object.values(attributes).every(Boolean), objects };
}
