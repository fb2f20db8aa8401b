import { describe, expect, it } from 'vitest';
import { drawText, GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphFor, hasGlyph, LINE_HEIGHT, textWidth, wrapText } from './pixel-font';

/** Every character the font promises a glyph for. */
const LISTED = `abcdefghijklmnopqrstuvwxyz0123456789 .,:;-+()%/'"!?=#_`;

/** One character drawn at (0, 0) into a blank 1-channel 5×7 buffer (0 = paper, -1 = ink). */
function render(char: string): Float32Array {
  const buffer = new Float32Array(GLYPH_WIDTH * GLYPH_HEIGHT);
  drawText(buffer, GLYPH_WIDTH, GLYPH_HEIGHT, 1, char, 0, 0);
  return buffer;
}

const inked = (buffer: Float32Array) => buffer.filter((v) => v !== 0).length;

describe('pixel font glyphs', () => {
  it('has a glyph that draws ink for every listed character but space, which draws none', () => {
    for (const char of LISTED) {
      expect(hasGlyph(char), char).toBe(true);
      if (char === ' ') expect(inked(render(char))).toBe(0);
      else expect(inked(render(char)), `glyph of ${JSON.stringify(char)}`).toBeGreaterThan(0);
    }
  });

  it('draws distinct glyphs for distinct characters, none of them the fallback box', () => {
    const seen = new Map<string, string>();
    const box = render('\u0001').join(',');
    for (const char of LISTED) {
      const key = render(char).join(',');
      expect(seen.get(key), `${JSON.stringify(char)} looks like ${JSON.stringify(seen.get(key))}`).toBeUndefined();
      expect(key === box, `${JSON.stringify(char)} looks like the fallback box`).toBe(false);
      seen.set(key, char);
    }
    expect(seen.size).toBe(LISTED.length);
  });

  it('draws lowercase and uppercase letters alike, and a box for characters without a glyph', () => {
    for (const char of 'abcxyz') expect(render(char.toUpperCase())).toEqual(render(char));
    expect(hasGlyph('€')).toBe(false);
    const box = render('€');
    expect(render('\t')).toEqual(box);
    // The box: a full outline, empty inside.
    for (let y = 0; y < GLYPH_HEIGHT; y++) {
      for (let x = 0; x < GLYPH_WIDTH; x++) {
        const edge = x === 0 || y === 0 || x === GLYPH_WIDTH - 1 || y === GLYPH_HEIGHT - 1;
        expect(box[y * GLYPH_WIDTH + x]).toBe(edge ? -1 : 0);
      }
    }
    expect(glyphFor('€')).toBe(glyphFor('\u2603'));
  });
});

