/**
 * Resize with an antialiased triangle (bilinear) filter, then centre-crop: the usual
 * "resize the shorter side, crop the centre" preprocessing of image datasets.
 */
import { checkNumber } from '@rectiflow/core';
import type { RgbImage } from './decode-image';

/** Resample one axis: `src` has `n` samples spaced `stride` apart, per `lines` lines. */
function weightsFor(inSize: number, outSize: number): { start: Int32Array; weights: Float64Array[] } {
  const scale = outSize / inSize;
  const support = scale < 1 ? 1 / scale : 1;
  const start = new Int32Array(outSize);
  const weights: Float64Array[] = [];
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) / scale;
    const lo = Math.max(0, Math.floor(center - support));
    const hi = Math.min(inSize - 1, Math.ceil(center + support));
    const w = new Float64Array(hi - lo + 1);
    let sum = 0;
    for (let i = lo; i <= hi; i++) {
      const v = Math.max(0, 1 - Math.abs(i + 0.5 - center) / support);
      w[i - lo] = v;
      sum += v;
    }
    if (sum === 0) {
      w.fill(0);
      w[Math.min(w.length - 1, Math.max(0, Math.floor(center) - lo))] = 1;
      sum = 1;
    }
    for (let k = 0; k < w.length; k++) w[k] /= sum;
    start[o] = lo;
    weights.push(w);
  }
  return { start, weights };
}

/** Resize an RGB image to exactly `width` x `height` (no aspect preservation). */
export function resizeRgb(image: RgbImage, width: number, height: number): RgbImage {
  checkNumber('width', width, { integer: true, min: 1 });
  checkNumber('height', height, { integer: true, min: 1 });
  const xw = weightsFor(image.width, width);
  const yw = weightsFor(image.height, height);
  const tmp = new Float64Array(image.height * width * 3);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < width; x++) {
      const w = xw.weights[x];
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let k = 0; k < w.length; k++) acc += w[k] * image.data[(y * image.width + xw.start[x] + k) * 3 + c];
        tmp[(y * width + x) * 3 + c] = acc;
      }
    }
  }
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const w = yw.weights[y];
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let k = 0; k < w.length; k++) acc += w[k] * tmp[((yw.start[y] + k) * width + x) * 3 + c];
        out[(y * width + x) * 3 + c] = Math.min(255, Math.max(0, Math.round(acc)));
      }
    }
  }
  return { width, height, data: out };
}

/** Resize so the shorter side is `size`, then crop the centre `size` x `size`. */
export function resizeAndCenterCrop(image: RgbImage, size: number): RgbImage {
  checkNumber('size', size, { integer: true, min: 1 });
  const scale = size / Math.min(image.width, image.height);
  const w = Math.max(size, Math.round(image.width * scale));
  const h = Math.max(size, Math.round(image.height * scale));
  const resized = resizeRgb(image, w, h);
  const left = Math.floor((w - size) / 2);
  const top = Math.floor((h - size) / 2);
  const out = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    out.set(resized.data.subarray(((top + y) * w + left) * 3, ((top + y) * w + left + size) * 3), y * size * 3);
  }
  return { width: size, height: size, data: out };
}

/** HWC 8-bit RGB to CHW float in [-1, 1]. */
export function rgbToChw(image: RgbImage): Float32Array {
  const plane = image.width * image.height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[c * plane + i] = image.data[i * 3 + c] / 127.5 - 1;
  }
  return out;
}
