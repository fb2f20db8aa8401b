import { BACKGROUND, createShapesDataset, PALETTE, renderShapes, SHAPE_KINDS } from '@rectiflow/data';
import { describe, expect, it } from 'vitest';
import { summarizeAdherence } from './adherence-summary';
import { classifyShape } from './fit-shape';
import { scoreShapesImage } from './score-shapes-image';
import { segmentObjects } from './segment-objects';

/** A filled ellipse (4x4 supersampled, like the renderer) in a colour of the palette. */
function ellipse(ax: number, ay: number, size = 32): Float32Array {
  const img = new Float32Array(3 * size * size);
  const color = PALETTE.red;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let cover = 0;
      for (let s = 0; s < 16; s++) {
        const px = x + ((s % 4) + 0.5) / 4 - size / 2;
        const py = y + (Math.floor(s / 4) + 0.5) / 4 - size / 2;
        if ((px / ax) ** 2 + (py / ay) ** 2 <= 1) cover++;
      }
      for (let c = 0; c < 3; c++)
        img[c * size * size + y * size + x] = (BACKGROUND[c] + (cover / 16) * (color[c] - BACKGROUND[c])) / 127.5 - 1;
    }
  }
  return img;
}

describe('scoreShapesImage', () => {
  it('is calibrated: >= 98% on every attribute of 2,000 rendered ground-truth images (measured: 100%)', () => {
    const data = createShapesDataset({ count: 2000, split: 'test', seed: 11 });
    const scores = Array.from({ length: data.size }, (_, i) => {
      const { image, caption } = data.get(i);
      return scoreShapesImage(image, 32, 32, caption);
    });
    const s = summarizeAdherence(scores);
    expect(s.one.images).toBeGreaterThan(900);
    expect(s.two.images).toBeGreaterThan(900);
    for (const group of [s.one, s.two]) {
      for (const rate of Object.values(group.attributes)) expect(rate).toBeGreaterThanOrEqual(0.98);
      expect(group.whole).toBeGreaterThanOrEqual(0.98);
    }
    expect(Object.keys(s.one.attributes).sort()).toEqual(['color', 'count', 'kind', 'position', 'size']);
    expect(Object.keys(s.two.attributes).sort()).toEqual(['color', 'count', 'kind', 'relation']);
  });

  it('finds the kind of shapes cut by the image border', () => {
    let right = 0;
    let total = 0;
    for (const kind of SHAPE_KINDS) {
      for (const radius of [4.5, 6, 8]) {
        for (const [cx, cy] of [
          [0.3 * radius, 16],
          [32 - 0.4 * radius, 14],
          [15, 0.5 * radius],
          [17, 32 - 0.3 * radius],
        ]) {
          const image = renderShapes([{ kind, color: 'blue', cx, cy, radius }], 32);
          const [object] = segmentObjects(image, 32, 32);
          total++;
          if (classifyShape(object, 32, 32).kind === kind) right++;
        }
      }
    }
    expect(right / total).toBeGreaterThanOrEqual(0.95);
  });

  it('calls a blob that fits no shape a blob, and so a wrong kind', () => {
    for (const [ax, ay] of [
      [8, 4],
      [10, 5],
      [5, 2.5],
    ]) {
      const s = scoreShapesImage(ellipse(ax, ay), 32, 32, 'a large red circle in the center');
      expect(s.objects[0].kind).toBe('blob');
      expect(s.attributes.kind).toBe(false);
      expect(s.attributes.color).toBe(true);
    }
    // A round ellipse is still a circle.
    expect(scoreShapesImage(ellipse(6, 6), 32, 32, 'a large red circle in the center').attributes.kind).toBe(true);
  });

  it('marks exactly the attributes an image gets wrong', () => {
    const shape = { kind: 'square' as const, color: 'green' as const, cx: 26, cy: 6, radius: 4.5 };
    const image = renderShapes([shape], 32);
    expect(scoreShapesImage(image, 32, 32, 'a small green square at the top right').whole).toBe(true);
    const wrong = scoreShapesImage(image, 32, 32, 'a large green triangle at the bottom left');
    expect(wrong.attributes).toEqual({ color: true, kind: false, size: false, position: false, count: true });
    expect(wrong.position).toBe('top right');
    expect(scoreShapesImage(image, 32, 32, 'a small red square at the top right').attributes.color).toBe(false);

    const a = { kind: 'circle' as const, color: 'red' as const, cx: 7, cy: 16, radius: 5.5 };
    const b = { kind: 'triangle' as const, color: 'yellow' as const, cx: 25, cy: 12, radius: 5.5 };
    const pair = renderShapes([a, b], 32);
    expect(scoreShapesImage(pair, 32, 32, 'a red circle to the left of a yellow triangle').whole).toBe(true);
    expect(scoreShapesImage(pair, 32, 32, 'a red circle to the right of a yellow triangle').attributes).toEqual({
      color: true,
      kind: true,
      relation: false,
      count: true,
    });
    // The same colour twice (a mirrored copy) is a wrong count and a missing colour.
    const twice = renderShapes([a, { ...a, cx: 25 }], 32);
    const s = scoreShapesImage(twice, 32, 32, 'a red circle to the left of a yellow triangle');
    expect(s.attributes.count).toBe(true);
    expect(s.attributes.color).toBe(false);
    expect(s.whole).toBe(false);
    expect(scoreShapesImage(twice, 32, 32, 'a small red circle on the left').attributes.count).toBe(false);
  });

  it('finds nothing in a blank image and rejects bad input', () => {
    const blank = renderShapes([], 32);
    const s = scoreShapesImage(blank, 32, 32, 'a small red circle on the left');
    expect(s.objects).toEqual([]);
    expect(s.whole).toBe(false);
    expect(s.position).toBe(null);
    expect(() => scoreShapesImage(blank, 32, 16, 'a small red circle on the left')).toThrow(/image\.length.*3 \* 32 \* 16/);
    expect(() => scoreShapesImage(blank, 32, 32, 'a photo of a cat')).toThrow(/prompt.*a photo of a cat/);
    const nan = blank.slice();
    nan[5] = Number.NaN;
    expect(() => scoreShapesImage(nan, 32, 32, 'a small red circle on the left')).toThrow(/non-finite/);
  });
});
