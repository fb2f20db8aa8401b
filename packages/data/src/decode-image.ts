/**
 * Decode PNG and JPEG bytes to 8-bit RGB, compositing any alpha over white.
 */
import { RectiflowError } from '@rectiflow/core';
import { decode as decodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { unpackSamples } from './unpack-samples';

/** An 8-bit RGB image, row-major HWC. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];

function isPng(bytes: Uint8Array): boolean {
  return PNG_MAGIC.every((b, i) => bytes[i] === b);
}

function isJpeg(bytes: Uint8Array): boolean {
  return bytes[0] === 0xff && bytes[1] === 0xd8;
}

function fromPng(bytes: Uint8Array): RgbImage {
  const png = decodePng(bytes);
  const { width, height } = png;
  const out = new Uint8Array(width * height * 3);
  const max = png.depth === 16 ? 65535 : (1 << png.depth) - 1;
  const palette = png.palette as number[][] | undefined;
  const ch = png.channels;
  // fast-png leaves 1/2/4-bit grey and palette samples packed (rows padded to whole bytes).
  const src: ArrayLike<number> = png.depth < 8 ? unpackSamples(png.data, width, height, png.depth) : png.data;
  if (!palette && src.length < width * height * ch) {
    throw new RectiflowError(`PNG data holds ${src.length} samples; expected ${width * height * ch} (${width}x${height}x${ch})`);
  }
  for (let i = 0; i < width * height; i++) {
    let r: number;
    let g: number;
    let b: number;
    let a = 1;
    if (palette) {
      const entry = palette[src[i]] ?? [0, 0, 0];
      [r, g, b] = entry;
      a = entry.length > 3 ? entry[3] / 255 : 1;
    } else {
      const px = i * ch;
      const scale = 255 / max;
      if (ch <= 2) {
        r = g = b = src[px] * scale;
        if (ch === 2) a = src[px + 1] / max;
      } else {
        r = src[px] * scale;
        g = src[px + 1] * scale;
        b = src[px + 2] * scale;
        if (ch === 4) a = src[px + 3] / max;
      }
    }
    out[i * 3] = Math.round(r * a + 255 * (1 - a));
    out[i * 3 + 1] = Math.round(g * a + 255 * (1 - a));
    out[i * 3 + 2] = Math.round(b * a + 255 * (1 - a));
  }
  return { width, height, data: out };
}

function fromJpeg(bytes: Uint8Array): RgbImage {
  const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
  const out = new Uint8Array(img.width * img.height * 3);
  for (let i = 0; i < img.width * img.height; i++) {
    out[i * 3] = img.data[i * 4];
    out[i * 3 + 1] = img.data[i * 4 + 1];
    out[i * 3 + 2] = img.data[i * 4 + 2];
  }
  return { width: img.width, height: img.height, data: out };
}

/**
 * Decode PNG or JPEG bytes (detected from the signature).
 * @throws when the bytes are neither, or corrupt; `name` appears in the message.
 */
export function decodeImage(bytes: Uint8Array, name = '<bytes>'): RgbImage {
  try {
    if (isPng(bytes)) return fromPng(bytes);
    if (isJpeg(bytes)) return fromJpeg(bytes);
  } catch (e) {
    throw new RectiflowError(`${name}: cannot decode image: ${(e as Error).message}`);
  }
  throw new RectiflowError(`${name}: not a PNG or JPEG file (unknown signature)`);
}
