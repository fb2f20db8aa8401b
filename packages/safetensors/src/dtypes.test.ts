import { describe, expect, it } from 'vitest';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from './dtypes';

describe('half-precision conversions', () => {
  it('convert known values', () => {
    expect(f32ToF16(1)).toBe(0x3c00);
    expect(f32ToF16(-2)).toBe(0xc000);
    expect(f32ToF16(65504)).toBe(0x7bff);
    expect(f32ToF16(65520)).toBe(0x7c00); // rounds to infinity
    expect(f32ToF16(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(f32ToF16(2 ** -26)).toBe(0); // below half the smallest subnormal
    expect(f32ToF16(1 / 3)).toBe(0x3555);
    expect(f32ToF16(1 + 2 ** -11)).toBe(0x3c00); // a tie rounds to even
    expect(f32ToF16(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(Number.isNaN(f16ToF32(f32ToF16(Number.NaN)))).toBe(true);
    expect(f32ToBf16(1)).toBe(0x3f80);
    expect(f32ToBf16(Math.PI)).toBe(0x4049);
    expect(f32ToBf16(1 + 2 ** -8)).toBe(0x3f80); // tie to even
    expect(f32ToBf16(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(Number.isNaN(bf16ToF32(f32ToBf16(Number.NaN)))).toBe(true);
  });

  it('round-trip every non-NaN half and bfloat16 bit pattern exactly', () => {
    for (let bits = 0; bits < 65536; bits++) {
      const h = f16ToF32(bits);
      if (!Number.isNaN(h)) expect(f32ToF16(h)).toBe(bits);
      const b = bf16ToF32(bits);
      if (!Number.isNaN(b)) expect(f32ToBf16(b)).toBe(bits);
    }
  });
});
