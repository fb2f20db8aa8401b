import { describe, expect, it } from 'vitest';
import { f8e4m3ToF32, f8e5m2ToF32 } from './dtypes';
import { readSafetensors } from './reader';
import { serializeSafetensors } from './writer';

describe('float8 (F8_E4M3, F8_E5M2)', () => {
  it('decodes every e4m3fn code exactly: bias 7, subnormals, max 448, NaN, no infinities', () => {
    expect(f8e4m3ToF32(0x00)).toBe(0);
    expect(Object.is(f8e4m3ToF32(0x80), -0)).toBe(true);
    expect(f8e4m3ToF32(0x38)).toBe(1); // exp 7, frac 0
    expect(f8e4m3ToF32(0x01)).toBe(2 ** -9); // smallest subnormal
    expect(f8e4m3ToF32(0x07)).toBe(7 * 2 ** -9);
    expect(f8e4m3ToF32(0x08)).toBe(2 ** -6); // smallest normal
    expect(f8e4m3ToF32(0x7e)).toBe(448); // largest finite
    expect(f8e4m3ToF32(0xfe)).toBe(-448);
    expect(f8e4m3ToF32(0x7f)).toBeNaN();
    expect(f8e4m3ToF32(0x78)).toBe(256); // exp 15 is finite in the fn variant
    expect(f8e4m3ToF32(0x3c)).toBe(1.5);
    // Monotone over the positive codes.
    const positive = Array.from({ length: 0x7f }, (_, i) => f8e4m3ToF32(i));
    expect(positive.every((v, i) => i === 0 || v > positive[i - 1])).toBe(true);
  });

  it('decodes e5m2 as IEEE: bias 15, subnormals, max 57344, infinities and NaN', () => {
    expect(f8e5m2ToF32(0x3c)).toBe(1); // exp 15, frac 0
    expect(f8e5m2ToF32(0x01)).toBe(2 ** -16);
    expect(f8e5m2ToF32(0x7b)).toBe(57344);
    expect(f8e5m2ToF32(0x7c)).toBe(Infinity);
    expect(f8e5m2ToF32(0xfc)).toBe(-Infinity);
    expect(f8e5m2ToF32(0x7d)).toBeNaN();
    expect(f8e5m2ToF32(0xc0)).toBe(-2);
  });

  it('reads float8 tensors from a file as float32, and writes their raw bits back', async () => {
    const bytes = await serializeSafetensors({
      a: { dtype: 'F8_E4M3', shape: [2, 2], data: new Uint8Array([0x38, 0xb8, 0x7e, 0x01]) },
      b: { dtype: 'F8_E5M2', shape: [2], data: new Uint8Array([0x3c, 0x7c]) },
    });
    const file = await readSafetensors(bytes);
    expect(file.info('a').dtype).toBe('F8_E4M3');
    const a = await file.tensor('a');
    expect(a.dtype).toBe('float32');
    expect(a.arraySync()).toEqual([
      [1, -1],
      [448, 2 ** -9],
    ]);
    expect([...((await file.read('b')) as Float32Array)]).toEqual([1, Infinity]);
    a.dispose();
    await expect(serializeSafetensors({ c: { dtype: 'F8_E4M3', shape: [1], data: [0.5] } })).rejects.toThrow(
      /F8_E4M3 is written from its raw bits only/,
    );
  });
});
