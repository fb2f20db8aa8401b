import { encode as encodePng } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { decodeImage } from './decode-image';
import { unpackSamples } from './unpack-samples';

// 5x3: rows of sub-byte samples end inside a byte, so the row padding is exercised.
const W = 5;
const H = 3;
const N = W * H;

/** Sample values 0 .. 2^depth - 1 cycling through the whole range, with a per-channel offset. */
function samples(depth: number, channels: number): number[] {
  const max = depth === 16 ? 65535 : (1 << depth) - 1;
  const step = depth === 16 ? 4369 : 1; // 16 bits: 0, 4369, ..., 65535 (15 levels)
  const levels = Math.floor(max / step) + 1;
  return Array.from({ length: N * channels }, (_, i) => (((i * 7 + (i % channels) * 3) % levels) * step) % (max + 1));
}

/** Pack one-channel samples MSB first, each row padded to whole bytes (the PNG layout). */
function pack(values: number[], depth: number): Uint8Array {
  const rowBytes = Math.ceil((W * depth) / 8);
  const out = new Uint8Array(rowBytes * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const bit = x * depth;
      out[y * rowBytes + (bit >> 3)] |= values[y * W + x] << (8 - depth - (bit & 7));
    }
  }
  return out;
}

/** The expected 8-bit RGB over white. */
function composite(rgb: [number, number, number], alpha: number): number[] {
  return rgb.map((c) => Math.round(c * alpha + 255 * (1 - alpha)));
}

function expectedDirect(values: number[], depth: number, channels: number): number[] {
  const max = depth === 16 ? 65535 : (1 << depth) - 1;
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const px = values.slice(i * channels, (i + 1) * channels).map((v) => (v * 255) / max);
    const rgb: [number, number, number] = channels <= 2 ? [px[0], px[0], px[0]] : [px[0], px[1], px[2]];
    const alpha = channels === 2 || channels === 4 ? values[i * channels + channels - 1] / max : 1;
    out.push(...composite(rgb, alpha));
  }
  return out;
}

describe('decodeImage: every PNG colour type and bit depth', () => {
  it.each([
    ['grey', 1, 1],
    ['grey', 1, 2],
    ['grey', 1, 4],
    ['grey', 1, 8],
    ['grey', 1, 16],
    ['grey+alpha', 2, 8],
    ['grey+alpha', 2, 16],
    ['RGB', 3, 8],
    ['RGB', 3, 16],
    ['RGBA', 4, 8],
    ['RGBA', 4, 16],
  ])('%s (%i channels) at %i bits', (_name, channels, depth) => {
    const values = samples(depth, channels);
    const data = depth < 8 ? pack(values, depth) : depth === 16 ? new Uint16Array(values) : new Uint8Array(values);
    const bytes = encodePng({ width: W, height: H, data, channels, depth: depth as 8 });
    const image = decodeImage(bytes, 'test.png');
    expect(image.width).toBe(W);
    expect(image.height).toBe(H);
    expect(Array.from(image.data)).toEqual(expectedDirect(values, depth, channels));
  });

  it.each([1, 2, 4, 8])('palette at %i bits, opaque and with a transparency table', (depth) => {
    const colours = 1 << depth;
    const opaque = Array.from({ length: colours }, (_, k) => [(k * 37) % 256, (k * 91 + 5) % 256, (k * 13 + 200) % 256]);
    // fast-png's encoder writes only the alphas below 255 into tRNS, so the translucent
    // entries come first (as PNG encoders conventionally order them).
    const translucent = opaque.map((c, k) => [...c, k >= colours / 2 ? 255 : k % 2 === 0 ? 0 : 128]);
    const indices = Array.from({ length: N }, (_, i) => (i * 5 + 1) % colours);
    const data = depth < 8 ? pack(indices, depth) : new Uint8Array(indices);
    for (const palette of [opaque, translucent]) {
      const bytes = encodePng({
        width: W,
        height: H,
        data,
        channels: 1,
        depth: depth as 8,
        palette: palette as [number, number, number][],
      });
      const image = decodeImage(bytes, 'palette.png');
      const expected = indices.flatMap((k) => composite(palette[k].slice(0, 3) as [number, number, number], (palette[k][3] ?? 255) / 255));
      expect(Array.from(image.data)).toEqual(expected);
    }
  });
});

describe('unpackSamples', () => {
  it('reads MSB first and skips the padding at the end of each row', () => {
    // Two rows of 3 two-bit samples: 0b01_10_11_00 (last 2 bits padding), 0b11_00_01_00.
    expect(Array.from(unpackSamples([0b01101100, 0b11000100], 3, 2, 2))).toEqual([1, 2, 3, 3, 0, 1]);
    expect(Array.from(unpackSamples([0b10100000, 0b01000000], 3, 2, 1))).toEqual([1, 0, 1, 0, 1, 0]);
    expect(Array.from(unpackSamples([0xa5, 0x30], 3, 1, 4))).toEqual([10, 5, 3]);
  });

  it('names the field, the value and what is allowed', () => {
    expect(() => unpackSamples([0], 1, 1, 8)).toThrow(/depth: got 8; expected 1, 2 or 4 bits per sample/);
    expect(() => unpackSamples([0], 9, 1, 1)).toThrow(/packed\.length: got 1; expected at least 2 bytes/);
  });
});
