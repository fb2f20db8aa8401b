/**
 * Tiled decoding, for images too large for the wasm heap: latents are decoded in
 * overlapping tiles, which are blended with linear ramps across the overlaps into an
 * output held in plain JavaScript memory.
 *
 * Exact for decoders that are local (the pixel adapter, the tiny autoencoder); for the SD3
 * VAE it is an approximation, because its GroupNorm statistics and mid attention span the
 * whole latent. Larger tiles and overlaps come closer.
 */
import { type Autoencoder, checkNumber, tf } from '@rectiflow/core';
import { checkNCHW } from './check-images';

/** Options of {@link decodeTiled}. */
export interface TiledDecodeOptions {
  /** Tile side in latent pixels (default 64). */
  tile?: number;
  /** Overlap between neighbouring tiles in latent pixels (default 16), less than `tile`. */
  overlap?: number;
}

/** Tile starts along one axis: every `tile - overlap`, the last one flush with the end. */
function starts(size: number, tile: number, overlap: number): number[] {
  if (size <= tile) return [0];
  const out: number[] = [];
  for (let a = 0; ; a += tile - overlap) {
    if (a + tile >= size) {
      out.push(size - tile);
      return out;
    }
    out.push(a);
  }
}

/** Blending weights along one axis of a tile: ramps over `ramp` pixels on sides that meet another tile. */
function ramp(length: number, rampIn: number, atStart: boolean, atEnd: boolean): Float32Array {
  const w = new Float32Array(length).fill(1);
  for (let p = 0; p < length; p++) {
    if (!atStart) w[p] = Math.min(w[p], (p + 0.5) / rampIn);
    if (!atEnd) w[p] = Math.min(w[p], (length - p - 0.5) / rampIn);
  }
  return w;
}

/**
 * Decode normalised latents [B, z, h, w] tile by tile with `ae.decode`, and return the
 * images [B, C, h·f, w·f]. Only one tile's activations are on the backend at a time.
 */
export function decodeTiled(ae: Autoencoder, latents: tf.Tensor4D, options: TiledDecodeOptions = {}): tf.Tensor4D {
  checkNCHW('latents', latents, ae.latentChannels, 1, 'normalised latents');
  const tile = checkNumber('tile', options.tile ?? 64, { integer: true, min: 1 });
  const overlap = checkNumber('overlap', options.overlap ?? Math.min(16, Math.floor(tile / 4)), { integer: true, min: 0, lessThan: tile });
  const [b, , h, w] = latents.shape;
  const f = ae.downsampleFactor;
  const c = ae.imageChannels;
  const H = h * f;
  const W = w * f;
  const sum = new Float32Array(b * c * H * W);
  const weight = new Float32Array(H * W);
  const ys = starts(h, tile, overlap);
  const xs = starts(w, tile, overlap);
  for (const y0 of ys) {
    for (const x0 of xs) {
      const th = Math.min(tile, h);
      const tw = Math.min(tile, w);
      const decoded = tf.tidy(() => ae.decode(tf.slice(latents, [0, 0, y0, x0], [-1, -1, th, tw])));
      const data = decoded.dataSync();
      decoded.dispose();
      const wy = ramp(th * f, overlap * f, y0 === 0, y0 + th === h);
      const wx = ramp(tw * f, overlap * f, x0 === 0, x0 + tw === w);
      const tH = th * f;
      const tW = tw * f;
      for (let py = 0; py < tH; py++) {
        for (let px = 0; px < tW; px++) {
          const k = wy[py] * wx[px];
          const at = (y0 * f + py) * W + x0 * f + px;
          weight[at] += k;
          for (let bc = 0; bc < b * c; bc++) sum[bc * H * W + at] += k * data[(bc * tH + py) * tW + px];
        }
      }
    }
  }
  for (let bc = 0; bc < b * c; bc++) {
    for (let p = 0; p < H * W; p++) sum[bc * H * W + p] /= weight[p];
  }
  return tf.tensor4d(sum, [b, c, H, W]);
}
