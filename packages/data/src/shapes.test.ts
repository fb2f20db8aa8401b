import { create } from '@rectiflow/core';
import { describe, expect, it } from 'vitest';
import { colorHistogram, dominantColors, matchesCaptionColors, parseShapesCaption } from './color-check';
import './dataset-plugins';
import { createShapesDataset, POSITIONS, type ShapesLabels } from './shapes';

function centroid(image: Float32Array, size: number): [number, number] {
  // Foreground = not background (background is about -0.86 in every channel).
  let sx = 0;
  let sy = 0;
  let n = 0;
  const plane = size * size;
  for (let i = 0; i < plane; i++) {
    const lum = image[i] + image[plane + i] + image[2 * plane + i];
    if (lum > -2.2) {
      sx += i % size;
      sy += Math.floor(i / size);
      n++;
    }
  }
  return [sx / n, sy / n];
}

describe('shapes dataset', () => {
  const data = createShapesDataset({ count: 400, seed: 3 });

  it('is deterministic per (seed, split, index) and has the documented geometry', () => {
    const a = data.get(7);
    const b = createShapesDataset({ count: 400, seed: 3 }).get(7);
    expect(a.caption).toBe(b.caption);
    expect(a.image).toEqual(b.image);
    expect(a.image).toHaveLength(3 * 32 * 32);
    expect(Math.min(...a.image)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...a.image)).toBeLessThanOrEqual(1);
    expect(createShapesDataset({ count: 400, seed: 3, split: 'test' }).get(7).caption).not.toBe(undefined);
    const trainCaptions = Array.from({ length: 50 }, (_, i) => data.get(i).caption).join('|');
    const testCaptions = Array.from(
      { length: 50 },
      (_, i) => createShapesDataset({ count: 400, seed: 3, split: 'test' }).get(i).caption,
    ).join('|');
    expect(trainCaptions).not.toBe(testCaptions);
  });

  it('draws exactly what every caption says: colours, positions and relations', () => {
    let single = 0;
    let double = 0;
    for (let i = 0; i < 300; i++) {
      const { image, caption, labels } = data.get(i);
      const l = labels as ShapesLabels;
      expect(matchesCaptionColors(image, 32, 32, caption)).toBe(true);
      const parsed = parseShapesCaption(caption);
      if (l.count === 1) {
        single++;
        expect(caption).toMatch(/^a (small|large) (red|green|blue|yellow|purple|orange) (circle|square|triangle) (at the|on the|in the) /);
        expect(parsed.colors).toEqual([l.shape.color]);
        // The drawn shape is nearest to the anchor its caption names (anchors: the 3x3
        // grid of centres that keep a shape of this radius inside the image).
        const [cx, cy] = centroid(image, 32);
        const margin = l.shape.radius + 1;
        const anchors = [0, 1, 2].map((k) => margin + (k * (32 - 2 * margin)) / 2);
        const nearest = (v: number) => anchors.map((a) => Math.abs(a - v)).reduce((best, d, k, all) => (d < all[best] ? k : best), 0);
        const index = POSITIONS.indexOf(l.position);
        expect(nearest(cx)).toBe(index % 3);
        expect(nearest(cy)).toBe(Math.floor(index / 3));
      } else {
        double++;
        expect(caption).toMatch(/^an? \w+ \w+ (to the left of|to the right of|above|below) an? \w+ \w+$/);
        expect(caption).not.toMatch(/\ba orange\b/);
        expect(parsed.colors).toEqual([l.first.color, l.second.color]);
        const { first, second, relation } = l;
        if (relation === 'to the left of') expect(first.cx).toBeLessThan(second.cx);
        if (relation === 'to the right of') expect(first.cx).toBeGreaterThan(second.cx);
        if (relation === 'above') expect(first.cy).toBeLessThan(second.cy);
        if (relation === 'below') expect(first.cy).toBeGreaterThan(second.cy);
      }
    }
    expect(single).toBeGreaterThan(100);
    expect(double).toBeGreaterThan(100);
  });

  it('colour checks reject the wrong colour and pure noise', () => {
    const { image, caption, labels } = data.get(0);
    const l = labels as ShapesLabels;
    const color = l.count === 1 ? l.shape.color : l.first.color;
    const wrong = caption.replace(color, color === 'red' ? 'blue' : 'red');
    expect(matchesCaptionColors(image, 32, 32, wrong)).toBe(false);
    expect(dominantColors(image, 32, 32)[0]).toBeDefined();
    const noise = new Float32Array(3 * 32 * 32).map((_, i) => Math.sin(i * 12.9898) * 0.999);
    expect(colorHistogram(noise, 32, 32).size).toBeGreaterThan(1);
  });

  it('is a plugin and rejects invalid options, naming them', () => {
    const d = create('dataset', 'shapes(count=10, seed=1, twoShapeProbability=0)');
    expect(d.size).toBe(10);
    expect(d.get(9).caption).toMatch(/^a (small|large)/);
    expect(() => createShapesDataset({ count: 0 })).toThrow('count: got 0; expected an integer >= 1');
    expect(() => createShapesDataset({ split: 'val' as never })).toThrow(/split: got "val"/);
    expect(() => data.get(400)).toThrow('index: got 400; expected an integer in [0, 400)');
  });
});
