/**
 * Unpack PNG samples of 1, 2 or 4 bits, as decoders such as fast-png leave them: each row
 * padded to a whole number of bytes, the first sample in the most significant bits.
 */
import { ValidationError } from '@rectiflow/core';

/**
 * One byte per sample, row-major, from `height` rows of `width` single-channel samples
 * packed at `depth` bits (1, 2 or 4). The values stay in `0 .. 2^depth - 1`.
 * @throws {ValidationError} on another depth, or when `packed` is shorter than the rows
 */
export function unpackSamples(packed: ArrayLike<number>, width: number, height: number, depth: number): Uint8Array {
  if (depth !== 1 && depth !== 2 && depth !== 4) throw new ValidationError('depth', depth, '1, 2 or 4 bits per sample');
  const rowBytes = Math.ceil((width * depth) / 8);
  if (packed.length < rowBytes * height) {
    throw new ValidationError('packed.length', packed.length, `at least ${rowBytes * height} bytes (${height} rows of ${rowBytes})`);
  }
  const perByte = 8 / depth;
  const mask = (1 << depth) - 1;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * rowBytes;
    for (let x = 0; x < width; x++) {
      const byte = packed[row + Math.floor(x / perByte)];
      const shift = 8 - depth * ((x % perByte) + 1);
      out[y * width + x] = (byte >> shift) & mask;
    }
  }
  return out;
}
