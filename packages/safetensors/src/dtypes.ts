/** The element types of the safetensors format that Rectiflow reads and writes. */
export type Dtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'F8_E4M3' | 'F8_E5M2' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** Bytes per element of each dtype. */
export const DTYPE_SIZES: Readonly<Record<Dtype, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** All supported dtypes. */
export const DTYPES = Object.keys(DTYPE_SIZES) as Dtype[];

/** Whether a string is a supported dtype. */
export function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && Object.hasOwn(DTYPE_SIZES, value);
}

/** The typed array `read()` returns for each dtype (F16, BF16 and the F8 types are widened to float32). */
export type TypedArrayFor<D extends Dtype> = D extends 'F64'
  ? Float64Array
  : D extends 'F32' | 'F16' | 'BF16' | 'F8_E4M3' | 'F8_E5M2'
    ? Float32Array
    : D extends 'I64'
      ? BigInt64Array
      : D extends 'I32'
        ? Int32Array
        : D extends 'I16'
          ? Int16Array
          : D extends 'I8'
            ? Int8Array
            : Uint8Array;

/** Any typed array `read()` can return. */
export type TensorData = Float64Array | Float32Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

const scratch = new DataView(new ArrayBuffer(4));

/** IEEE half-precision bits to a float32 value. */
export function f16ToF32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? Number.NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** A float32 value to IEEE half-precision bits, rounding to nearest even. */
export function f32ToF16(value: number): number {
  scratch.setFloat32(0, value);
  const x = scratch.getUint32(0);
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rem = mant & ((1 << shift) - 1);
    let out = mant >>> shift;
    if (rem > half || (rem === half && out & 1)) out++;
    return sign | out;
  }
  let out = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && out & 1)) out++;
  return sign | out;
}

/** bfloat16 bits to a float32 value (exact). */
export function bf16ToF32(bits: number): number {
  scratch.setUint32(0, (bits & 0xffff) << 16);
  return scratch.getFloat32(0);
}

/** A float32 value to bfloat16 bits, rounding to nearest even; NaN stays NaN. */
export function f32ToBf16(value: number): number {
  scratch.setFloat32(0, value);
  const x = scratch.getUint32(0);
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return ((x >>> 16) | 0x40) & 0xffff;
  const rounded = x + 0x7fff + ((x >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

/**
 * float8 e4m3 bits to a float32 value (exact): PyTorch's `float8_e4m3fn`, the format of
 * SD3's fp8 T5 files. Bias 7, no infinities; S.1111.111 is NaN; the largest value is 448.
 */
export function f8e4m3ToF32(bits: number): number {
  const sign = bits & 0x80 ? -1 : 1;
  const exp = (bits >> 3) & 0xf;
  const frac = bits & 0x7;
  if (exp === 0xf && frac === 0x7) return Number.NaN;
  if (exp === 0) return sign * frac * 2 ** -9;
  return sign * (1 + frac / 8) * 2 ** (exp - 7);
}

/** float8 e5m2 bits to a float32 value (exact): IEEE-like, bias 15, with infinities and NaN. */
export function f8e5m2ToF32(bits: number): number {
  const sign = bits & 0x80 ? -1 : 1;
  const exp = (bits >> 2) & 0x1f;
  const frac = bits & 0x3;
  if (exp === 0x1f) return frac ? Number.NaN : sign * Infinity;
  if (exp === 0) return sign * frac * 2 ** -16;
  return sign * (1 + frac / 4) * 2 ** (exp - 15);
}
