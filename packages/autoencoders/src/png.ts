/**
 * PNG bytes to NCHW tensors in [-1, 1] and back, with `fast-png` as the codec. Works in any
 * runtime; see {@link readPng} and {@link writePng} for files.
 */
import { checkNumber, invalid, tf } from '@rectiflow/core';
import { convertIndexedToRgb, decode, encode } from 'fast-png';

/** Channel counts a decoded image can have: grey, RGB, RGBA. */
export type PngChannels = 1 | 3 | 4;

/** Options of {@link decodePng}. */
export interface DecodePngOptions {
  /**
   * Channels of the tensor (default 3). Grey is replicated to RGB; RGB becomes grey by
   * BT.601 luma (0.299 R + 0.587 G + 0.114 B); alpha is dropped unless 4 are asked for,
   * and images without alpha get an opaque one.
   */
  channels?: PngChannels;
}

/** Options of {@link encodePng}. */
export interface EncodePngOptions {
  /** Bits per sample: 8 (default) or 16. */
  depth?: 8 | 16;
  /**
   * tEXt chunks, e.g. the prompt, seed and settings an image was made with. Keywords are 1 to 79
   * Latin-1 characters; values are Latin-1 (use {@link pngTextValue} for any text).
   */
  text?: Readonly<Record<string, string>>;
}

/** Whether every character of a string is Latin-1 (code point <= 0xff). */
const isLatin1 = (text: string): boolean => [...text].every((c) => (c.codePointAt(0) ?? 0) <= 0xff);

/** Any string as a Latin-1 tEXt value: characters beyond Latin-1 become `\\uXXXX` escapes. */
export function pngTextValue(text: string): string {
  let out = '';
  // Per UTF-16 code unit, so a character outside the BMP becomes its two escaped surrogates.
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out += unit <= 0xff ? text[i] : `\\u${unit.toString(16).padStart(4, '0')}`;
  }
  return out;
}

/** The tEXt chunks of a PNG file (keyword to value). */
export function readPngText(bytes: Uint8Array | ArrayBuffer): Record<string, string> {
  return { ...decode(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).text };
}

const LUMA = [0.299, 0.587, 0.114];

/** Unpack 1-, 2- or 4-bit samples (rows padded to whole bytes) to one value per byte. */
function unpackLowDepth(data: ArrayLike<number>, width: number, height: number, channels: number, depth: number): Uint8Array {
  const perRow = width * channels;
  const rowBytes = Math.ceil((perRow * depth) / 8);
  const out = new Uint8Array(perRow * height);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < perRow; i++) {
      const bit = i * depth;
      const byte = data[y * rowBytes + (bit >> 3)];
      out[y * perRow + i] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

/**
 * Decode PNG bytes to a float32 tensor [1, C, H, W] in [-1, 1] (0 maps to -1, the
 * largest sample value to 1). Grey, grey+alpha, RGB, RGBA and palette images of every
 * bit depth are accepted.
 * @throws ValidationError for bytes that are not a PNG, naming what the decoder said.
 */
export function decodePng(bytes: Uint8Array | ArrayBuffer, options: DecodePngOptions = {}): tf.Tensor4D {
  const want = options.channels ?? 3;
  if (want !== 1 && want !== 3 && want !== 4) invalid('channels', want, '1, 3 or 4');
  let png: ReturnType<typeof decode>;
  try {
    png = decode(bytes);
  } catch (e) {
    return invalid('png bytes', bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), `a valid PNG (${(e as Error).message})`);
  }
  const { width, height } = png;
  let data: ArrayLike<number> = png.data;
  let channels = png.channels;
  let max = 2 ** png.depth - 1;
  if (png.palette) {
    data = convertIndexedToRgb(png);
    channels = png.palette[0].length;
    max = 255;
  } else if (png.depth < 8) {
    data = unpackLowDepth(png.data, width, height, channels, png.depth);
  }
  const hasAlpha = channels === 2 || channels === 4;
  const colour = hasAlpha ? channels - 1 : channels;
  const plane = width * height;
  const out = new Float32Array(want * plane);
  const scale = 2 / max;
  for (let p = 0; p < plane; p++) {
    const at = p * channels;
    const rgb = colour === 1 ? [data[at], data[at], data[at]] : [data[at], data[at + 1], data[at + 2]];
    if (want === 1) {
      out[p] = (colour === 1 ? data[at] : LUMA[0] * rgb[0] + LUMA[1] * rgb[1] + LUMA[2] * rgb[2]) * scale - 1;
    } else {
      for (let c = 0; c < 3; c++) out[c * plane + p] = rgb[c] * scale - 1;
      if (want === 4) out[3 * plane + p] = hasAlpha ? data[at + channels - 1] * scale - 1 : 1;
    }
  }
  return tf.tensor4d(out, [1, want, height, width]);
}

