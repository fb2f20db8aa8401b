/**
 * Automatic prompt-adherence checks for the shapes dataset: which palette colours an image
 * shows, and whether they are the colours its caption names.
 */
import { invalid } from '@rectiflow/core';
import { BACKGROUND, COLOR_NAMES, type ColorName, PALETTE } from './palette';
import { SHAPE_KINDS, type ShapeKind } from './shapes';

/** The colours and shapes a caption names, in order. */
export function parseShapesCaption(caption: string): { colors: ColorName[]; kinds: ShapeKind[] } {
  const words = caption.toLowerCase().split(/[^a-z]+/);
  return {
    colors: words.filter((w): w is ColorName => (COLOR_NAMES as string[]).includes(w)),
    kinds: words.filter((w): w is ShapeKind => (SHAPE_KINDS as readonly string[]).includes(w)),
  };
}

/**
 * Count the foreground pixels of a CHW RGB image in [-1, 1] by nearest palette colour.
 * A pixel is foreground when it is farther than `threshold` (8-bit units) from the background.
 */
export function colorHistogram(image: Float32Array, height: number, width: number, threshold = 60): Map<ColorName, number> {
  if (image.length !== 3 * height * width) invalid('image.length', image.length, `3 * ${height} * ${width} (CHW RGB)`);
  const counts = new Map<ColorName, number>();
  const plane = height * width;
  for (let i = 0; i < plane; i++) {
    const r = (image[i] + 1) * 127.5;
    const g = (image[plane + i] + 1) * 127.5;
    const b = (image[2 * plane + i] + 1) * 127.5;
    if (Math.hypot(r - BACKGROUND[0], g - BACKGROUND[1], b - BACKGROUND[2]) < threshold) continue;
    let best: ColorName = COLOR_NAMES[0];
    let bestDistance = Infinity;
    for (const name of COLOR_NAMES) {
      const [pr, pg, pb] = PALETTE[name];
      const d = (r - pr) ** 2 + (g - pg) ** 2 + (b - pb) ** 2;
      if (d < bestDistance) {
        bestDistance = d;
        best = name;
      }
    }
    counts.set(best, (counts.get(best) ?? 0) + 1);
  }
  return counts;
}

/** The `k` most frequent foreground colours, most frequent first. */
export function dominantColors(image: Float32Array, height: number, width: number, k = 1): ColorName[] {
  return [...colorHistogram(image, height, width).entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([name]) => name);
}

/**
 * Whether an image shows the colours its caption names: for one named colour, the most
 * frequent foreground colour is that colour; for two, the two most frequent are those two.
 */
export function matchesCaptionColors(image: Float32Array, height: number, width: number, caption: string): boolean {
  const named = [...new Set(parseShapesCaption(caption).colors)];
  if (named.length === 0) return false;
  const top = dominantColors(image, height, width, named.length);
  return top.length === named.length && named.every((c) => top.includes(c));
}

/** The fraction of images whose colours match their captions (see {@link matchesCaptionColors}). */
export function colorAdherence(images: readonly Float32Array[], captions: readonly string[], height: number, width: number): number {
  if (images.length !== captions.length || images.length === 0) {
    invalid('captions.length', captions.length, `the number of images (${images.length}), at least 1`);
  }
  let hits = 0;
  images.forEach((img, i) => {
    if (matchesCaptionColors(img, height, width, captions[i])) hits++;
  });
  return hits / images.length;
}
