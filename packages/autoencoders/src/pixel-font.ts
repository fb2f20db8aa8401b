/**
 * A small bitmap font for captions on sample sheets: 5×7-pixel capitals (lowercase input
 * is drawn in capitals), digits and common punctuation, drawn straight into CHW pixel
 * buffers. Characters without a glyph are drawn as a box.
 */
import { checkNumber, invalid } from '@rectiflow/core';

/** Width of a glyph in font pixels. */
export const GLYPH_WIDTH = 5;
/** Height of a glyph in font pixels. */
export const GLYPH_HEIGHT = 7;
/** Horizontal distance from one character to the next, in font pixels (one pixel of space). */
export const GLYPH_ADVANCE = GLYPH_WIDTH + 1;
/** Vertical distance from one line of text to the next, in font pixels (two pixels of space). */
export const LINE_HEIGHT = GLYPH_HEIGHT + 2;

/** Options of {@link drawText}. */
export interface DrawTextOptions {
  /** Integer size of a font pixel in image pixels (default 1). */
  scale?: number;
  /** Ink colour, one value per channel (or one for all), in image units (default -1: black for images in [-1, 1]). */
  color?: number[];
}

// Each glyph is 7 rows of 5 columns; '#' is ink.
// biome-ignore format: one glyph per line, rows separated by spaces
const GLYPH_ROWS: Record<string, string> = {
  a: '.###. #...# #...# ##### #...# #...# #...#',
  b: '####. #...# #...# ####. #...# #...# ####.',
  c: '.###. #...# #.... #.... #.... #...# .###.',
  d: '####. #...# #...# #...# #...# #...# ####.',
  e: '##### #.... #.... ####. #.... #.... #####',
  f: '##### #.... #.... ####. #.... #.... #....',
  g: '.###. #...# #.... #.### #...# #...# .####',
  h: '#...# #...# #...# ##### #...# #...# #...#',
  i: '.###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.',
  j: '..### ...#. ...#. ...#. ...#. #..#. .##..',
  k: '#...# #..#. #.#.. ##... #.#.. #..#. #...#',
  l: '#.... #.... #.... #.... #.... #.... #####',
  m: '#...# ##.## #.#.# #.#.# #...# #...# #...#',
  n: '#...# #...# ##..# #.#.# #..## #...# #...#',
  o: '.###. #...# #...# #...# #...# #...# .###.',
  p: '####. #...# #...# ####. #.... #.... #....',
  q: '.###. #...# #...# #...# #.#.# #..#. .##.#',
  r: '####. #...# #...# ####. #.#.. #..#. #...#',
  s: '.#### #.... #.... .###. ....# ....# ####.',
  t: '##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
  u: '#...# #...# #...# #...# #...# #...# .###.',
  v: '#...# #...# #...# #...# #...# .#.#. ..#..',
  w: '#...# #...# #...# #.#.# #.#.# #.#.# .#.#.',
  x: '#...# #...# .#.#. ..#.. .#.#. #...# #...#',
  y: '#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..',
  z: '##### ....# ...#. ..#.. .#... #.... #####',
  '0': '.###. #...# #..## #.#.# ##..# #...# .###.',
  '1': '..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.',
  '2': '.###. #...# ....# ...#. ..#.. .#... #####',
  '3': '##### ...#. ..#.. ...#. ....# #...# .###.',
  '4': '...#. ..##. .#.#. #..#. ##### ...#. ...#.',
  '5': '##### #.... ####. ....# ....# #...# .###.',
  '6': '..##. .#... #.... ####. #...# #...# .###.',
  '7': '##### ....# ...#. ..#.. .#... .#... .#...',
  '8': '.###. #...# #...# .###. #...# #...# .###.',
  '9': '.###. #...# #...# .#### ....# ...#. .##..',
  ' ': '..... ..... ..... ..... ..... ..... .....',
  '.': '..... ..... ..... ..... ..... .##.. .##..',
  ',': '..... ..... ..... ..... .##.. ..#.. .#...',
  ':': '..... .##.. .##.. ..... .##.. .##.. .....',
  ';': '..... .##.. .##.. ..... .##.. ..#.. .#...',
  '-': '..... ..... ..... .###. ..... ..... .....',
  '+': '..... ..#.. ..#.. ##### ..#.. ..#.. .....',
  '(': '...#. ..#.. .#... .#... .#... ..#.. ...#.',
  ')': '.#... ..#.. ...#. ...#. ...#. ..#.. .#...',
  '%': '##... ##..# ...#. ..#.. .#... #..## ...##',
  '/': '..... ....# ...#. ..#.. .#... #.... .....',
  "'": '..#.. ..#.. .#... ..... ..... ..... .....',
  '"': '.#.#. .#.#. .#.#. ..... ..... ..... .....',
  '!': '..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..',
  '?': '.###. #...# ....# ...#. ..#.. ..... ..#..',
  '=': '..... ..... ##### ..... ##### ..... .....',
  '#': '.#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.',
  _: '..... ..... ..... ..... ..... ..... #####',
  '…': '..... ..... ..... ..... ..... ..... #.#.#',
};

/** Drawn for characters the font has no glyph for. */
const BOX_ROWS = '##### #...# #...# #...# #...# #...# #####';