describe('drawText', () => {
  it('spaces characters by one pixel and lines by two, scaled by whole pixels', () => {
    const w = 2 * GLYPH_ADVANCE;
    const h = LINE_HEIGHT + GLYPH_HEIGHT;
    const buffer = new Float32Array(w * h);
    drawText(buffer, w, h, 1, 'LT\nIH', 0, 0);
    const block = (x0: number, y0: number) => {
      const out = new Float32Array(GLYPH_WIDTH * GLYPH_HEIGHT);
      for (let y = 0; y < GLYPH_HEIGHT; y++) for (let x = 0; x < GLYPH_WIDTH; x++) out[y * GLYPH_WIDTH + x] = buffer[(y0 + y) * w + x0 + x];
      return out;
    };
    expect(block(0, 0)).toEqual(render('l'));
    expect(block(GLYPH_ADVANCE, 0)).toEqual(render('t'));
    expect(block(0, LINE_HEIGHT)).toEqual(render('i'));
    expect(block(GLYPH_ADVANCE, LINE_HEIGHT)).toEqual(render('h'));
    // The spacing column and the rows between the lines stay blank.
    for (let y = 0; y < h; y++) expect(buffer[y * w + GLYPH_WIDTH]).toBe(0);
    for (let x = 0; x < w; x++) expect(buffer[GLYPH_HEIGHT * w + x]).toBe(0);

    const big = new Float32Array(3 * GLYPH_WIDTH * 3 * GLYPH_HEIGHT);
    drawText(big, 3 * GLYPH_WIDTH, 3 * GLYPH_HEIGHT, 1, 'a', 0, 0, { scale: 3 });
    expect(inked(big)).toBe(9 * inked(render('a')));
    for (let y = 0; y < 3 * GLYPH_HEIGHT; y++) {
      for (let x = 0; x < 3 * GLYPH_WIDTH; x++) {
        expect(big[y * 3 * GLYPH_WIDTH + x]).toBe(render('a')[Math.floor(y / 3) * GLYPH_WIDTH + Math.floor(x / 3)]);
      }
    }
  });

  it('writes the colour of each channel into ink pixels only', () => {
    const w = 8;
    const h = 9;
    const buffer = new Float32Array(3 * w * h).fill(0.25);
    drawText(buffer, w, h, 3, '#', 1, 1, { color: [-1, 0.5, 1] });
    const plane = w * h;
    const r = buffer.subarray(0, plane);
    const g = buffer.subarray(plane, 2 * plane);
    const b = buffer.subarray(2 * plane);
    const ink = r.filter((v) => v === -1).length;
    expect(ink).toBe(inked(render('#')));
    for (let p = 0; p < plane; p++) {
      if (r[p] === -1) expect([g[p], b[p]]).toEqual([0.5, 1]);
      else expect([r[p], g[p], b[p]]).toEqual([0.25, 0.25, 0.25]);
    }
  });

  it('clips glyphs at every edge of the buffer', () => {
    const full = render('m');
    const w = GLYPH_WIDTH;
    const h = GLYPH_HEIGHT;
    for (const [dx, dy] of [
      [-2, 0],
      [3, 0],
      [0, -3],
      [0, 4],
      [-4, -6],
      [4, 6],
    ]) {
      const buffer = new Float32Array(w * h);
      drawText(buffer, w, h, 1, 'm', dx, dy);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const gx = x - dx;
          const gy = y - dy;
          const inside = gx >= 0 && gx < w && gy >= 0 && gy < h;
          expect(buffer[y * w + x], `offset ${dx},${dy} at ${x},${y}`).toBe(inside ? full[gy * w + gx] : 0);
        }
      }
    }
    const untouched = new Float32Array(w * h);
    drawText(untouched, w, h, 1, 'far away', 100, -100, { scale: 4 });
    drawText(untouched, w, h, 1, 'left', -1000, 0);
    expect(inked(untouched)).toBe(0);
  });

  it('checks its arguments', () => {
    const buffer = new Float32Array(12);
    expect(() => drawText(buffer, 4, 4, 1, 'a', 0, 0)).toThrow(/target.length: got 12; expected channels·height·width = 16/);
    expect(() => drawText(buffer, 4, 3, 1, 'a', 0.5, 0)).toThrow(/x: got 0.5; expected an integer/);
    expect(() => drawText(buffer, 4, 3, 1, 'a', 0, 0, { scale: 0 })).toThrow(/scale: got 0; expected an integer >= 1/);
    expect(() => drawText(buffer, 2, 2, 3, 'a', 0, 0, { color: [1, 1] })).toThrow(/color: got \[1, 1\]; expected 1 or 3 values/);
  });
});

describe('textWidth and wrapText', () => {
  it('measures the widest line without trailing spacing', () => {
    expect(textWidth('')).toBe(0);
    expect(textWidth('a')).toBe(GLYPH_WIDTH);
    expect(textWidth('ab')).toBe(GLYPH_ADVANCE + GLYPH_WIDTH);
    expect(textWidth('ab', 3)).toBe(3 * (GLYPH_ADVANCE + GLYPH_WIDTH));
    expect(textWidth('a\nabc\nab')).toBe(2 * GLYPH_ADVANCE + GLYPH_WIDTH);
    expect(textWidth('…€')).toBe(GLYPH_ADVANCE + GLYPH_WIDTH);
  });

  it('wraps at word boundaries and breaks words longer than a line', () => {
    const four = textWidth('abcd'); // 23 pixels: four characters per line
    expect(wrapText('a red circle on a blue square', four)).toEqual(['a', 'red', 'circ', 'le', 'on a', 'blue', 'squa', 're']);
    expect(wrapText('a red circle', textWidth('a red circle'))).toEqual(['a red circle']);
    expect(wrapText('a red circle', textWidth('a red circle') - 1)).toEqual(['a red', 'circle']);
    expect(wrapText('  two   spaces\tand tab  ', 1000)).toEqual(['two spaces and tab']);
    expect(wrapText('first\nsecond', 1000)).toEqual(['first', 'second']);
    expect(wrapText('ab cd', textWidth('ab', 2), 2)).toEqual(['ab', 'cd']);
    expect(wrapText('', 100)).toEqual([]);
    expect(wrapText(' \n ', 100)).toEqual([]);
    // Narrower than a glyph: still one character per line.
    expect(wrapText('abc', 2)).toEqual(['a', 'b', 'c']);
    const width = 50;
    for (const line of wrapText('The quick brown fox jumps over the extraordinarily lazy dog, twice!', width)) {
      expect(textWidth(line)).toBeLessThanOrEqual(width);
    }
  });

  it('checks its arguments', () => {
    expect(() => wrapText('a', -1)).toThrow(/maxWidth: got -1; expected a finite number >= 0/);
    expect(() => wrapText('a', 10, 1.5)).toThrow(/scale: got 1.5; expected an integer >= 1/);
    expect(() => textWidth('a', 0)).toThrow(/scale: got 0/);
  });
});
