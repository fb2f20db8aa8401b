/**
 * Finds the coloured objects in a `shapes` image. Each pixel is explained as a blend
 * `alpha * colour + (1 - alpha) * background` of the background and one palette colour
 * (the one that explains it best), so anti-aliased edges keep their colour and their
 * partial coverage. Pixels of one colour with `alpha >= 0.5` that touch (8-neighbourhood)
 * form an object; its soft mask adds the partly covered pixels around it.
 */
import { invalid } from '@rectiflow/core';
import { BACKGROUND, COLOR_NAMES, type ColorName, PALETTE } from '@rectiflow/data';

/** One object found in an image. */
export interface SegmentedObject {
  color: ColorName;
  /** Coverage in [0, 1] per pixel of the image (row major, height x width); 0 outside the object. */
  mask: Float32Array;
  /** Sum of the mask (pixels). */
  area: number;
  /** Mask-weighted centre (pixels, x to the right, y down; pixel centres at +0.5). */
  cx: number;
  cy: number;
  /** Bounding box of the mask's non-zero pixels, inclusive. */
  box: { x0: number; y0: number; x1: number; y1: number };
}

/** Options of {@link segmentObjects}. */
export interface SegmentOptions {
  /** Smallest object kept, in pixels of area, for a 32-pixel image (scaled with the image). Default 10. */
  minArea?: number;
  /** Coverage below which a pixel counts as background. Default 0.2. */
  minAlpha?: number;
}

const BG = BACKGROUND;
const DIRECTIONS = paletteDirections();

function paletteDirections(): { name: ColorName; d: [number, number, number]; norm2: number }[] {
  return COLOR_NAMES.map((name) => {
    const c = PALETTE[name];
    const d: [number, number, number] = [c[0] - BG[0], c[1] - BG[1], c[2] - BG[2]];
    return { name, d, norm2: d[0] * d[0] + d[1] * d[1] + d[2] * d[2] };
  });
}

/**
 * Per pixel, the palette colour that best explains it and its coverage (0 for background).
 * `image` is CHW RGB in [-1, 1].
 */
export function unmixColors(image: Float32Array, height: number, width: number, minAlpha = 0.2): { color: Int8Array; alpha: Float32Array } {
  if (image.length !== 3 * height * width) invalid('image.length', image.length, `3 * ${height} * ${width} (CHW RGB)`);
  const plane = height * width;
  const color = new Int8Array(plane).fill(-1);
  const alpha = new Float32Array(plane);
  for (let i = 0; i < plane; i++) {
    const r = (image[i] + 1) * 127.5 - BG[0];
    const g = (image[plane + i] + 1) * 127.5 - BG[1];
    const b = (image[2 * plane + i] + 1) * 127.5 - BG[2];
    if (!Number.isFinite(r + g + b)) invalid('image', 'a non-finite pixel value', 'finite values in [-1, 1]');
    let best = -1;
    let bestResidual = Infinity;
    let bestAlpha = 0;
    for (let k = 0; k < DIRECTIONS.length; k++) {
      const { d, norm2 } = DIRECTIONS[k];
      const a = Math.min(1, Math.max(0, (r * d[0] + g * d[1] + b * d[2]) / norm2));
      const er = r - a * d[0];
      const eg = g - a * d[1];
      const eb = b - a * d[2];
      const residual = er * er + eg * eg + eb * eb;
      if (residual < bestResidual) {
        bestResidual = residual;
        best = k;
        bestAlpha = a;
      }
    }
    if (bestAlpha >= minAlpha) {
      color[i] = best;
      alpha[i] = bestAlpha;
    }
  }
  return { color, alpha };
}

/** Call `fn` with each pixel of the 3x3 neighbourhood of pixel `p` that lies in the image (`p` included). */
function forEachNeighbour(p: number, width: number, height: number, fn: (q: number) => void): void {
  const px = p % width;
  const py = (p - px) / width;
  for (let y = Math.max(0, py - 1); y <= Math.min(height - 1, py + 1); y++) {
    for (let x = Math.max(0, px - 1); x <= Math.min(width - 1, px + 1); x++) fn(y * width + x);
  }
}

/**
 * The objects of an image, largest first. `image` is CHW RGB in [-1, 1].
 */
export function segmentObjects(image: Float32Array, height: number, width: number, options: SegmentOptions = {}): SegmentedObject[] {
  const minArea = (options.minArea ?? 10) * ((height * width) / (32 * 32));
  const { color, alpha } = unmixColors(image, height, width, options.minAlpha ?? 0.2);
  const plane = height * width;
  const label = new Int32Array(plane).fill(-1);
  const objects: SegmentedObject[] = [];
  const stack: number[] = [];
  for (let start = 0; start < plane; start++) {
    if (label[start] !== -1 || color[start] < 0 || alpha[start] < 0.5) continue;
    const k = color[start];
    const id = objects.length;
    const core: number[] = [];
    label[start] = id;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      core.push(p);
      forEachNeighbour(p, width, height, (q) => {
        if (label[q] === -1 && color[q] === k && alpha[q] >= 0.5) {
          label[q] = id;
          stack.push(q);
        }
      });
    }
    // The soft mask: the core plus the partly covered pixels of the same colour next to it.
    const mask = new Float32Array(plane);
    for (const p of core) {
      mask[p] = alpha[p];
      forEachNeighbour(p, width, height, (q) => {
        if (color[q] === k && alpha[q] < 0.5 && label[q] === -1) mask[q] = alpha[q];
      });
    }
    let area = 0;
    let sx = 0;
    let sy = 0;
    const box = { x0: width, y0: height, x1: -1, y1: -1 };
    for (let p = 0; p < plane; p++) {
      const m = mask[p];
      if (m === 0) continue;
      const x = p % width;
      const y = (p - x) / width;
      area += m;
      sx += m * (x + 0.5);
      sy += m * (y + 0.5);
      if (x < box.x0) box.x0 = x;
      if (x > box.x1) box.x1 = x;
      if (y < box.y0) box.y0 = y;
      if (y > box.y1) box.y1 = y;
    }
    objects.push({ color: DIRECTIONS[k].name, mask, area, cx: sx / area, cy: sy / area, box });
  }
  return objects.filter((o) => o.area >= minArea).sort((a, b) => b.area - a.area);
}
