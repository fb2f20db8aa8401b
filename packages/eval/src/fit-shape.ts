/**
 * Which shape an object is: each kind's outline (the geometry the `shapes` renderer draws,
 * {@link shapeSignedDistance}) is fitted to the object's soft mask by a pattern search over
 * centre and radius, maximising the soft intersection over union. The kind whose best fit
 * covers the mask best wins; when no kind fits well the object is a `blob`. Templates are
 * clipped by the image border exactly as the mask is, so shapes cut by the border fit too.
 */
import { SHAPE_KINDS, type ShapeKind, shapeSignedDistance } from '@rectiflow/data';
import type { SegmentedObject } from './segment-objects';

/** The best placement of one kind on an object. */
export interface ShapeFit {
  kind: ShapeKind;
  cx: number;
  cy: number;
  radius: number;
  /** Soft intersection over union of the fitted outline and the mask, in [0, 1]. */
  iou: number;
}

/** What an object looks like: a kind (or `blob`), its fitted centre and radius. */
export interface ShapeClassification {
  kind: ShapeKind | 'blob';
  cx: number;
  cy: number;
  radius: number;
  /** The best fit's intersection over union. */
  iou: number;
  /** The best fit of every kind. */
  fits: ShapeFit[];
}

/** Below this intersection over union no kind fits and the object is a blob. */
export const BLOB_IOU = 0.75;

/** Soft intersection over union of a kind placed at (cx, cy, r) with a mask. */
export function templateIoU(
  mask: Float32Array,
  height: number,
  width: number,
  box: SegmentedObject['box'],
  kind: ShapeKind,
  cx: number,
  cy: number,
  r: number,
): number {
  if (!(r > 0)) return 0;
  const x0 = Math.max(0, Math.min(box.x0, Math.floor(cx - r - 1)));
  const x1 = Math.min(width - 1, Math.max(box.x1, Math.ceil(cx + r + 1)));
  const y0 = Math.max(0, Math.min(box.y0, Math.floor(cy - r - 1)));
  const y1 = Math.min(height - 1, Math.max(box.y1, Math.ceil(cy + r + 1)));
  let inter = 0;
  let union = 0;
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - cy;
    for (let x = x0; x <= x1; x++) {
      // Coverage of the pixel square by the outline, from the distance at its centre.
      const t = Math.min(1, Math.max(0, 0.5 - shapeSignedDistance(kind, x + 0.5 - cx, dy, r)));
      const m = mask[y * width + x];
      inter += Math.min(m, t);
      union += Math.max(m, t);
    }
  }
  return union > 0 ? inter / union : 0;
}

/** Area of a kind's outline as a multiple of r^2. */
const AREA_FACTOR: Record<ShapeKind, number> = { circle: Math.PI, square: 1.64 * 1.64, triangle: 0.5 * 1.9 * 1.8 };
/** Offset of a kind's centroid below its centre, as a multiple of r. */
const CENTROID_OFFSET: Record<ShapeKind, number> = { circle: 0, square: 0, triangle: 0.2 };

/** Fit one kind to an object: start from the mask's moments, then a pattern search. */
export function fitKind(object: SegmentedObject, height: number, width: number, kind: ShapeKind): ShapeFit {
  const iou = (cx: number, cy: number, r: number) => templateIoU(object.mask, height, width, object.box, kind, cx, cy, r);
  let r = Math.sqrt(object.area / AREA_FACTOR[kind]);
  let cx = object.cx;
  let cy = object.cy - CENTROID_OFFSET[kind] * r;
  let best = iou(cx, cy, r);
  for (const step of [1, 0.5, 0.25, 0.125]) {
    for (let round = 0; round < 24; round++) {
      let moved = false;
      for (const [dx, dy, dr] of [
        [step, 0, 0],
        [-step, 0, 0],
        [0, step, 0],
        [0, -step, 0],
        [0, 0, step],
        [0, 0, -step],
      ]) {
        const score = iou(cx + dx, cy + dy, r + dr);
        if (score > best) {
          best = score;
          cx += dx;
          cy += dy;
          r += dr;
          moved = true;
        }
      }
      if (!moved) break;
    }
  }
  return { kind, cx, cy, radius: r, iou: best };
}

/** Classify an object as one of the shape kinds, or a blob when none fits (IoU below `blobIoU`). */
export function classifyShape(object: SegmentedObject, height: number, width: number, blobIoU = BLOB_IOU): ShapeClassification {
  const fits = SHAPE_KINDS.map((kind) => fitKind(object, height, width, kind));
  const best = fits.reduce((a, b) => (b.iou > a.iou ? b : a));
  return { kind: best.iou >= blobIoU ? best.kind : 'blob', cx: best.cx, cy: best.cy, radius: best.radius, iou: best.iou, fits };
}