/**
 * Decode several PNGs of one size into a batch [B, C, H, W].
 * @throws ValidationError naming the first image whose size differs from the first one's.
 */
export function decodePngs(images: readonly (Uint8Array | ArrayBuffer)[], options: DecodePngOptions = {}): tf.Tensor4D {
  if (images.length === 0) invalid('images', [], 'at least one PNG');
  const decoded: tf.Tensor4D[] = [];
  try {
    for (const [i, bytes] of images.entries()) {
      const t = decodePng(bytes, options);
      decoded.push(t);
      const [, , h, w] = t.shape;
      const [, , h0, w0] = decoded[0].shape;
      if (h !== h0 || w !== w0) invalid(`images[${i}]`, `${w}x${h}`, `the size of images[0], ${w0}x${h0} (resize or crop first)`);
    }
    return tf.concat(decoded, 0);
  } finally {
    tf.dispose(decoded);
  }
}

/**
 * Encode one image, [1, C, H, W] or [C, H, W] with C = 1, 3 or 4, from [-1, 1] to PNG
 * bytes. Values are clipped to [-1, 1] and rounded to the nearest level.
 * @throws ValidationError for a batch of several images (make a grid first), or another channel count.
 */
export function encodePng(image: tf.Tensor, options: EncodePngOptions = {}): Uint8Array {
  const depth = options.depth ?? 8;
  if (depth !== 8 && depth !== 16) invalid('depth', depth, '8 or 16');
  if (image.rank === 4 && image.shape[0] !== 1)
    invalid('image.shape', image.shape, 'one image [1, C, H, W]; for a batch, use makeGrid() or encode each slice');
  if (image.rank !== 3 && image.rank !== 4) invalid('image.shape', image.shape, 'an image [1, C, H, W] or [C, H, W]');
  const [c, h, w] = image.shape.slice(-3);
  if (c !== 1 && c !== 3 && c !== 4) invalid('image.shape', image.shape, '1, 3 or 4 channels (grey, RGB, RGBA) in NCHW order');
  checkNumber('image height', h, { integer: true, min: 1 });
  checkNumber('image width', w, { integer: true, min: 1 });
  const max = 2 ** depth - 1;
  const hwc = tf.tidy(() => {
    const chw = tf.reshape(image, [c, h, w]);
    const levels = tf.round(tf.mul(tf.add(tf.clipByValue(chw, -1, 1), 1), max / 2));
    return tf.transpose(levels, [1, 2, 0]);
  });
  const values = hwc.dataSync();
  hwc.dispose();
  const data = depth === 8 ? Uint8Array.from(values) : Uint16Array.from(values);
  const text = options.text ?? {};
  for (const [key, value] of Object.entries(text)) {
    if (!/^[\u0020-\u007e\u00a1-\u00ff]{1,79}$/.test(key) || key !== key.trim()) {
      invalid('text keyword', key, '1 to 79 printable Latin-1 characters without leading or trailing spaces');
    }
    if (!isLatin1(value)) invalid(`text[${JSON.stringify(key)}]`, value, 'Latin-1 text (pngTextValue(text) escapes the rest)');
  }
  return encode({ width: w, height: h, data, depth, channels: c, ...(Object.keys(text).length ? { text: { ...text } } : {}) });
}