function parseGlyph(rows: string): Uint8Array {
  return Uint8Array.from(rows.replaceAll(' ', ''), (ch) => (ch === '#' ? 1 : 0));
}

const GLYPHS = new Map(Object.entries(GLYPH_ROWS).map(([ch, rows]) => [ch, parseGlyph(rows)]));
const BOX = parseGlyph(BOX_ROWS);

/** The 5×7 bitmap (row-major, 1 = ink) drawn for one character; lowercase and uppercase letters share glyphs. */
export function glyphFor(char: string): Uint8Array {
  return GLYPHS.get(char) ?? GLYPHS.get(char.toLowerCase()) ?? BOX;
}

/** Whether the font has a glyph of its own for `char` (others are drawn as a box). */
export function hasGlyph(char: string): boolean {
  return GLYPHS.has(char) || GLYPHS.has(char.toLowerCase());
}

function checkScale(scale: number | undefined): number {
  return checkNumber('scale', scale ?? 1, { integer: true, min: 1 });
}

/** Width in pixels of one line of characters (code points) at `scale`. */
function lineWidth(chars: number, scale: number): number {
  return chars === 0 ? 0 : (chars * GLYPH_ADVANCE - 1) * scale;
}

/**
 * Width in image pixels of `text` drawn at `scale` (default 1): the widest of its lines
 * (split at `\n`), without trailing spacing. 0 for empty text.
 */
export function textWidth(text: string, scale = 1): number {
  const s = checkScale(scale);
  return Math.max(0, ...text.split('\n').map((line) => lineWidth(Array.from(line).length, s)));
}

/**
 * Draw `text` into `target`, a CHW buffer of `channels`×`height`×`width` values, with the
 * top-left corner of the first glyph at pixel (x, y). `\n` starts a new line
 * {@link LINE_HEIGHT}·scale pixels lower. Only ink is written (the background stays); pixels
 * outside the buffer are skipped, so text may start or run off any edge.
 * @throws ValidationError for a buffer whose length is not channels·height·width, a
 *   non-integer position or scale, or a colour with a length other than 1 or `channels`.
 */
export function drawText(
  target: Float32Array,
  width: number,
  height: number,
  channels: number,
  text: string,
  x: number,
  y: number,
  options: DrawTextOptions = {},
): void {
  checkNumber('width', width, { integer: true, min: 0 });
  checkNumber('height', height, { integer: true, min: 0 });
  checkNumber('channels', channels, { integer: true, min: 1 });
  if (target.length !== channels * height * width) {
    invalid('target.length', target.length, `channels·height·width = ${channels * height * width}`);
  }
  checkNumber('x', x, { integer: true });
  checkNumber('y', y, { integer: true });
  const scale = checkScale(options.scale);
  const color = options.color ?? [-1];
  if (color.length !== 1 && color.length !== channels) invalid('color', color, `1 or ${channels} values (one per channel)`);
  const ink = Array.from({ length: channels }, (_, c) => {
    const i = color.length === 1 ? 0 : c;
    return checkNumber(`color[${i}]`, color[i]);
  });
  const plane = width * height;
  text.split('\n').forEach((line, row) => {
    const top = y + row * LINE_HEIGHT * scale;
    Array.from(line).forEach((char, col) => {
      const left = x + col * GLYPH_ADVANCE * scale;
      if (left >= width || left + GLYPH_WIDTH * scale <= 0 || top >= height || top + GLYPH_HEIGHT * scale <= 0) return;
      const glyph = glyphFor(char);
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if (glyph[gy * GLYPH_WIDTH + gx] === 0) continue;
          const y0 = Math.max(0, top + gy * scale);
          const y1 = Math.min(height, top + (gy + 1) * scale);
          const x0 = Math.max(0, left + gx * scale);
          const x1 = Math.min(width, left + (gx + 1) * scale);
          for (let py = y0; py < y1; py++) {
            for (let px = x0; px < x1; px++) {
              for (let c = 0; c < channels; c++) target[c * plane + py * width + px] = ink[c];
            }
          }
        }
      }
    });
  });
}

/**
 * Split `text` into lines at most `maxWidth` pixels wide when drawn at `scale` (default 1):
 * words are separated by whitespace and kept whole where they fit; a word longer than a line
 * is broken across lines; `\n` forces a break. Every line holds at least one character, even
 * when `maxWidth` is narrower than a glyph. Empty or blank text gives no lines.
 */
export function wrapText(text: string, maxWidth: number, scale = 1): string[] {
  checkNumber('maxWidth', maxWidth, { min: 0 });
  const s = checkScale(scale);
  const perLine = Math.max(1, Math.floor((maxWidth / s + 1) / GLYPH_ADVANCE));
  if (text.trim() === '') return [];
  const lines: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    let line: string[] = [];
    for (const word of paragraph.split(/\s+/).filter((w) => w !== '')) {
      let chars = Array.from(word);
      const needed = line.length === 0 ? chars.length : line.length + 1 + chars.length;
      if (needed <= perLine) {
        line = line.length === 0 ? chars : [...line, ' ', ...chars];
        continue;
      }
      if (line.length > 0) lines.push(line.join(''));
      while (chars.length > perLine) {
        lines.push(chars.slice(0, perLine).join(''));
        chars = chars.slice(perLine);
      }
      line = chars;
    }
    lines.push(line.join(''));
  }
  return lines;
}
