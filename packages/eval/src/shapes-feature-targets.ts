/**
 * The classification heads of the shapes feature net and the targets it learns from the
 * ground-truth labels of the `shapes` dataset. Two-shape captions are symmetric ("a red
 * circle to the left of a blue square" shows the same image as "a blue square to the right
 * of a red circle"), so the heads name the shapes by place instead of caption order: shape
 * A is the only shape, or the left one (horizontal relations), or the upper one (vertical).
 */

import { invalid } from '@rectiflow/core';
import { COLOR_NAMES, POSITIONS, SHAPE_KINDS, type ShapesLabels } from '@rectiflow/data';
import type { FeatureHead, FeatureNetConfig } from './feature-net';

/** The heads, in order. */
export const SHAPES_FEATURE_HEADS: readonly FeatureHead[] = Object.freeze([
  { name: 'count', classes: ['1', '2'] },
  { name: 'colorA', classes: [...COLOR_NAMES] },
  { name: 'kindA', classes: [...SHAPE_KINDS] },
  { name: 'colorB', classes: [...COLOR_NAMES] },
  { name: 'kindB', classes: [...SHAPE_KINDS] },
  { name: 'size', classes: ['small', 'large'] },
  { name: 'position', classes: [...POSITIONS] },
  { name: 'axis', classes: ['horizontal', 'vertical'] },
]);

/** The architecture of the shipped shapes feature net. */
export const SHAPES_FEATURE_NET_CONFIG: Readonly<FeatureNetConfig> = Object.freeze({
  channels: 3,
  size: 32,
  widths: [32, 64, 64],
  featureDim: 128,
  heads: SHAPES_FEATURE_HEADS,
});

/**
 * The class index of each {@link SHAPES_FEATURE_HEADS} head for one example's labels, -1
 * where the head does not apply (B, axis for one shape; size, position for two).
 */
export function shapesFeatureTargets(labels: ShapesLabels): Int32Array {
  const color = (c: string) => COLOR_NAMES.indexOf(c as (typeof COLOR_NAMES)[number]);
  const kind = (k: string) => SHAPE_KINDS.indexOf(k as (typeof SHAPE_KINDS)[number]);
  if (labels?.count === 1) {
    const { shape } = labels;
    return Int32Array.from([
      0,
      color(shape.color),
      kind(shape.kind),
      -1,
      -1,
      labels.size === 'large' ? 1 : 0,
      POSITIONS.indexOf(labels.position),
      -1,
    ]);
  }
  if (labels?.count === 2) {
    const inOrder = labels.relation === 'to the left of' || labels.relation === 'above';
    const [a, b] = inOrder ? [labels.first, labels.second] : [labels.second, labels.first];
    const horizontal = labels.relation === 'to the left of' || labels.relation === 'to the right of';
    return Int32Array.from([1, color(a.color), kind(a.kind), color(b.color), kind(b.kind), -1, -1, horizontal ? 0 : 1]);
  }
  return invalid('labels', labels, 'the labels of a shapes example ({ count: 1, ... } or { count: 2, ... })');
}
